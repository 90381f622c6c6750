// Whether the crawl's reader threads pay, and in which mode (ahead-decision.ts): nothing at first,
// early threads for a crawl that is plainly long and all the work there is, prefetch at
// POOL_AFTER_MS with cores to spare or a filesystem that makes the crawl wait, split at
// SPLIT_AFTER_MS when nothing else uses the CPU and enough of the walk is still ahead
// (SPLIT_AHEAD_MS), and a final no otherwise.
import { describe, expect, test } from 'bun:test';
import { decideAhead, EARLY_MIN_MS, POOL_AFTER_MS, SPLIT_AFTER_MS, type AheadDecision, type AheadInput } from '../../src/engine/ahead-decision.ts';

/** The rule's input as plain values (the functions it calls are made from them). */
interface Plain {
  ran: number;
  ioAsked?: boolean;
  io?: number;
  spareCores?: boolean;
  cores?: number;
  othersIdle?: boolean;
  crawlIsAll?: boolean;
  checked?: boolean;
  dirsRead?: number;
  entriesRead?: number;
  /** A long walk ahead: 20 directories on the stack with 100 subdirectories each. */
  long?: boolean;
  /** Else this many leaf directories on the stack (100 entries ahead each) [1]. */
  leaves?: number;
}

/** 8 directories of 100 entries read; the stack: leaves (100 entries ahead each), or a long walk. */
function input(p: Plain, asked: string[] = []): AheadInput {
  const ask = <T>(name: string, v: T) => () => {
    asked.push(name);
    return v;
  };
  return {
    ran: p.ran,
    ioAsked: p.ioAsked ?? false,
    io: ask('io', p.io ?? 0),
    spareCores: p.spareCores ?? false,
    cores: ask('cores', p.cores ?? 2),
    othersIdle: ask('othersIdle', p.othersIdle ?? true),
    crawlIsAll: ask('crawlIsAll', p.crawlIsAll ?? true),
    checked: p.checked ?? false,
    dirsRead: p.dirsRead ?? 8,
    entriesRead: p.entriesRead ?? 800,
    stack: p.long ? Array.from({ length: 20 }, () => ({ st: { nlink: 102 } })) : Array.from({ length: p.leaves ?? 1 }, () => ({ st: { nlink: 2 } })),
  };
}

const no: AheadDecision = { mode: null, ioAsked: false, final: false };
const early = 10;

describe('decideAhead', () => {
  const rows: Array<[string, Plain, AheadDecision]> = [
    ['nothing before EARLY_MIN_MS, however long the walk ahead', { ran: EARLY_MIN_MS - 1, long: true }, no],
    ['early split for a long listing on 2 cores', { ran: early, long: true }, { mode: 'split', ioAsked: true, final: true }],
    ['early split, the io share already asked', { ran: early, long: true, ioAsked: true }, { mode: 'split', ioAsked: false, final: true }],
    ['early prefetch when a dest-check policy exists', { ran: early, long: true, checked: true }, { mode: 'prefetch', ioAsked: true, final: true }],
    ['no early threads when others are busy', { ran: early, long: true, othersIdle: false }, no],
    ['no early threads when the crawl is not all the work', { ran: early, long: true, crawlIsAll: false }, no],
    ['no early threads on 1 core', { ran: early, long: true, cores: 1 }, no],
    ['no early look but every 8th directory', { ran: early, long: true, dirsRead: 9 }, no],
    ['no early look before any entry', { ran: early, long: true, entriesRead: 0 }, no],
    ['no early threads for a short walk ahead', { ran: early }, no],
    ['nothing before POOL_AFTER_MS on a short walk', { ran: POOL_AFTER_MS - 1 }, no],
    ['prefetch at POOL_AFTER_MS with spare cores', { ran: POOL_AFTER_MS, spareCores: true }, { mode: 'prefetch', ioAsked: true, final: false }],
    ['prefetch at POOL_AFTER_MS when io-bound', { ran: POOL_AFTER_MS, io: 0.6 }, { mode: 'prefetch', ioAsked: true, final: false }],
    ['at POOL_AFTER_MS, waiting half the time is not io-bound', { ran: POOL_AFTER_MS, io: 0.5 }, { mode: null, ioAsked: true, final: false }],
    ['between POOL_AFTER_MS and SPLIT_AFTER_MS, io already asked: nothing yet', { ran: SPLIT_AFTER_MS - 1, ioAsked: true }, no],
    ['split at SPLIT_AFTER_MS when others idle', { ran: SPLIT_AFTER_MS, ioAsked: true, long: true }, { mode: 'split', ioAsked: false, final: true }],
    ['split at SPLIT_AFTER_MS, the io share asked first', { ran: SPLIT_AFTER_MS, long: true }, { mode: 'split', ioAsked: true, final: true }],
    // (8 directories of 100 entries in 150 ms: SPLIT_AHEAD_MS is 533 entries ahead)
    ['split at SPLIT_AFTER_MS with 600 entries ahead (112 ms at this pace)', { ran: SPLIT_AFTER_MS, ioAsked: true, leaves: 6 }, { mode: 'split', ioAsked: false, final: true }],
    ['no split at SPLIT_AFTER_MS with 500 entries ahead (94 ms): final', { ran: SPLIT_AFTER_MS, ioAsked: true, leaves: 5 }, { mode: null, ioAsked: false, final: true }],
    ['no split at SPLIT_AFTER_MS with one directory ahead: final', { ran: SPLIT_AFTER_MS, ioAsked: true }, { mode: null, ioAsked: false, final: true }],
    ['no split later either, the io share asked first', { ran: SPLIT_AFTER_MS + 50 }, { mode: null, ioAsked: true, final: true }],
    ['at SPLIT_AFTER_MS before two directories were read: asked again', { ran: SPLIT_AFTER_MS, ioAsked: true, long: true, dirsRead: 1, entriesRead: 100 }, no],
    ['split at SPLIT_AFTER_MS even with a dest-check policy (not early)', { ran: SPLIT_AFTER_MS, ioAsked: true, checked: true, long: true }, { mode: 'split', ioAsked: false, final: true }],
    ['null after SPLIT_AFTER_MS when others are busy (final)', { ran: SPLIT_AFTER_MS + 50, ioAsked: true, othersIdle: false, long: true }, { mode: null, ioAsked: false, final: true }],
    ['null after SPLIT_AFTER_MS on 1 core (final)', { ran: SPLIT_AFTER_MS + 50, ioAsked: true, cores: 1, long: true }, { mode: null, ioAsked: false, final: true }],
  ];
  for (const [name, p, want] of rows) {
    test(name, () => expect(decideAhead(input(p))).toEqual(want));
  }
});

describe('decideAhead asks only what it needs, in order', () => {
  const rows: Array<[string, Plain, string[]]> = [
    ['before EARLY_MIN_MS: nothing', { ran: EARLY_MIN_MS - 1, long: true }, []],
    ['not every 8th directory: nothing before POOL_AFTER_MS', { ran: early, long: true, dirsRead: 9 }, []],
    ['a short walk ahead: the cores only', { ran: early }, ['cores']],
    ['an early split: the walk, the io share, then the cores and others', { ran: early, long: true }, ['cores', 'othersIdle', 'crawlIsAll', 'io', 'cores', 'othersIdle']],
    ['an early prefetch: no second look at the cores', { ran: early, long: true, checked: true }, ['cores', 'othersIdle', 'crawlIsAll', 'io']],
    ['others busy: crawlIsAll not asked', { ran: early, long: true, othersIdle: false }, ['cores', 'othersIdle']],
    ['spare cores: the io share is still read', { ran: POOL_AFTER_MS, spareCores: true }, ['cores', 'io']],
    ['the io share is read once', { ran: SPLIT_AFTER_MS, ioAsked: true, long: true }, ['cores', 'othersIdle']],
    ['1 core after SPLIT_AFTER_MS: others not asked', { ran: SPLIT_AFTER_MS, ioAsked: true, cores: 1, long: true }, ['cores']],
    ['little ahead at SPLIT_AFTER_MS: neither the cores nor others asked', { ran: SPLIT_AFTER_MS, ioAsked: true }, []],
  ];
  for (const [name, p, want] of rows) {
    test(name, () => {
      const asked: string[] = [];
      decideAhead(input(p, asked));
      expect(asked).toEqual(want);
    });
  }
});
