// What one OsmAnd request carries: one position (or none) of one device, with its attributes.
import type { Attributes } from '../types.ts';

export interface OsmAndFix {
  latDeg: number;
  lonDeg: number;
  speedMps: number | null;
  headingDeg: number | null;
  altitudeM: number | null;
  accuracyM: number | null;
}

export interface OsmAndRecord {
  /** The id the app is configured with (Traccar Client "device identifier"). */
  externalId: string;
  /** Epoch ms of the fix; null when the request has none (the server uses the receive time, as Traccar does). */
  timestampMs: number | null;
  /** Null when the request has no coordinates (cell / Wi-Fi only) or says valid=false. */
  fix: OsmAndFix | null;
  attributes: Attributes;
}

export const MAX_ID_LENGTH = 100;
export const MAX_ATTRIBUTES = 64;
/** Keys that would reach Object.prototype if used as plain-object properties. */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
