-- The worker applies a batch in one statement when it holds the device's current pipeline in memory (see
-- src/worker/index.ts): a data-modifying CTE advances device_state, marks the batch processed and archives it.
-- A duplicate found half-way must undo the rest: this raises, which aborts the whole statement.
CREATE OR REPLACE FUNCTION openubi_abort(msg text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = msg, ERRCODE = 'P0001';
END
$$;

-- Raw batches arrive deflated (src/ingest/codec.ts): TOAST compression would only spend CPU trying again.
ALTER TABLE raw_batches ALTER COLUMN payload SET STORAGE EXTERNAL;

-- Every write to a device's pipeline state (a batch applied, the idle sweep closing a trip) bumps rev: a worker's
-- in-memory pipeline is used only while the rev it saw is still the stored one, whichever process wrote since.
ALTER TABLE device_state ADD COLUMN rev bigint NOT NULL DEFAULT 0;

-- Every lookup of raw batches is by device and sequence (replay, export, erasure: raw_batches_device_seq serves
-- them all); retention drops whole daily partitions. The older (device_id, received_at) index only cost writes.
DROP INDEX IF EXISTS raw_batches_device;
