-- Risk models per tenant (versioned artifacts, one champion per name) and each driver's current expected claim
-- frequency with its daily history, as the driver-risk service computes them from counted trips.

CREATE TABLE risk_models (
  tenant_id    text NOT NULL REFERENCES tenants(id),
  name         text NOT NULL,
  version      integer NOT NULL CHECK (version > 0),
  kind         text NOT NULL CHECK (kind IN ('glm', 'gbm')),
  artifact     jsonb NOT NULL,
  metrics      jsonb NOT NULL DEFAULT '{}',
  data_sha256  text NOT NULL,
  champion     boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  promoted_at  timestamptz,
  promoted_by  text,
  PRIMARY KEY (tenant_id, name, version)
);
-- Production scores with the champion: at most one per (tenant, name).
CREATE UNIQUE INDEX risk_models_one_champion ON risk_models (tenant_id, name) WHERE champion;

CREATE TABLE driver_risk (
  driver_id            text PRIMARY KEY REFERENCES drivers(id) ON DELETE CASCADE,
  tenant_id            text NOT NULL REFERENCES tenants(id),
  model_name           text NOT NULL,
  -- The champion version used; null when the tenant had no champion (behaviour = classic frequency).
  model_version        integer,
  classic_frequency    double precision NOT NULL,
  behaviour_frequency  double precision NOT NULL,
  exposure_km          double precision NOT NULL,
  behaviour            jsonb NOT NULL,
  -- Classic factors used, and which came from fallbacks rather than the policy.
  classic_factors      jsonb NOT NULL,
  trips_counted        integer NOT NULL,
  distance_km_30d      double precision NOT NULL,
  updated_at           timestamptz NOT NULL
);
CREATE INDEX driver_risk_tenant ON driver_risk (tenant_id);

CREATE TABLE driver_risk_daily (
  driver_id            text NOT NULL REFERENCES drivers(id) ON DELETE CASCADE,
  tenant_id            text NOT NULL REFERENCES tenants(id),
  day                  date NOT NULL,
  model_version        integer,
  classic_frequency    double precision NOT NULL,
  behaviour_frequency  double precision NOT NULL,
  exposure_km          double precision NOT NULL,
  updated_at           timestamptz NOT NULL,
  PRIMARY KEY (driver_id, day)
);
CREATE INDEX driver_risk_daily_tenant ON driver_risk_daily (tenant_id, day);
