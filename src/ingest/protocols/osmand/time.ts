// OsmAnd timestamps: epoch seconds, epoch milliseconds, ISO 8601, or "yyyy-MM-dd HH:mm:ss" (taken as UTC).

/** Epoch ms, or null when the text is none of the accepted forms. */
export function parseOsmAndTime(text: string): number | null {
  const s = text.trim();
  if (/^-?\d+$/.test(s)) {
    const n = Number(s);
    // As Traccar: values below 2^31 are seconds, larger ones milliseconds.
    return n < 2 ** 31 ? n * 1000 : n;
  }
  if (/^-?\d+\.\d+$/.test(s)) {
    const n = Number(s);
    return Math.round(n < 2 ** 31 ? n * 1000 : n);
  }
  const plain = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(s);
  if (plain) {
    const [, y, mo, d, h, mi, sec, frac] = plain;
    const ms = frac ? Math.round(Number(frac) * 1000) : 0;
    const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
    return Number.isFinite(t) ? t : null;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const t = Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isFinite(t) ? t : null;
  }
  return null;
}
