// A durable sink for benchmarks while the real store is not wired: append-only NDJSON with group commit
// (every write waiting while a flush runs joins the next write + fdatasync), idempotent by batchId.
import { type FileHandle, open } from 'node:fs/promises';
import type { SensorBatch } from '../../src/domain/index.ts';
import type { DurableSink } from '../../src/ingest/protocols/index.ts';

interface Pending {
  line: string;
  batchId: string;
  accepted: number;
  resolve: (r: { accepted: number; duplicate: boolean }) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitFileSink implements DurableSink {
  private readonly seen = new Set<string>();
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  flushes = 0;
  bytesWritten = 0;
  /** Duration of each write + fdatasync, to tell storage stalls from server stalls. */
  readonly flushMs: number[] = [];

  private constructor(private readonly file: FileHandle) {}

  static async open(path: string): Promise<GroupCommitFileSink> {
    return new GroupCommitFileSink(await open(path, 'a'));
  }

  write(batch: SensorBatch): Promise<{ accepted: number; duplicate: boolean }> {
    if (this.seen.has(batch.batchId)) return Promise.resolve({ accepted: 0, duplicate: true });
    const accepted = (batch.gps?.t.length ?? 0) + (batch.deviceEvents?.length ?? 0);
    return new Promise((resolve, reject) => {
      this.pending.push({
        line: `${JSON.stringify(batch)}\n`,
        batchId: batch.batchId,
        accepted,
        resolve,
        reject,
      });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      try {
        const text = group.map((p) => p.line).join('');
        const started = performance.now();
        await this.file.write(text);
        await this.file.datasync();
        this.flushMs.push(performance.now() - started);
        this.flushes++;
        this.bytesWritten += Buffer.byteLength(text);
        for (const p of group) {
          this.seen.add(p.batchId);
          p.resolve({ accepted: p.accepted, duplicate: false });
        }
      } catch (e) {
        for (const p of group) p.reject(e);
      }
    }
    this.flushing = null;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.file.close();
  }
}
