// A 3-node NATS JetStream cluster on loopback for tests and benchmarks: config files in a temp dir, cluster
// routes between the nodes, each node killable (-9) and restartable on its own ports and store.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort, inCI, waitForPort } from './env.ts';

export interface NatsNode {
  name: string;
  clientPort: number;
  clusterPort: number;
  url: string;
  proc: ChildProcess | null;
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** Every node's URL, comma-separated (what NATS_URL takes). */
  url: string;
  kill(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  /** The server name of a stream's current leader (null while there is none). */
  streamLeader(stream: string): Promise<string | null>;
  stop(): Promise<void>;
}

function config(dir: string, n: NatsNode, all: NatsNode[]): string {
  const routes = all
    .filter((o) => o !== n)
    .map((o) => `nats-route://127.0.0.1:${o.clusterPort}`)
    .join(', ');
  return `server_name: ${n.name}
listen: 127.0.0.1:${n.clientPort}
jetstream { store_dir: "${join(dir, n.name)}" }
cluster {
  name: openubi-test
  listen: 127.0.0.1:${n.clusterPort}
  routes: [ ${routes} ]
}
`;
}

export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'openubi-nats-cluster-'));
  const nodes: NatsNode[] = [];
  for (let i = 1; i <= size; i++) {
    const clientPort = await freePort();
    const clusterPort = await freePort();
    nodes.push({ name: `n${i}`, clientPort, clusterPort, url: `nats://127.0.0.1:${clientPort}`, proc: null });
  }
  for (const n of nodes) {
    mkdirSync(join(dir, n.name), { recursive: true });
    writeFileSync(join(dir, `${n.name}.conf`), config(dir, n, nodes));
  }
  const launch = async (n: NatsNode): Promise<void> => {
    n.proc = spawn('nats-server', ['-js', '-c', join(dir, `${n.name}.conf`)], { stdio: 'ignore' });
    await waitForPort(n.clientPort);
  };
  await Promise.all(nodes.map(launch));
  const url = nodes.map((n) => n.url).join(',');
  const byName = (name: string): NatsNode => {
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  };

  // JetStream answers once the nodes have elected a meta leader.
  const nc = await connect({ servers: nodes.map((n) => n.url), maxReconnectAttempts: -1 });
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      await jsm.getAccountInfo();
      break;
    } catch (e) {
      if (Date.now() > until) throw new Error(`JetStream cluster not ready: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  return {
    nodes,
    url,
    async kill(name) {
      const n = byName(name);
      if (!n.proc) return;
      const exited = new Promise((r) => n.proc!.once('exit', r));
      n.proc.kill('SIGKILL');
      await exited;
      n.proc = null;
    },
    async restart(name) {
      await launch(byName(name));
    },
    async streamLeader(stream) {
      try {
        const si = await jsm.streams.info(stream);
        return si.cluster?.leader ?? null;
      } catch {
        return null;
      }
    },
    async stop() {
      await nc.close().catch(() => {});
      await Promise.all(
        nodes.map(async (n) => {
          if (!n.proc) return;
          const exited = new Promise((r) => n.proc!.once('exit', r));
          n.proc.kill('SIGTERM');
          await exited;
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether nats-server is installed; in CI its absence is a failure, elsewhere a skip with this message. */
export function natsClusterMissing(): string | null {
  const { status } = spawnSync('sh', ['-c', 'command -v nats-server']);
  if (status === 0) return null;
  const missing = 'NATS cluster: install nats-server (apt-get install nats-server) to run the cluster suite';
  if (inCI) throw new Error(`CI requires every suite to run; missing: ${missing}`);
  return missing;
}
