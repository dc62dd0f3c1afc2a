// The PostgreSQL pool and a transaction helper; every adapter in store/ and bus/ goes through it.
import pg from 'pg';

// bigint columns (seq, counts) come back as JS numbers: our values stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

export interface Db extends Queryable {
  readonly pool: pg.Pool;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createDb(url: string, opts: { max?: number; applicationName?: string } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 20,
    application_name: opts.applicationName ?? 'openubi',
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped idle connection (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  return {
    pool,
    query: (sql, params) => pool.query(sql, params as unknown[]),
    async tx(fn) {
      const client = await pool.connect();
      // A connection cut between two statements (the server restarting) is reported on the client, not on a
      // query: without a listener it would crash the process. The next statement fails instead, the transaction
      // is abandoned, and the broken connection is discarded rather than returned to the pool.
      let broken: Error | undefined;
      const onError = (e: Error): void => {
        broken = e;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
