-- Partner API: webhook endpoints and their delivery log, consents per purpose, and a commit-order position for the
-- domain-event outbox (readers follow (txid, seq), see src/services/outbox.ts).

-- seq is taken when a row is inserted, not when its transaction commits: a reader that advanced past seq 6 could
-- miss seq 5 committed later. The writing transaction's id lets readers take only events whose transactions
-- are all settled (txid below the oldest running transaction) in a stable order.
ALTER TABLE domain_events ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX domain_events_txid ON domain_events (txid, seq);

-- A tenant's webhook endpoints. The signing secret is stored encrypted (AES-256-GCM, see src/services/webhooks.ts),
-- never in clear; it is shown to the caller once, at creation or rotation.
CREATE TABLE webhook_endpoints (
  id           text PRIMARY KEY,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  url          text NOT NULL,
  description  text,
  event_types  text[] NOT NULL,
  secret_enc   bytea NOT NULL,
  enabled      boolean NOT NULL DEFAULT true,
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id);

-- Where the fan-out of domain events to deliveries has got to; one row, locked by the process doing the fan-out.
CREATE TABLE webhook_cursor (
  id     integer PRIMARY KEY CHECK (id = 1),
  txid   xid8 NOT NULL,
  seq    bigint NOT NULL
);
INSERT INTO webhook_cursor (id, txid, seq) VALUES (1, '0'::xid8, 0);

-- One delivery per (event, endpoint), plus one per replay. next_attempt_at doubles as the lease of a claimed
-- delivery: a process that dies mid-send leaves it to be retried when the lease runs out.
CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL,
  endpoint_id      text NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id         text NOT NULL,
  event_type       text NOT NULL,
  driver_id        text,
  replay_of        text,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_status      integer,
  last_error       text,
  delivered_at     timestamptz,
  -- Millisecond precision: the list's keyset cursor carries epoch ms.
  created_at       timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (endpoint_id, event_id) WHERE replay_of IS NULL;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_driver ON webhook_deliveries (driver_id) WHERE driver_id IS NOT NULL;

-- Every attempt of a delivery: the delivery log partners and staff read.
CREATE TABLE webhook_attempts (
  delivery_id  text NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt      integer NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  status       integer,
  error        text,
  duration_ms  integer NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);

-- A driver's consent per purpose; no row means not given.
CREATE TABLE consents (
  driver_id   text NOT NULL REFERENCES drivers(id) ON DELETE CASCADE,
  purpose     text NOT NULL CHECK (purpose IN ('telematics_scoring', 'marketing', 'leaderboard', 'research')),
  tenant_id   text NOT NULL REFERENCES tenants(id),
  granted     boolean NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (driver_id, purpose)
);
