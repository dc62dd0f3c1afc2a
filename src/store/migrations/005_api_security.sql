-- People and partner credentials for the /v1 API, and the audit trail of staff access to personal data.
-- Secrets are never stored in clear: passwords as scrypt (per-user salt, parameters in the string),
-- refresh tokens and API key secrets as SHA-256 of high-entropy random values.

CREATE TABLE users (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id),
  email            text NOT NULL,
  role             text NOT NULL CHECK (role IN ('driver', 'analyst', 'admin')),
  driver_id        text REFERENCES drivers(id) ON DELETE CASCADE,
  password_hash    text NOT NULL,
  failed_attempts  integer NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  -- A driver account is always linked to its driver; staff accounts never are.
  CHECK ((role = 'driver') = (driver_id IS NOT NULL))
);
-- Emails compare case-insensitively: stored lower-cased by the application, unique per tenant.
CREATE UNIQUE INDEX users_tenant_email ON users (tenant_id, email);
CREATE INDEX users_driver ON users (driver_id) WHERE driver_id IS NOT NULL;

-- Rotating refresh tokens: each use marks the row used and issues a successor in the same family; presenting
-- a used token again (a stolen copy) revokes the whole family.
CREATE TABLE refresh_tokens (
  id          text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  tenant_id   text NOT NULL REFERENCES tenants(id),
  family_id   text NOT NULL,
  token_hash  bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE api_keys (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants(id),
  name          text NOT NULL,
  prefix        text NOT NULL UNIQUE,
  secret_hash   bytea NOT NULL,
  scopes        text[] NOT NULL,
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

-- Append-only: who (a user or an API key) did what to which subject, when.
CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  tenant_id     text NOT NULL,
  actor_kind    text NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'anonymous', 'system')),
  actor_id      text,
  action        text NOT NULL,
  subject_type  text,
  subject_id    text,
  request_id    text,
  details       jsonb NOT NULL DEFAULT '{}',
  at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, at DESC);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);
