// Event density on the base map: one circle per H3 cell, sized and shaded by its event count.
import type { Map as MlMap } from 'maplibre-gl';
import { useCallback, useMemo } from 'react';
import { type Bounds, BaseMap } from './BaseMap.tsx';

export interface DensityCell {
  h3: string;
  lat: number;
  lon: number;
  count: number;
  byKind: Record<string, number>;
}

export function DensityMap({ cells }: { cells: DensityCell[] }) {
  const bounds = useMemo<Bounds | null>(() => {
    if (cells.length === 0) return null;
    const lons = cells.map((c) => c.lon);
    const lats = cells.map((c) => c.lat);
    return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
  }, [cells]);
  const max = Math.max(1, ...cells.map((c) => c.count));
  const onReady = useCallback(
    (map: MlMap) => {
      map.addSource('density', {
        type: 'geojson',
        data: {
          type: 'FeatureCollection',
          features: cells.map((c) => ({
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [c.lon, c.lat] },
            properties: { count: c.count, share: c.count / max },
          })),
        },
      });
      map.addLayer({
        id: 'density',
        type: 'circle',
        source: 'density',
        paint: {
          'circle-radius': ['interpolate', ['linear'], ['get', 'share'], 0, 4, 1, 18],
          'circle-color': [
            'interpolate',
            ['linear'],
            ['get', 'share'],
            0,
            '#fdd49e',
            0.5,
            '#ef6548',
            1,
            '#7f0000',
          ],
          'circle-opacity': 0.75,
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1,
        },
      });
    },
    [cells, max],
  );
  return (
    <BaseMap
      bounds={bounds}
      onReady={onReady}
      label="Map of where driving events happen: larger and darker circles have more events (the table below lists the densest cells)"
    />
  );
}
