// Lines to stdout/stderr written straight to the descriptor. (process.stdout makes the runtime
// load its whole stream machinery — ~15 ms of every headless start, a tenth of a no-op run —
// and buffers what a synchronous write just delivers.) A reader that went away (EPIPE: `| head`)
// ends the output quietly; a non-blocking descriptor that is full (EAGAIN) is retried.
import { writeSync } from 'node:fs';

export function fdLines(fd: number): (line: string) => void {
  let closed = false;
  return (line: string) => {
    if (closed) return;
    let buf = Buffer.from(`${line}\n`);
    for (let tries = 0; buf.length && tries < 100_000; ) {
      try {
        buf = buf.subarray(writeSync(fd, buf));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          tries++;
          continue;
        }
        closed = true; // EPIPE, EBADF: nobody reads any more
        return;
      }
    }
  };
}
