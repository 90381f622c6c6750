// Vertical budget: how many worker rows and failure entries fit on screen.
// Pure, so the 80x24 guarantee can be tested without rendering.

/** Title, times/crawl, bytes bar, files bar. */
export const HEADER_LINES = 4;
export const COUNTER_LINES = 1;
export const KEYBAR_LINES = 1;
/** Each failure takes two lines: summary + first error. */
export const FAILURE_ENTRY_LINES = 2;
/** Workers shown before failures get room. */
const MIN_WORKER_ROWS = 4;

export interface LayoutInput {
  rows: number;
  workers: number;
  failures: number;
  /** PAUSED banner and quit notice lines currently shown. */
  statusLines: number;
}

export interface LayoutPlan {
  /** Lines between the status lines and the key bar (help uses them all). */
  bodyLines: number;
  tableHeader: boolean;
  /** "no rsync running" line, when there are no workers. */
  idleLine: boolean;
  workerRows: number;
  /** "+N more running" line. */
  moreLine: boolean;
  failureTitle: boolean;
  failureEntries: number;
}

/**
 * Plan the body for a terminal `rows` high. The whole frame stays at most
 * rows - 1 lines so the terminal never scrolls.
 */
export function planLayout({ rows, workers, failures, statusLines }: LayoutInput): LayoutPlan {
  const fixed = HEADER_LINES + COUNTER_LINES + KEYBAR_LINES + statusLines;
  let left = Math.max(0, rows - 1 - fixed);
  const plan: LayoutPlan = {
    bodyLines: left,
    tableHeader: false,
    idleLine: false,
    workerRows: 0,
    moreLine: false,
    failureTitle: false,
    failureEntries: 0,
  };
  if (left === 0) return plan;
  plan.tableHeader = true;
  left--;
  if (workers === 0 && left > 0) {
    plan.idleLine = true;
    left--;
  }
  if (failures > 0 && left > 0) {
    // "FAILED buckets: N" is worth more than a worker row.
    plan.failureTitle = true;
    left--;
  }
  let rowsShown = Math.min(workers, MIN_WORKER_ROWS, left);
  left -= rowsShown;
  if (plan.failureTitle) {
    const cap = Math.max(1, Math.floor(rows / 8));
    plan.failureEntries = Math.min(failures, cap, Math.floor(left / FAILURE_ENTRY_LINES));
    left -= plan.failureEntries * FAILURE_ENTRY_LINES;
  }
  const extra = Math.min(workers - rowsShown, left);
  rowsShown += extra;
  left -= extra;
  if (rowsShown < workers && rowsShown > 0) {
    // The last row becomes "+N more running".
    rowsShown--;
    plan.moreLine = true;
  }
  plan.workerRows = rowsShown;
  if (plan.failureTitle && failures > plan.failureEntries) {
    const more = Math.min(failures - plan.failureEntries, Math.floor(left / FAILURE_ENTRY_LINES));
    plan.failureEntries += more;
    left -= more * FAILURE_ENTRY_LINES;
  }
  return plan;
}
