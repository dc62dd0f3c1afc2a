// A trip on the base map: the 1 Hz route, speeding spans in red and clickable event markers.
import type { GeoJSONSource, Map as MlMap, MapLayerMouseEvent } from 'maplibre-gl';
import { useCallback, useEffect, useRef } from 'react';
import type { TripMapData } from '../api/types.ts';
import { BaseMap } from './BaseMap.tsx';

export const ROUTE_COLOR = '#1565c0';
export const SPEEDING_COLOR = '#d50000';
export const SEVERITY_COLOR = { severe: '#8e0000', moderate: '#e65100', low: '#f9a825' } as const;
export const VOIDED_COLOR = '#757575';

export function TripMap({
  data,
  selected,
  onSelect,
}: {
  data: TripMapData;
  selected: string | null;
  onSelect: (eventId: string) => void;
}) {
  const mapRef = useRef<MlMap | null>(null);
  const select = useRef(onSelect);
  select.current = onSelect;

  const onReady = useCallback(
    (map: MlMap) => {
      mapRef.current = map;
      map.addSource('route', { type: 'geojson', data: data.route });
      map.addSource('speeding', { type: 'geojson', data: data.speeding });
      map.addSource('events', { type: 'geojson', data: data.events, promoteId: 'eventId' });
      map.addLayer({
        id: 'route',
        type: 'line',
        source: 'route',
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': ROUTE_COLOR, 'line-width': 5 },
      });
      map.addLayer({
        id: 'speeding',
        type: 'line',
        source: 'speeding',
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': ['case', ['get', 'voided'], VOIDED_COLOR, SPEEDING_COLOR],
          'line-width': 7,
        },
      });
      map.addLayer({
        id: 'events',
        type: 'circle',
        source: 'events',
        paint: {
          'circle-radius': ['case', ['boolean', ['feature-state', 'selected'], false], 11, 8],
          'circle-color': [
            'case',
            ['get', 'voided'],
            VOIDED_COLOR,
            [
              'match',
              ['get', 'severity'],
              'severe',
              SEVERITY_COLOR.severe,
              'moderate',
              SEVERITY_COLOR.moderate,
              SEVERITY_COLOR.low,
            ],
          ],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 2,
        },
      });
      map.on('click', 'events', (e: MapLayerMouseEvent) => {
        const id = e.features?.[0]?.properties?.eventId as string | undefined;
        if (id) select.current(id);
      });
      map.on('mouseenter', 'events', () => {
        map.getCanvas().style.cursor = 'pointer';
      });
      map.on('mouseleave', 'events', () => {
        map.getCanvas().style.cursor = '';
      });
    },
    [data],
  );

  // Fresh data (e.g. after a dispute voided an event) replaces the layers' sources.
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    (map.getSource('route') as GeoJSONSource | undefined)?.setData(data.route);
    (map.getSource('speeding') as GeoJSONSource | undefined)?.setData(data.speeding);
    (map.getSource('events') as GeoJSONSource | undefined)?.setData(data.events);
  }, [data]);

  useEffect(() => {
    const map = mapRef.current;
    if (!map?.getSource('events')) return;
    map.removeFeatureState({ source: 'events' });
    if (selected) {
      map.setFeatureState({ source: 'events', id: selected }, { selected: true });
      const f = data.events.features.find((x) => x.properties.eventId === selected);
      if (f) map.easeTo({ center: f.geometry.coordinates as [number, number], duration: 300 });
    }
  }, [selected, data]);

  return (
    <BaseMap
      bounds={data.bounds}
      label="Map of the trip: the route in blue, speeding in red, events as dots (the list below has the same events)"
      onReady={onReady}
    />
  );
}
