// A MapLibre map with an inline style (no tile server, no glyphs): the stored road network from the API as the
// base layer, raster tiles under it when the server configures MAP_TILE_URL. Pages add their layers in onReady.
import {
  AttributionControl,
  type GeoJSONSource,
  Map as MapLibreMap,
  type Map as MlMap,
  NavigationControl,
  setWorkerUrl,
  type StyleSpecification,
} from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';
import { useEffect, useRef, useState } from 'react';
import { api, qs } from '../api/client.ts';
import { clientConfig } from '../config.ts';

setWorkerUrl(workerUrl);

export type Bounds = [number, number, number, number];
const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };
const MAX_SPAN_DEG = 5;
const MAJOR = ['motorway', 'trunk', 'primary', 'motorway_link', 'trunk_link', 'primary_link'];

function style(tileUrl: string | null): StyleSpecification {
  return {
    version: 8,
    sources: {
      roads: { type: 'geojson', data: EMPTY },
      ...(tileUrl ? { tiles: { type: 'raster', tiles: [tileUrl], tileSize: 256, maxzoom: 19 } } : {}),
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#f2efe9' } },
      ...(tileUrl ? [{ id: 'tiles', type: 'raster' as const, source: 'tiles' }] : []),
      {
        id: 'roads-casing',
        type: 'line',
        source: 'roads',
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': '#b9b3a8',
          'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1, 14, 5, 18, 14],
        },
      },
      {
        id: 'roads',
        type: 'line',
        source: 'roads',
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': ['case', ['in', ['get', 'roadClass'], ['literal', MAJOR]], '#f7d58b', '#ffffff'],
          'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.5, 14, 3.5, 18, 11],
        },
      },
    ],
  };
}

export interface BaseMapProps {
  bounds: Bounds | null;
  label: string;
  onReady: (map: MlMap) => void;
  height?: number;
}

/** Loads the roads inside the visible box (debounced; a newer move cancels the older request). */
function followRoads(map: MlMap, onError: (m: string | null) => void): () => void {
  let ctl: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const load = () => {
    const b = map.getBounds();
    const box: Bounds = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v, i) =>
      Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, v)),
    ) as Bounds;
    if (box[2] - box[0] > MAX_SPAN_DEG || box[3] - box[1] > MAX_SPAN_DEG) {
      onError('Zoom in to see roads.');
      return;
    }
    ctl?.abort();
    ctl = new AbortController();
    api<GeoJSON.FeatureCollection>(`/v1/map/roads${qs({ bbox: box.map((v) => v.toFixed(5)).join(',') })}`, {
      signal: ctl.signal,
    }).then(
      (fc) => {
        (map.getSource('roads') as GeoJSONSource | undefined)?.setData(fc);
        onError(null);
      },
      (e: Error) => {
        if (e.name !== 'AbortError') onError(`Roads could not be loaded: ${e.message}`);
      },
    );
  };
  const onMove = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(load, 150);
  };
  map.on('moveend', onMove);
  load();
  return () => {
    ctl?.abort();
    if (timer) clearTimeout(timer);
    map.off('moveend', onMove);
  };
}

export function BaseMap({ bounds, label, onReady, height = 380 }: BaseMapProps) {
  const box = useRef<HTMLElement>(null);
  const [roadsNote, setRoadsNote] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const ready = useRef(onReady);
  ready.current = onReady;

  // The map is created once per mount; bounds only matter at creation.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let map: MlMap | null = null;
    let stopRoads: (() => void) | null = null;
    let cancelled = false;
    clientConfig().then((cfg) => {
      if (cancelled) return;
      let m: MlMap;
      try {
        m = new MapLibreMap({
          container: el,
          style: style(cfg.mapTileUrl),
          ...(bounds
            ? { bounds, fitBoundsOptions: { padding: 32, maxZoom: 16 } }
            : { center: [0, 20], zoom: 1 }),
          attributionControl: false,
          // Keeps the last frame readable, so tests can check that something was actually drawn.
          canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
        });
      } catch (e) {
        setFailed(`The map cannot be shown in this browser (${(e as Error).message}).`);
        return;
      }
      map = m;
      m.addControl(new NavigationControl({ showCompass: false }), 'top-right');
      if (cfg.mapTileUrl) m.addControl(new AttributionControl({ compact: true }));
      m.on('load', () => {
        stopRoads = followRoads(m, setRoadsNote);
        ready.current(m);
      });
      m.on('idle', () => el.setAttribute('data-map-idle', 'true'));
      m.on('movestart', () => el.setAttribute('data-map-idle', 'false'));
    });
    return () => {
      cancelled = true;
      stopRoads?.();
      map?.remove();
    };
  }, []);

  if (failed)
    return (
      <div className="state error" role="alert">
        {failed}
      </div>
    );
  return (
    <div className="map-wrap">
      <section ref={box} className="map" style={{ height }} aria-label={label} data-testid="map" />
      {roadsNote ? <p className="map-note">{roadsNote}</p> : null}
    </div>
  );
}
