-- Road networks imported from OSM: the compact network the platform loads at start, and one row per edge
-- with its bounding box under a GiST index (PostgreSQL's built-in box type: a spatial index without PostGIS).
CREATE TABLE road_networks (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL,
  source       text NOT NULL,
  country      text,
  summary      jsonb NOT NULL,
  network      jsonb NOT NULL,
  active       boolean NOT NULL DEFAULT false,
  imported_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX road_networks_one_active ON road_networks (active) WHERE active;

CREATE TABLE road_edges (
  network_id          bigint NOT NULL REFERENCES road_networks(id) ON DELETE CASCADE,
  edge_id             integer NOT NULL,
  way_id              bigint NOT NULL,
  road_class          text NOT NULL,
  name                text,
  oneway              boolean NOT NULL,
  speed_limit_kmh     real NOT NULL,
  speed_limit_source  text NOT NULL,
  length_m            real NOT NULL,
  bbox                box NOT NULL,
  PRIMARY KEY (network_id, edge_id)
);
CREATE INDEX road_edges_bbox ON road_edges USING gist (bbox);
