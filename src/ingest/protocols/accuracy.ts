// Horizontal accuracy (m, ~68%) for devices that report dilution of precision or a satellite count instead.
// accuracy ≈ UERE × HDOP with a user-equivalent range error of 5 m, typical of consumer GNSS receivers.
export const UERE_M = 5;

/** Accuracy from HDOP; HDOP ≤ 0 is not a real value (devices send 0 for "unknown"), so it gives null. */
export function accuracyFromHdopM(hdop: number | undefined): number | null {
  if (hdop === undefined || !Number.isFinite(hdop) || hdop <= 0) return null;
  return round1(hdop * UERE_M);
}

/**
 * Accuracy from the number of satellites in use, when no HDOP is sent. Typical HDOP by satellite count
 * for a single-constellation fix: <4 satellites cannot give a 3D fix (HDOP ~10), 4 → ~4, 5 → ~3,
 * 6–7 → ~2, 8–9 → ~1.3, 10+ → ~1. Zero satellites means no fix at all (null).
 */
export function accuracyFromSatellitesM(satellites: number): number | null {
  if (!(satellites > 0)) return null;
  const hdop =
    satellites < 4
      ? 10
      : satellites === 4
        ? 4
        : satellites === 5
          ? 3
          : satellites < 8
            ? 2
            : satellites < 10
              ? 1.3
              : 1;
  return round1(hdop * UERE_M);
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
