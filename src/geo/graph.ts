// Graph search primitives on RoadNetwork's CSR arcs: a binary heap on typed arrays and a strongly connected
// component pass. No per-search allocation beyond the heap's growth.
import type { RoadNetwork } from './network.ts';

/** Min-heap of (key, value) pairs; duplicates allowed (lazy deletion by the caller). */
export class MinHeap {
  private keys = new Float64Array(64);
  private vals = new Int32Array(64);
  size = 0;

  clear(): void {
    this.size = 0;
  }

  push(key: number, val: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      this.keys = k;
      const v = new Int32Array(this.size * 2);
      v.set(this.vals);
      this.vals = v;
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.keys[p]! <= key) break;
      this.keys[i] = this.keys[p]!;
      this.vals[i] = this.vals[p]!;
      i = p;
    }
    this.keys[i] = key;
    this.vals[i] = val;
  }

  peekKey(): number {
    return this.keys[0]!;
  }

  /** Removes the smallest entry and returns its value (call only when size > 0). */
  pop(): number {
    const top = this.vals[0]!;
    const n = --this.size;
    if (n > 0) {
      const key = this.keys[n]!;
      const val = this.vals[n]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && this.keys[c + 1]! < this.keys[c]!) c++;
        if (this.keys[c]! >= key) break;
        this.keys[i] = this.keys[c]!;
        this.vals[i] = this.vals[c]!;
        i = c;
      }
      this.keys[i] = key;
      this.vals[i] = val;
    }
    return top;
  }
}

/**
 * Node ids of the largest strongly connected component (where every node can reach every other respecting
 * oneway): the safe set to pick random trip ends from. Kosaraju, iterative.
 */
export function largestStronglyConnectedComponent(net: RoadNetwork): number[] {
  const n = net.nodes.length;
  const { outStart, outTo } = net;
  // Reverse arcs.
  const inStart = new Int32Array(n + 1);
  for (let k = 0; k < outTo.length; k++) inStart[outTo[k]! + 1]!++;
  for (let i = 1; i <= n; i++) inStart[i]! += inStart[i - 1]!;
  const inFrom = new Int32Array(outTo.length);
  const fill = inStart.slice(0, n);
  for (let u = 0; u < n; u++)
    for (let k = outStart[u]!; k < outStart[u + 1]!; k++) inFrom[fill[outTo[k]!]!++] = u;

  const order: number[] = [];
  const seen = new Uint8Array(n);
  const stack: number[] = [];
  const next = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    if (seen[s]) continue;
    seen[s] = 1;
    stack.push(s);
    next[s] = outStart[s]!;
    while (stack.length) {
      const u = stack[stack.length - 1]!;
      if (next[u]! < outStart[u + 1]!) {
        const v = outTo[next[u]!++]!;
        if (!seen[v]) {
          seen[v] = 1;
          next[v] = outStart[v]!;
          stack.push(v);
        }
      } else {
        order.push(stack.pop()!);
      }
    }
  }
  const comp = new Int32Array(n).fill(-1);
  let best: number[] = [];
  for (let i = order.length - 1; i >= 0; i--) {
    const s = order[i]!;
    if (comp[s] !== -1) continue;
    const members: number[] = [];
    comp[s] = s;
    stack.push(s);
    while (stack.length) {
      const u = stack.pop()!;
      members.push(u);
      for (let k = inStart[u]!; k < inStart[u + 1]!; k++) {
        const v = inFrom[k]!;
        if (comp[v] === -1) {
          comp[v] = s;
          stack.push(v);
        }
      }
    }
    if (members.length > best.length) best = members;
  }
  return best.sort((a, b) => a - b);
}
