-- Dashboard: drivers who chose to appear on their insurer's anonymised leaderboard, under a random alias (never
-- their name). Opting out deletes the row; deleting the driver deletes it too.
CREATE TABLE leaderboard_optins (
  driver_id    text PRIMARY KEY REFERENCES drivers(id) ON DELETE CASCADE,
  tenant_id    text NOT NULL REFERENCES tenants(id),
  alias        text NOT NULL,
  opted_in_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, alias)
);
