// A TCP relay that behaves like a long fat WAN link, for the per-stream-limited benchmark row
// (this kernel has no tc netem/fq). Listens on 127.0.0.1, forwards every connection to TARGET
// on 127.0.0.1, and in each direction of each connection:
//   - serializes data at RATE bytes/s (the per-connection cap of a shaped or long-distance link),
//   - delivers every chunk DELAY ms after it left (one-way delay; RTT = 2 × DELAY),
//   - holds at most WINDOW bytes in flight before it stops reading (backpressure, like a
//     bottleneck queue), so TCP's own flow control sees the limit.
// One rsync over ssh through it is held to RATE; N connections get N × RATE.
//
//   bun bench/relay.ts --target PORT [--port 0] [--delay-ms 15] [--rate 20M] [--window 4M]
// Prints "listening PORT" on stdout once ready; runs until killed.
import { createServer, connect, type Socket } from "node:net";

function size(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(s);
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * 1024 ** " KMG".indexOf((m[2] || " ").toUpperCase());
}

export interface RelayOptions {
  target: number;
  port?: number;
  delayMs: number;
  rate: number;
  window: number;
}

/** One direction: src → dst through a rate-limited, delayed pipe. */
function pipeShaped(src: Socket, dst: Socket, o: RelayOptions): void {
  const queue: Array<{ buf: Buffer; at: number }> = [];
  let queued = 0;
  let txFree = 0; // when the "wire" is free to send the next byte
  let timer: ReturnType<typeof setTimeout> | null = null;
  let ended = false;
  let blocked = false;
  const perMs = o.rate / 1000;
  const flush = () => {
    timer = null;
    const now = performance.now();
    while (queue.length && queue[0].at <= now + 0.2) {
      const { buf } = queue.shift()!;
      queued -= buf.length;
      // one drain listener per blocked spell, not one per flush
      if (!dst.write(buf) && !blocked) {
        blocked = true;
        dst.once("drain", () => {
          blocked = false;
          resumeIfRoom();
        });
      }
    }
    resumeIfRoom();
    if (queue.length) schedule();
    else if (ended) dst.end();
  };
  const schedule = () => {
    if (timer || !queue.length) return;
    timer = setTimeout(flush, Math.max(0, queue[0].at - performance.now()));
  };
  const resumeIfRoom = () => {
    if (!blocked && queued < o.window / 2 && src.isPaused()) src.resume();
  };
  src.on("data", (chunk: Buffer) => {
    const now = performance.now();
    const start = Math.max(now, txFree);
    txFree = start + chunk.length / perMs;
    queue.push({ buf: chunk, at: txFree + o.delayMs });
    queued += chunk.length;
    if (queued >= o.window) src.pause();
    schedule();
  });
  src.on("end", () => {
    ended = true;
    if (!queue.length) dst.end();
  });
}

export function startRelay(o: RelayOptions): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    // half-open: each direction ends its far side only once its own queue is delivered
    const server = createServer({ allowHalfOpen: true }, (client) => {
      const upstream = connect({ host: "127.0.0.1", port: o.target, allowHalfOpen: true });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.setNoDelay(true);
        s.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
        s.on("close", () => sockets.delete(s));
      }
      pipeShaped(client, upstream, o);
      pipeShaped(upstream, client, o);
    });
    server.once("error", reject);
    server.listen(o.port ?? 0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        close() {
          server.close();
          for (const s of sockets) s.destroy();
        },
      });
    });
  });
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt?: string) => {
    const i = args.indexOf(name);
    if (i >= 0 && args[i + 1] !== undefined) return args[i + 1];
    if (dflt === undefined) throw new Error(`${name} is required`);
    return dflt;
  };
  const relay = await startRelay({
    target: Number(opt("--target")),
    port: Number(opt("--port", "0")),
    delayMs: Number(opt("--delay-ms", "15")),
    rate: size(opt("--rate", "20M")),
    window: size(opt("--window", "4M")),
  });
  process.stdout.write(`listening ${relay.port}\n`);
  process.on("SIGTERM", () => {
    relay.close();
    process.exit(0);
  });
}
