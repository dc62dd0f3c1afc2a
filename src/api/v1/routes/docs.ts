// The OpenAPI document of this route table (owner: api); the Swagger UI at /docs reads it.
import { openApiDocument } from '../../openapi.ts';
import { routeTable } from '../route-table.ts';
import { publicRoute, type RouteSpec } from '../types.ts';

let doc: Record<string, unknown> | null = null;

export const docRoutes: RouteSpec[] = [
  publicRoute({
    method: 'GET',
    url: '/v1/openapi.json',
    summary: 'this API as an OpenAPI 3.1 document',
    access: 'public',
    status: 200,
    // Built on first request: the route table imports this module, so it is complete only afterwards.
    handler: async () => {
      doc ??= openApiDocument(routeTable);
      return doc;
    },
  }),
];
