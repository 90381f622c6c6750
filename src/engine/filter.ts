// rsync's include/exclude rules, applied by the crawler (excluded directories are not descended)
// and handed to rsync as well. Semantics follow rsync(1) "PATTERN MATCHING RULES": first match
// wins; a leading '/' anchors to the transfer root; a trailing '/' matches directories only;
// patterns with a '/' or '**' match the full path, others the last component; '*' stops at '/',
// '**' does not; 'dir/***' matches dir and everything below it.
import { readFileSync } from 'node:fs';

export interface FilterSpec {
  kind: 'exclude' | 'include';
  pattern: string;
}

interface Rule {
  include: boolean;
  dirOnly: boolean;
  re: RegExp;
}

const CLASSES: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f',
};

function globToRegex(glob: string, wild: boolean): string {
  if (!wild) return glob.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) re += glob[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        while (glob[i + 1] === '*') i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const neg = body[0] === '!' || body[0] === '^';
      if (neg) body = body.slice(1);
      body = body.replace(/\[:(\w+):\]/g, (_, n: string) => CLASSES[n] ?? '').replace(/\\/g, '\\\\');
      re += `[${neg ? '^' : ''}${body}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  return re;
}

/** Compiles one rule. Patterns are matched on the raw bytes of paths (as latin1 strings). */
export function compileRule(spec: FilterSpec): Rule {
  let p = Buffer.from(spec.pattern, 'utf8').toString('latin1');
  let all = false;
  if (p.endsWith('/***')) {
    all = true;
    p = p.slice(0, -4);
  }
  const dirOnly = !all && p.endsWith('/');
  if (dirOnly) p = p.replace(/\/+$/, '');
  const anchored = p.startsWith('/');
  if (anchored) p = p.replace(/^\/+/, '');
  const wild = /[*?[]/.test(p);
  const body = globToRegex(p, wild);
  const head = anchored ? '^' : '(?:^|/)';
  return { include: spec.kind === 'include', dirOnly, re: new RegExp(`${head}${body}${all ? '(?:/.*)?' : ''}$`, 's') };
}

/** Returns a predicate: true when the path (relative to the transfer root) is kept. */
export function compileFilters(specs: FilterSpec[]): ((path: Buffer, isDir: boolean) => boolean) | undefined {
  if (!specs.length) return undefined;
  const rules = specs.map(compileRule);
  return (path, isDir) => {
    const s = path.toString('latin1');
    for (const r of rules) {
      if (r.dirOnly && !isDir) continue;
      if (r.re.test(s)) return r.include;
    }
    return true;
  };
}

/** Reads an --exclude-from file: blank and '#'/';' lines skipped, '+ '/'- ' prefixes honoured. */
export function readFilterFile(file: string): FilterSpec[] {
  const out: FilterSpec[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || line.startsWith('#') || line.startsWith(';')) continue;
    if (line === '!') out.length = 0;
    else if (line.startsWith('+ ')) out.push({ kind: 'include', pattern: line.slice(2) });
    else if (line.startsWith('- ')) out.push({ kind: 'exclude', pattern: line.slice(2) });
    else out.push({ kind: 'exclude', pattern: line });
  }
  return out;
}

/** The same rules in rsync's argv form. */
export function filterArgs(specs: FilterSpec[]): string[] {
  return specs.map((s) => `--${s.kind}=${s.pattern}`);
}
