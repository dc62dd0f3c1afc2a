// The road-network contract shared by geo (import, matching, routing), the pipeline (speed limits)
// and the simulator (routes to drive). Geo owns the implementation; others depend on these types only.

export type RoadClass =
  | 'motorway'
  | 'trunk'
  | 'primary'
  | 'secondary'
  | 'tertiary'
  | 'unclassified'
  | 'residential'
  | 'living_street'
  | 'service'
  | 'motorway_link'
  | 'trunk_link'
  | 'primary_link'
  | 'secondary_link'
  | 'tertiary_link';

/** Where a speed limit came from: tagged on the way, or the country's legal default for the road class. */
export type SpeedLimitSource = 'tagged' | 'default';

/** A directed-or-not road segment between two graph nodes, with its geometry. */
export interface RoadEdge {
  id: number;
  /** OSM way id this edge was cut from. */
  wayId: number;
  fromNode: number;
  toNode: number;
  roadClass: RoadClass;
  name: string | null;
  oneway: boolean;
  speedLimitKmh: number;
  speedLimitSource: SpeedLimitSource;
  lengthM: number;
  /** Polyline from fromNode to toNode, as [lat, lon] pairs flattened: lat0, lon0, lat1, lon1, ... */
  geometry: Float64Array;
}

export interface RoadNode {
  id: number;
  lat: number;
  lon: number;
}

/** One point of a route the simulator drives, dense enough to follow curves. */
export interface RoutePoint {
  lat: number;
  lon: number;
  /** Distance from the start of the route, metres. */
  distanceM: number;
  edgeId: number;
  speedLimitKmh: number;
  roadClass: RoadClass;
  /** True where the route passes a junction (a node with three or more edges) — a place to slow or stop. */
  junction: boolean;
}

export interface RoutePath {
  points: RoutePoint[];
  lengthM: number;
  /** Free-flow travel time at the speed limits, seconds. */
  travelTimeS: number;
  edgeIds: number[];
}

/** What the pipeline needs from a matcher: per fix, the road it is on and the posted limit. */
export interface MatchedFix {
  /** Index of the fix in the input. */
  index: number;
  edgeId: number | null;
  speedLimitKmh: number | null;
  speedLimitSource: SpeedLimitSource | null;
  roadClass: RoadClass | null;
  /** Metres along the edge from its fromNode. */
  offsetM: number | null;
  /** Distance from the raw fix to the matched point, metres. */
  distanceM: number | null;
}
