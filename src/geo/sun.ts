// Solar elevation by the NOAA Solar Calculator's equations (Meeus, "Astronomical Algorithms"), accurate to
// well under a degree for 1900–2100: darkness is read from the sun's position, never from the clock.
const RAD = Math.PI / 180;

/** Civil twilight ends when the sun's centre is 6° below the horizon: from then on it is dark to drive. */
export const CIVIL_DARK_DEG = -6;

/** Sun elevation above the horizon in degrees (with standard atmospheric refraction) at epoch ms UTC. */
export function solarElevationDeg(tMs: number, lat: number, lon: number): number {
  const jd = tMs / 86_400_000 + 2_440_587.5;
  const T = (jd - 2_451_545) / 36_525;
  const L0 = (((280.46646 + T * (36000.76983 + T * 0.0003032)) % 360) + 360) % 360;
  const M = 357.52911 + T * (35999.05029 - 0.0001537 * T);
  const e = 0.016708634 - T * (0.000042037 + 0.0000001267 * T);
  const Mr = M * RAD;
  const C =
    Math.sin(Mr) * (1.914602 - T * (0.004817 + 0.000014 * T)) +
    Math.sin(2 * Mr) * (0.019993 - 0.000101 * T) +
    Math.sin(3 * Mr) * 0.000289;
  const omega = (125.04 - 1934.136 * T) * RAD;
  const lambda = (L0 + C - 0.00569 - 0.00478 * Math.sin(omega)) * RAD;
  const eps0 = 23 + (26 + (21.448 - T * (46.815 + T * (0.00059 - T * 0.001813))) / 60) / 60;
  const eps = (eps0 + 0.00256 * Math.cos(omega)) * RAD;
  const decl = Math.asin(Math.sin(eps) * Math.sin(lambda));
  const y = Math.tan(eps / 2) ** 2;
  const L0r = L0 * RAD;
  const eqTimeMin =
    (4 / RAD) *
    (y * Math.sin(2 * L0r) -
      2 * e * Math.sin(Mr) +
      4 * e * y * Math.sin(Mr) * Math.cos(2 * L0r) -
      0.5 * y * y * Math.sin(4 * L0r) -
      1.25 * e * e * Math.sin(2 * Mr));
  const minutesUtc = (((tMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000;
  const trueSolarMin = (((minutesUtc + eqTimeMin + 4 * lon) % 1440) + 1440) % 1440;
  const hourAngle = (trueSolarMin / 4 < 0 ? trueSolarMin / 4 + 180 : trueSolarMin / 4 - 180) * RAD;
  const latR = lat * RAD;
  const cosZenith = Math.sin(latR) * Math.sin(decl) + Math.cos(latR) * Math.cos(decl) * Math.cos(hourAngle);
  const elevation = 90 - Math.acos(Math.min(1, Math.max(-1, cosZenith))) / RAD;
  return elevation + refractionDeg(elevation);
}

/** NOAA's approximation of atmospheric refraction, degrees. */
function refractionDeg(elevation: number): number {
  if (elevation > 85) return 0;
  const te = Math.tan(elevation * RAD);
  let arcsec: number;
  if (elevation > 5) arcsec = 58.1 / te - 0.07 / te ** 3 + 0.000086 / te ** 5;
  else if (elevation > -0.575)
    arcsec = 1735 + elevation * (-518.2 + elevation * (103.4 + elevation * (-12.79 + elevation * 0.711)));
  else arcsec = -20.772 / te;
  return arcsec / 3600;
}

/** Whether it is dark (sun below `belowDeg`, civil dusk by default) at that time and place. */
export function isDark(tMs: number, lat: number, lon: number, belowDeg = CIVIL_DARK_DEG): boolean {
  return solarElevationDeg(tMs, lat, lon) < belowDeg;
}
