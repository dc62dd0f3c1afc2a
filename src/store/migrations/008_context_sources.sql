-- Context data for trips: the latest hourly weather CSV and area-risk (incidents per H3 cell) CSV imported.
-- Kept as the validated CSV text and parsed at start; a new import replaces the old one.
CREATE TABLE context_sources (
  kind         text PRIMARY KEY CHECK (kind IN ('weather', 'area_risk')),
  name         text NOT NULL,
  rows         integer NOT NULL,
  csv          text NOT NULL,
  imported_at  timestamptz NOT NULL DEFAULT now()
);
