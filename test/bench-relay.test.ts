// The benchmark's WAN relay (bench/relay.ts) delivers every byte of a connection, in order, even
// when the sender closes its side while the relay still holds data in its delay queue (it once
// destroyed both sockets as soon as one side closed, dropping up to a window of queued data).
import { afterAll, expect, test } from 'bun:test';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { startRelay } from '../bench/relay.ts';

const servers: Array<{ close(): void }> = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** A sink on 127.0.0.1 that gathers each connection's bytes and hands them over when it ends. */
function sink(): Promise<{ port: number; received: Promise<Buffer>[]; server: Server }> {
  const received: Promise<Buffer>[] = [];
  const server = createServer((s: Socket) => {
    const parts: Buffer[] = [];
    received.push(
      new Promise((resolve) => {
        s.on('data', (d: Buffer) => parts.push(d));
        s.on('end', () => {
          resolve(Buffer.concat(parts));
          s.end();
        });
      }),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, received, server })));
}

test('every byte arrives, in order, when the sender closes with data still queued in the relay', async () => {
  const target = await sink();
  servers.push(target.server);
  // 15 ms one-way delay and 32 MiB/s per connection: 2 MiB is still in the relay when the sender ends
  const relay = await startRelay({ target: target.port, delayMs: 15, rate: 32 * 2 ** 20, window: 1 * 2 ** 20 });
  servers.push(relay);
  const payloads = [0, 1, 2, 3].map((k) => Buffer.from(Array.from({ length: 2 * 2 ** 20 }, (_, i) => (i * 7 + k) & 0xff)));
  const closed = payloads.map(
    (p) =>
      new Promise<void>((resolve, reject) => {
        const c = connect({ host: '127.0.0.1', port: relay.port }, () => c.end(p));
        c.on('error', reject);
        c.on('close', () => resolve());
        c.resume();
      }),
  );
  await Promise.all(closed);
  expect(target.received.length).toBe(payloads.length);
  const got = await Promise.all(target.received);
  // connections may reach the sink in any order: match them by content
  const want = payloads.map((p) => p.toString('base64')).sort();
  expect(got.map((b) => b.toString('base64')).sort()).toEqual(want);
});
