-- Checkpoints every few batches instead of every batch: raw batches carry a per-device sequence number, and a
-- restarted worker restores the last snapshot and replays the raw batches after it (deterministic pipeline).
ALTER TABLE raw_batches ADD COLUMN dev_seq bigint;
CREATE INDEX raw_batches_device_seq ON raw_batches (device_id, dev_seq);
ALTER TABLE device_state ADD COLUMN checkpoint_seq bigint NOT NULL DEFAULT 0;
