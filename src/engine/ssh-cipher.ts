// The cipher of the ssh connections that carry the data. OpenSSH's default order puts
// chacha20-poly1305 first, which is the fast one on a CPU without AES instructions; on one with
// them (nearly every x86-64 and arm64 server) AES-GCM costs far less CPU per byte, and over ssh
// the cipher is often what a fast link is waiting for (both ends' cores). Measured here (2 cores,
// both ends on this machine): 512 MiB through ssh, 4.1 -> 3.1 CPU-s; the WAN bench row (-p 8 over
// a 20 MB/s-per-connection relay, CPU-bound on this box) 8.40 -> 7.55 s.
//
// So multisync asks for AES-GCM first, the rest of OpenSSH's default order after it
// (`Ciphers=^…`: nothing the server offers is ruled out), but only when nobody chose: not with
// ciphers in -e (-c, -o Ciphers=) nor in any ssh_config (the effective list, `ssh -G`, must be
// OpenSSH's own default), only on a CPU with AES instructions, and only with an ssh that knows
// the `^` form (older clients reject it: then nothing changes).
import { readFileSync } from 'node:fs';
import { splitOptions } from './rsync-args.ts';
import { sshAsync } from './ssh-control.ts';

export const GCM = ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'];
export const GCM_OPTION = `Ciphers=^${GCM.join(',')}`;

/** /proc/cpuinfo says the CPU has AES instructions (x86 `flags`, arm64 `Features`). */
export function hasAesInstructions(cpuinfo: string): boolean {
  return /^(?:flags|Features)\s*:.*\baes\b/m.test(cpuinfo);
}

/**
 * `mine`: the effective cipher list of the user's ssh to the host; `preferred`: OpenSSH's
 * default list with GCM_OPTION applied. True when `mine`, with the AES-GCM ciphers moved to its
 * front, is `preferred` (the user's list is the default one) and is not that already.
 */
export function gcmWouldHelp(mine: string, preferred: string): boolean {
  const list = mine.split(',').filter(Boolean);
  const moved = [...GCM.filter((c) => list.includes(c)), ...list.filter((c) => !GCM.includes(c))];
  return list.length > 0 && moved.join(',') === preferred && list.join(',') !== preferred;
}

/** The `ciphers` line of `ssh … -G HOST` (the effective configuration: nothing is connected), or null. */
async function effectiveCiphers(argv: string[], host: string): Promise<string | null> {
  const r = await sshAsync([...argv, '-G'], host, undefined, 5000);
  const m = r.code === 0 ? /^ciphers (\S+)$/m.exec(r.stdout) : null;
  return m ? m[1] : null;
}

/**
 * The remote shell to use for `host`: `rsh` (an OpenSSH client, default `ssh`) with GCM_OPTION
 * added when that is the better choice nobody made (see above), else `rsh` as it is.
 * MULTISYNC_SSH_CIPHER=keep leaves it alone (tests, or an admin who wants OpenSSH's order).
 */
export async function fastCipherRsh(rsh: string | undefined, host: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.MULTISYNC_SSH_CIPHER === 'keep') return rsh;
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'latin1');
  } catch {
    return rsh;
  }
  if (!hasAesInstructions(cpuinfo)) return rsh;
  const words = splitOptions(rsh ?? 'ssh');
  // (both asked at once: each is an ssh start, ~20 ms, before the pre-flight's connection)
  const [mine, preferred] = await Promise.all([effectiveCiphers(words, host), effectiveCiphers([words[0], '-F', '/dev/null', '-o', GCM_OPTION], host)]);
  if (!mine || !preferred || !gcmWouldHelp(mine, preferred)) return rsh;
  return `${rsh ?? 'ssh'} -o ${GCM_OPTION}`;
}
