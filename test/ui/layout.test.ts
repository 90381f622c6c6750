import { describe, expect, test } from 'bun:test';
import { FAILURE_ENTRY_LINES, HEADER_LINES, planLayout, type LayoutPlan } from '../../src/ui/layout.ts';

/** Lines the plan draws, status and key bar included. */
function height(p: LayoutPlan, statusLines: number): number {
  return (
    HEADER_LINES +
    1 + // counters
    statusLines +
    (p.tableHeader ? 1 : 0) +
    (p.idleLine ? 1 : 0) +
    p.workerRows +
    (p.moreLine ? 1 : 0) +
    (p.failureTitle ? 1 : 0) +
    p.failureEntries * FAILURE_ENTRY_LINES +
    1 // key bar
  );
}

describe('planLayout', () => {
  test.each([
    // rows, workers, failures, status -> workerRows, moreLine, failureEntries
    [24, 4, 2, 0, 4, false, 2],
    [24, 8, 2, 0, 8, false, 2],
    [24, 16, 0, 0, 16, false, 0],
    [24, 17, 0, 0, 15, true, 0],
    [24, 16, 10, 0, 8, true, 3],
    [24, 16, 10, 2, 6, true, 3],
    [24, 0, 0, 0, 0, false, 0],
    [24, 2, 30, 0, 2, false, 6],
    [50, 64, 10, 0, 28, true, 6],
    [12, 8, 3, 1, 1, true, 0],
    [12, 8, 0, 1, 2, true, 0],
  ])('%p rows, %p workers, %p failures, %p status', (rows, workers, failures, status, wr, more, fe) => {
    const p = planLayout({ rows, workers, failures, statusLines: status });
    expect([p.workerRows, p.moreLine, p.failureEntries]).toEqual([wr, more, fe]);
    expect(height(p, status)).toBeLessThanOrEqual(rows - 1);
  });

  test('never overflows, whatever the counts', () => {
    for (let rows = 1; rows <= 60; rows++) {
      for (const workers of [0, 1, 3, 8, 40]) {
        for (const failures of [0, 1, 5, 50]) {
          for (const status of [0, 1, 2]) {
            const p = planLayout({ rows, workers, failures, statusLines: status });
            const fixed = HEADER_LINES + 2 + status;
            if (rows - 1 >= fixed) expect(height(p, status)).toBeLessThanOrEqual(rows - 1);
            expect(p.workerRows).toBeLessThanOrEqual(workers);
            expect(p.failureEntries).toBeLessThanOrEqual(failures);
          }
        }
      }
    }
  });
});
