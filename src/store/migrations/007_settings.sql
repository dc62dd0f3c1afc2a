-- Platform settings every process must share, e.g. the JWT signing secret generated on first start when
-- JWT_SECRET is not configured.
CREATE TABLE settings (
  key         text PRIMARY KEY,
  value       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
