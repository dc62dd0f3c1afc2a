-- Lets the worker find devices whose trip is still open after they went silent.
ALTER TABLE device_state ADD COLUMN open_trip boolean NOT NULL DEFAULT false;
CREATE INDEX device_state_open ON device_state (updated_at) WHERE open_trip;
