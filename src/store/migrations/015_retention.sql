-- Retention: a trip's precise 1 Hz trace is coarsened after TRACE_RETENTION_DAYS (every 30th point, ~100 m);
-- the trip, its features and events (the aggregates) are kept. The partial index finds the traces still precise.
ALTER TABLE trips ADD COLUMN trace_coarsened_at timestamptz;
CREATE INDEX trips_trace_precise ON trips (end_at) WHERE trace_coarsened_at IS NULL;
-- The analytics export reads trips and events by day across tenants.
CREATE INDEX trips_start_at ON trips (start_at);
CREATE INDEX events_start_at ON events (start_at);
