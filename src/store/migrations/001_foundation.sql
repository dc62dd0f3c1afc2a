-- Foundation schema: who is insured, which devices send data, raw batches, trips, events, pipeline state, the bus.

CREATE TABLE tenants (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE drivers (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants(id),
  external_ref  text,
  display_name  text NOT NULL,
  birth_year    integer,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, external_ref)
);
CREATE INDEX drivers_tenant ON drivers (tenant_id);

CREATE TABLE vehicles (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  driver_id   text REFERENCES drivers(id) ON DELETE SET NULL,
  make        text,
  model       text,
  year        integer,
  power_kw    integer,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vehicles_tenant ON vehicles (tenant_id);

-- Credentials are stored as a public prefix and a SHA-256 of the high-entropy secret, never in clear.
CREATE TABLE devices (
  id                 text PRIMARY KEY,
  tenant_id          text NOT NULL REFERENCES tenants(id),
  driver_id          text REFERENCES drivers(id) ON DELETE SET NULL,
  vehicle_id         text REFERENCES vehicles(id) ON DELETE SET NULL,
  kind               text NOT NULL CHECK (kind IN ('phone', 'teltonika', 'osmand')),
  external_id        text,
  credential_prefix  text NOT NULL UNIQUE,
  credential_hash    bytea NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  revoked_at         timestamptz,
  last_seen_at       timestamptz
);
CREATE UNIQUE INDEX devices_external ON devices (kind, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX devices_tenant ON devices (tenant_id);

CREATE TABLE policies (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants(id),
  driver_id     text NOT NULL REFERENCES drivers(id) ON DELETE CASCADE,
  vehicle_id    text REFERENCES vehicles(id) ON DELETE SET NULL,
  jurisdiction  text NOT NULL,
  product       text NOT NULL DEFAULT 'phyd' CHECK (product IN ('payd', 'phyd', 'classic')),
  starts_on     date NOT NULL,
  ends_on       date NOT NULL,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('quote', 'active', 'lapsed', 'cancelled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_on > starts_on)
);
CREATE INDEX policies_driver ON policies (driver_id);

-- Raw sensor batches: compressed, partitioned by day of receipt, dropped after the retention period.
CREATE TABLE raw_batches (
  received_at   timestamptz NOT NULL,
  device_id     text NOT NULL,
  batch_id      text NOT NULL,
  source        text NOT NULL,
  sample_count  integer NOT NULL,
  first_t       bigint,
  last_t        bigint,
  payload       bytea NOT NULL
) PARTITION BY RANGE (received_at);
CREATE INDEX raw_batches_device ON raw_batches (device_id, received_at);

-- The worker's idempotency record: one row per batch whose effects are applied.
CREATE TABLE processed_batches (
  device_id     text NOT NULL,
  batch_id      text NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, batch_id)
);
CREATE INDEX processed_batches_age ON processed_batches (processed_at);

-- The pipeline's per-device checkpoint.
CREATE TABLE device_state (
  device_id   text PRIMARY KEY,
  state       jsonb NOT NULL,
  batches     bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE trips (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  device_id        text NOT NULL,
  driver_id        text REFERENCES drivers(id) ON DELETE CASCADE,
  start_at         timestamptz NOT NULL,
  end_at           timestamptz NOT NULL,
  distance_m       double precision NOT NULL,
  duration_s       double precision NOT NULL,
  mode             text NOT NULL DEFAULT 'car',
  mode_confidence  double precision NOT NULL DEFAULT 1,
  status           text NOT NULL DEFAULT 'scored',
  features         jsonb NOT NULL,
  trace            jsonb NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trips_driver_time ON trips (driver_id, start_at DESC);
CREATE INDEX trips_tenant_time ON trips (tenant_id, start_at DESC);

CREATE TABLE events (
  id                text PRIMARY KEY,
  trip_id           text NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
  tenant_id         text NOT NULL REFERENCES tenants(id),
  device_id         text NOT NULL,
  driver_id         text REFERENCES drivers(id) ON DELETE CASCADE,
  kind              text NOT NULL,
  severity          text NOT NULL,
  start_at          timestamptz NOT NULL,
  end_at            timestamptz NOT NULL,
  peak              double precision,
  lat               double precision,
  lon               double precision,
  speed_before_mps  double precision,
  speed_after_mps   double precision,
  details           jsonb NOT NULL DEFAULT '{}',
  evidence          jsonb
);
CREATE INDEX events_trip ON events (trip_id);
CREATE INDEX events_driver_time ON events (driver_id, start_at DESC);

-- PostgreSQL queue bus: an append-only log per partition, consumer-group offsets with leases.
CREATE TABLE bus_heads (
  topic      text NOT NULL,
  partition  integer NOT NULL,
  head       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (topic, partition)
);

CREATE TABLE bus_log (
  topic       text NOT NULL,
  partition   integer NOT NULL,
  seq         bigint NOT NULL,
  msg_id      text NOT NULL,
  key         text NOT NULL,
  payload     bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition, seq),
  UNIQUE (topic, partition, msg_id)
);

CREATE TABLE bus_offsets (
  topic        text NOT NULL,
  grp          text NOT NULL,
  partition    integer NOT NULL,
  acked_seq    bigint NOT NULL DEFAULT 0,
  owner        text,
  lease_until  timestamptz,
  PRIMARY KEY (topic, grp, partition)
);

CREATE TABLE dead_letters (
  id          bigserial PRIMARY KEY,
  topic       text NOT NULL,
  grp         text NOT NULL,
  partition   integer NOT NULL,
  msg_id      text NOT NULL,
  key         text NOT NULL,
  payload     bytea NOT NULL,
  error       text NOT NULL,
  failed_at   timestamptz NOT NULL DEFAULT now(),
  replayed_at timestamptz
);
