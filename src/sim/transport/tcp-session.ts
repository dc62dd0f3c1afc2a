// A device's TCP session for Teltonika-style servers: send the login, expect a one-byte 0x01, then for every
// data frame expect a 4-byte big-endian count of records the server accepted.
import { connect, type Socket } from 'node:net';

export interface TcpSession {
  /** Sends a frame; resolves with the record count the server acknowledged. */
  send(frame: Uint8Array): Promise<number>;
  close(): void;
}

export async function openTcpSession(
  host: string,
  port: number,
  login: Uint8Array,
  timeoutMs = 15_000,
): Promise<TcpSession> {
  const socket: Socket = connect({ host, port });
  socket.setNoDelay(true);
  let buffered = Buffer.alloc(0);
  let waiter: { bytes: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  let failure: Error | null = null;
  const pump = (): void => {
    if (waiter && buffered.length >= waiter.bytes) {
      const w = waiter;
      waiter = null;
      const out = buffered.subarray(0, w.bytes);
      buffered = buffered.subarray(w.bytes);
      w.resolve(Buffer.from(out));
    }
  };
  socket.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    pump();
  });
  const fail = (e: Error): void => {
    failure = e;
    if (waiter) {
      waiter.reject(e);
      waiter = null;
    }
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('the server closed the connection')));
  const read = (bytes: number): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      const timer = setTimeout(
        () => reject(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiter = {
        bytes,
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      pump();
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.write(login);
  const accept = await read(1);
  if (accept[0] !== 1) {
    socket.destroy();
    throw new Error(`${host}:${port} refused the device login`);
  }
  return {
    async send(frame) {
      socket.write(frame);
      return (await read(4)).readUInt32BE(0);
    },
    close() {
      socket.end();
      socket.destroy();
    },
  };
}
