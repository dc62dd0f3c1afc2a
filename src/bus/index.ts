export * from './types.ts';
export { createPostgresBus, pruneBusLog } from './postgres.ts';
export { createJetStreamBus } from './jetstream.ts';
