// Teltonika BLE sensor/tag lists (codec 8E variable-length ids 548, 10828, 10829, 10831), as Traccar reads them.
import type { Attributes } from '../types.ts';
import type { IoElement } from './avl.ts';

/** A header byte, then per tag: a length byte and (parameter id, length, value) triples. Malformed → raw hex. */
export function decodeBleTags(e: IoElement, out: Attributes): void {
  if (e.size !== 'var') return;
  const b = e.bytes;
  const found: Attributes = {};
  let pos = 1;
  for (let tag = 1; pos < b.length; tag++) {
    const end = pos + 1 + b[pos]!;
    if (end > b.length) return void (out[`io${e.id}`] = Buffer.from(b).toString('hex'));
    pos += 1;
    while (pos < end) {
      if (pos + 2 > end) return void (out[`io${e.id}`] = Buffer.from(b).toString('hex'));
      const id = b[pos]!;
      const len = b[pos + 1]!;
      const at = pos + 2;
      pos = at + len;
      if (pos > end) return void (out[`io${e.id}`] = Buffer.from(b).toString('hex'));
      const v = b.subarray(at, pos);
      if (id === 0 && len >= 1) found[`tag${tag}Rssi`] = (v[0]! << 24) >> 24;
      else if (id === 1) found[`tag${tag}Id`] = Buffer.from(v).toString('hex');
      else if (id === 2 && len >= 1) {
        if (v[0]! & 0x40) found[`tag${tag}LowBattery`] = true;
        if (v[0]! & 0x80 && len >= 2) found[`tag${tag}Voltage`] = v[1]! * 10 + 2000;
      } else if (id === 13 && len >= 1) found[`tag${tag}LowBattery`] = v[0]!;
      else if (id === 14 && len >= 2) found[`tag${tag}Battery`] = (v[0]! << 8) | v[1]!;
    }
  }
  Object.assign(out, found);
}
