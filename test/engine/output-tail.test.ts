// A child's stdout followed through a file: everything arrives, in order, and the file goes away.
import { afterAll, expect, test } from 'bun:test';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OutputTail } from '../../src/engine/output-tail.ts';
import { tempDir } from '../e2e/helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/**
 * A child (this runtime, no shell) that runs `code` with `out(text)` (writes to its stdout, here
 * the followed file) and `sleep(ms)`.
 */
function run(file: string, code: string): Promise<{ text: string; reads: number }> {
  let text = '';
  let reads = 0;
  const tail = OutputTail.create(file, (t) => {
    text += t;
    reads++;
  })!;
  const prelude = "const { writeSync } = require('node:fs'); const out = (t) => writeSync(1, Buffer.from(t, 'latin1')); const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);";
  const child = spawn(process.execPath, ['-e', `${prelude}\n${code}`], { stdio: ['ignore', tail.fd, 'ignore'] });
  tail.follow();
  return new Promise((resolve) => {
    child.on('close', () => {
      tail.close();
      resolve({ text, reads });
    });
  });
}

test('what the child wrote arrives whole and in order, while it runs and at the end', async () => {
  const file = join(tmp.path, 'a.out');
  const { text, reads } = await run(file, 'for (let i = 1; i <= 5; i++) { out(`line ${i}\\n`); sleep(50); } out("\\xff end");');
  expect(text).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n\xff end');
  expect(reads).toBeGreaterThan(1);
  expect(existsSync(file)).toBe(false);
});

test('more than one read buffer at once', async () => {
  const file = join(tmp.path, 'b.out');
  const { text } = await run(file, 'for (let i = 0; i < 20000; i++) out(`a fairly long line number ${i}\\n`);');
  const lines = text.split('\n');
  expect(lines).toHaveLength(20001);
  expect(lines[19999]).toBe('a fairly long line number 19999');
});

test('several children followed at once', async () => {
  const outs = await Promise.all([1, 2, 3].map((n) => run(join(tmp.path, `c${n}.out`), `out("first ${n}\\n"); sleep(100); out("second ${n}\\n");`)));
  expect(outs.map((o) => o.text)).toEqual([1, 2, 3].map((n) => `first ${n}\nsecond ${n}\n`));
});

test('null when the file cannot be made', () => {
  expect(OutputTail.create(join(tmp.path, 'missing', 'x.out'), () => {})).toBeNull();
});
