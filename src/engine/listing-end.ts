// The end of a listing whose session stays for the far end's daemon (a pull's SRC listing:
// source-listing.ts, daemon-script.ts listingWithDaemon; a push's DST check: ssh-preflight.ts):
// neither stdout nor stderr ends while the session runs on (through a shared connection the ssh
// that asked keeps its own copies open), so the listing ends in-band: END_MARK and find's status
// as a record of its own on stdout, and for a pull END_LINE on stderr after find's last message.
// These read them; remote-crawl.ts stops at the mark.
import { END_LINE, END_MARK } from './daemon-script.ts';
import { ANSWER } from './daemon-session.ts';

/** The first byte of an end mark: no record of find's starts so (their first field is a one-letter type). */
export const MARK_BYTE = END_MARK.charCodeAt(0);
const MARK_RECORD = new RegExp(`^${END_MARK}(\\d+)$`);

/**
 * A record (without its NUL) that is the listing's end mark: find's status; undefined for any
 * other record. Only a record where an entry's record starts can be one: with CHECK_FORMAT an
 * entry's second record is a symlink's target, which may read like anything.
 */
export function endRecord(rec: Buffer): number | undefined {
  if (rec.length > 40 || rec[0] !== MARK_BYTE) return undefined;
  const m = MARK_RECORD.exec(rec.toString('latin1'));
  return m ? Number(m[1]) : undefined;
}

/** The status of the end mark `data` starts with (undefined: not whole yet, or not a mark). */
export function markStatus(data: Buffer): number | undefined {
  const nul = data.indexOf(0);
  return nul < 0 ? undefined : endRecord(data.subarray(0, nul));
}

/**
 * The stderr of a listing with the daemon in its session, by whole lines: everything goes to
 * `onText` (the daemon's answer reader) as it comes; msd's answer line (daemon-session.ts) and
 * the listing's own end line (END_LINE, after find's last message) are taken out of what is
 * passed on, the end line calls `onEnd`. `flush` passes on a last line without its newline.
 */
export function stderrLines(onText: (text: string) => void, onEnd: () => void): { pass(text: string): string; flush(): string } {
  let held = '';
  let answered = false;
  return {
    pass(text) {
      onText(text);
      held += text;
      const nl = held.lastIndexOf('\n');
      if (nl < 0) return '';
      const lines = held.slice(0, nl).split('\n');
      held = held.slice(nl + 1);
      let out = '';
      for (const line of lines) {
        if (!answered && line.startsWith(ANSWER)) answered = true;
        else if (line === END_LINE) onEnd();
        else out += `${line}\n`;
      }
      return out;
    },
    flush() {
      const rest = held;
      held = '';
      return rest;
    },
  };
}
