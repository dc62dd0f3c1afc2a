// Settings the server gives the browser app (GET /dashboard-config.json), fetched once.
export interface ClientConfig {
  mapTileUrl: string | null;
}

let cached: Promise<ClientConfig> | null = null;

export function clientConfig(): Promise<ClientConfig> {
  cached ??= fetch('/dashboard-config.json')
    .then((r) => (r.ok ? (r.json() as Promise<ClientConfig>) : { mapTileUrl: null }))
    .catch(() => ({ mapTileUrl: null }));
  return cached;
}
