-- Bus payloads are transient (pruned once acknowledged) and arrive uncompressed to keep the gateway's ack path
-- cheap: skip TOAST compression for them.
ALTER TABLE bus_log ALTER COLUMN payload SET STORAGE EXTERNAL;
