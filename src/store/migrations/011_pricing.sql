-- Pricing: rating plans as stored data, every quote a driver was given, PAYD monthly statements, disputes of
-- trips and events, and drivers' answers to crash candidates.

-- A plan is the engine's RatingPlan (src/pricing schema.ts), validated by validatePlan before it is stored;
-- `bands` says how a policy's raw rating_factors become the plan's level codes (src/pricing bands.ts).
-- One plan per product: the engine's plan has no product field, and a PAYD policy must not be billed on a
-- PHYD tariff.
CREATE TABLE rating_plans (
  tenant_id       text NOT NULL REFERENCES tenants(id),
  id              text NOT NULL,
  version         integer NOT NULL CHECK (version >= 1),
  product         text NOT NULL CHECK (product IN ('payd', 'phyd', 'classic')),
  jurisdiction    text NOT NULL,
  effective_from  date NOT NULL,
  effective_to    date,
  plan            jsonb NOT NULL,
  bands           jsonb NOT NULL,
  -- true for the documented default seeded when a tenant has no plan for a jurisdiction and product.
  is_default      boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id, version),
  CHECK (effective_to IS NULL OR effective_to > effective_from)
);
CREATE INDEX rating_plans_in_force ON rating_plans (tenant_id, jurisdiction, product, effective_from DESC);

-- Every quote, with its full explanation (the engine's Quote plus the change vs. the previous one). `seq` orders
-- a driver's history even when two quotes share a timestamp.
CREATE TABLE quotes (
  seq                    bigserial UNIQUE,
  id                     text PRIMARY KEY,
  tenant_id              text NOT NULL REFERENCES tenants(id),
  driver_id              text NOT NULL REFERENCES drivers(id) ON DELETE CASCADE,
  policy_id              text NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  plan_id                text NOT NULL,
  plan_version           integer NOT NULL,
  model_name             text,
  model_version          integer,
  premium_cents          integer NOT NULL CHECK (premium_cents >= 0),
  non_telematics_cents   integer NOT NULL CHECK (non_telematics_cents >= 0),
  telematics_factor      double precision NOT NULL,
  safety_score           integer CHECK (safety_score BETWEEN 0 AND 100),
  quote                  jsonb NOT NULL,
  reason                 text NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quotes_driver_latest ON quotes (tenant_id, driver_id, seq DESC);
CREATE INDEX quotes_policy_time ON quotes (policy_id, created_at DESC, seq DESC);

-- PAYD statements: one per policy and month. The engine's statement id and hash are deterministic in the inputs,
-- so regenerating an unchanged month writes nothing; a month whose counted distance changed (an accepted
-- dispute) is rewritten with revision + 1 and says why.
CREATE TABLE payd_statements (
  tenant_id             text NOT NULL REFERENCES tenants(id),
  policy_id             text NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  driver_id             text NOT NULL REFERENCES drivers(id) ON DELETE CASCADE,
  month                 text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  statement_id          text NOT NULL,
  content_hash          text NOT NULL,
  total_cents           integer NOT NULL CHECK (total_cents >= 0),
  statement             jsonb NOT NULL,
  revision              integer NOT NULL DEFAULT 1,
  previous_total_cents  integer,
  revision_reason       text,
  generated_at          timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (policy_id, month)
);
CREATE INDEX payd_statements_driver ON payd_statements (tenant_id, driver_id, month DESC);

-- A driver disputes a whole trip (passenger, not me, public transport) or one event (wrong speed limit, evasive
-- manoeuvre); staff accept or reject. Accepting flips trips.counted / events.voided (migration 009).
CREATE TABLE disputes (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  driver_id    text NOT NULL REFERENCES drivers(id) ON DELETE CASCADE,
  trip_id      text NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
  event_id     text REFERENCES events(id) ON DELETE CASCADE,
  reason       text NOT NULL
               CHECK (reason IN ('passenger', 'not_me', 'public_transport', 'wrong_speed_limit', 'evasive_manoeuvre')),
  comment      text,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
  reviewer_id  text,
  review_note  text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  resolved_at  timestamptz,
  -- Trip reasons are about the whole trip, event reasons about one event.
  CHECK ((reason IN ('wrong_speed_limit', 'evasive_manoeuvre')) = (event_id IS NOT NULL)),
  CHECK ((status = 'open') = (resolved_at IS NULL))
);
-- One open dispute per subject (a trip, or an event).
CREATE UNIQUE INDEX disputes_open_trip ON disputes (trip_id) WHERE status = 'open' AND event_id IS NULL;
CREATE UNIQUE INDEX disputes_open_event ON disputes (event_id) WHERE status = 'open' AND event_id IS NOT NULL;
CREATE INDEX disputes_queue ON disputes (tenant_id, status, created_at, id);
CREATE INDEX disputes_driver ON disputes (driver_id, created_at DESC);

-- The driver's answer to "was that a crash?" after a crash candidate; the latest answer stands.
CREATE TABLE crash_responses (
  event_id   text PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
  tenant_id  text NOT NULL REFERENCES tenants(id),
  driver_id  text NOT NULL REFERENCES drivers(id) ON DELETE CASCADE,
  response   text NOT NULL CHECK (response IN ('ok', 'need_help', 'not_crash')),
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crash_responses_driver ON crash_responses (driver_id, at DESC);
