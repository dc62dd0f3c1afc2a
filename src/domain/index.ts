export * from './wire.ts';
export * from './samples.ts';
export * from './units.ts';
export * from './result.ts';
export { xoshiro128ss } from './random.ts';
