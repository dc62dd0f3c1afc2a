-- Shared product schema used by risk, pricing, disputes and the API: which trips and events count, the classic
-- rating factors of a policy, and an outbox of domain events that webhooks and live updates read.

-- A dispute accepted by staff stops a trip (passenger, not me, public transport) or one event (wrong speed limit,
-- evasive manoeuvre) from counting. Rows are kept, flagged, so the decision is visible and reversible.
ALTER TABLE trips ADD COLUMN counted boolean NOT NULL DEFAULT true;
ALTER TABLE trips ADD COLUMN exclusion_reason text;
ALTER TABLE events ADD COLUMN voided boolean NOT NULL DEFAULT false;
ALTER TABLE events ADD COLUMN void_reason text;
CREATE INDEX trips_driver_counted ON trips (driver_id, start_at DESC) WHERE counted;

-- What a classic tariff rates a policy on (never a protected attribute): e.g.
-- {"driverAge": 34, "vehiclePowerKw": 80, "vehicleAgeYears": 5, "territory": "C", "annualKm": 12000}.
ALTER TABLE policies ADD COLUMN rating_factors jsonb NOT NULL DEFAULT '{}';
ALTER TABLE policies ADD COLUMN enrolled boolean NOT NULL DEFAULT true;

-- Transactional outbox: a change and the event announcing it commit together. Webhook delivery and live updates
-- consume it (NOTIFY domain_events wakes them); rows are pruned after delivery and a retention period.
CREATE TABLE domain_events (
  seq         bigserial PRIMARY KEY,
  id          text NOT NULL UNIQUE,
  tenant_id   text NOT NULL,
  type        text NOT NULL,
  driver_id   text,
  subject_id  text,
  data        jsonb NOT NULL DEFAULT '{}',
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domain_events_tenant ON domain_events (tenant_id, seq);
CREATE INDEX domain_events_driver ON domain_events (driver_id, seq) WHERE driver_id IS NOT NULL;
