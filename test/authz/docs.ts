// Matrix probe for src/api/v1/routes/docs.ts.
import type { Fixture } from './types.ts';

export const docFixtures: Record<string, Fixture> = {
  'GET /v1/openapi.json': async () => ({ url: '/v1/openapi.json', subject: null }),
};
