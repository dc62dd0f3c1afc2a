// Shapes of the API answers the dashboard reads (docs/api.md; src/api/v1/routes/*.ts are the source of truth).
export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Driver {
  id: string;
  externalRef: string | null;
  displayName: string;
  birthYear: number | null;
  createdAtMs: number;
}

export interface Trip {
  id: string;
  driverId: string | null;
  deviceId: string;
  startMs: number;
  endMs: number;
  distanceM: number;
  durationMs: number;
  mode: string;
  status: string;
}

export interface TripEvent {
  id: string;
  kind: string;
  severity: string;
  startMs: number;
  endMs: number;
  peak: number | null;
  lat: number | null;
  lon: number | null;
  speedBeforeMps: number | null;
  speedAfterMps: number | null;
  details: Record<string, unknown> | null;
}

export interface TripDetail extends Trip {
  features: Record<string, unknown> & {
    eventCounts?: Record<string, number>;
    maxSpeedMps?: number | null;
    meanMovingSpeedMps?: number | null;
    speedingShare?: number | null;
    phoneUseMs?: number;
    nightShare?: number;
  };
  events: TripEvent[];
}

export interface EventProps {
  eventId: string;
  kind: string;
  severity: string;
  startMs: number;
  endMs: number;
  peak: number | null;
  peakUnit: string | null;
  voided: boolean;
  voidReason: string | null;
  hasEvidence: boolean;
}

export interface TripMapData {
  tripId: string;
  counted: boolean;
  exclusionReason: string | null;
  bounds: [number, number, number, number] | null;
  route: GeoJSON.Feature<GeoJSON.LineString, { tMs: number[]; speedMps: number[] }>;
  speeding: GeoJSON.FeatureCollection<GeoJSON.LineString>;
  events: GeoJSON.FeatureCollection<GeoJSON.Point, EventProps>;
}

export interface Evidence {
  id: string;
  tripId: string;
  kind: string;
  severity: string;
  startMs: number;
  endMs: number;
  peak: number | null;
  voided: boolean;
  voidReason: string | null;
  evidence: {
    t0Ms: number;
    imu: {
      tOffsetMs: number[];
      lonMps2: number[];
      latMps2: number[];
      vertMps2: number[];
      yawRateRps: number[];
    } | null;
    speed: { tOffsetMs: number[]; speedMps: number[]; limitKmh: (number | null)[] } | null;
  } | null;
}

export interface Badge {
  id: string;
  title: string;
  description: string;
  earned: boolean;
  earnedAtMs: number | null;
  progress: { current: number; target: number; unit: string };
}

export interface AchievementsData {
  driverId: string;
  asOfMs: number;
  windowDays: number;
  totals: { trips: number; distanceKm: number };
  badges: Badge[];
  streaks: Array<{ id: string; label: string; unit: string; current: number; best: number }>;
  behaviours: Array<{ behaviour: string; label: string; unit: string; driver: number; tenant: number }>;
  windowDistanceKm: number;
  weakest: { behaviour: string; label: string; driver: number; tenant: number } | null;
  weakestNote: string | null;
  tips: Array<{ behaviour: string; label: string; text: string }>;
  leaderboard: { optedIn: boolean; alias: string | null; rank: number | null; of: number };
}

export interface LeaderboardData {
  metric: string;
  windowDays: number;
  minDistanceKm: number;
  participants: number;
  entries: Array<{ rank: number; alias: string; eventsPer100Km: number; distanceKm: number; you: boolean }>;
  you: { optedIn: boolean; rank: number | null } | null;
}
