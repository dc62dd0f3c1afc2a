-- Bus payloads are deflated by the gateway where it pays (see src/ingest/codec.ts) and transient (pruned once
-- acknowledged): TOAST compression would only burn CPU on them.
ALTER TABLE bus_log ALTER COLUMN payload SET STORAGE EXTERNAL;
