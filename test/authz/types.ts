// What a matrix probe is: the request to send for a route, and whose data it touches.
import { randomBytes } from 'node:crypto';
import type { V1TestApp } from '../../src/api/v1/testing.ts';
import type { Seed } from '../api-seed.ts';

/** The data a request touches: a tenant, and a driver when it is a driver's personal data. */
export interface Subject {
  tenant: 'a' | 'b';
  driver: string | null;
}

export interface Probe {
  url: string;
  body?: unknown;
  subject: Subject | null;
  /** For list routes: whether the subject's row is in the answer. */
  contains?: (body: Record<string, unknown>) => boolean;
}

export type Fixture = (fx: Seed, t: V1TestApp) => Promise<Probe>;

export const ids = (b: Record<string, unknown>): string[] =>
  (b.items as Array<{ id: string }>).map((i) => i.id);
export const uniq = () => randomBytes(4).toString('hex');
