/**
 * One progress line on a terminal's stderr during a long run: drawn only once the run has taken
 * longer than `delayMs` (a quick review prints nothing), redrawn at most every `intervalMs`, and
 * erased at the end so the output that follows starts on a clean line. Without a terminal there is
 * no line at all: logs and pipes get only the review.
 */

export interface ProgressOptions {
  write: (text: string) => void;
  /** Whether stderr is a terminal; false makes every call a no-op. */
  isTTY: boolean;
  /** Terminal width (default 80): the line is cut to fit, or it would wrap and stop being erasable. */
  columns?: number;
  delayMs?: number;
  intervalMs?: number;
  now?: () => number;
}

export interface Progress {
  /** What the run is doing now: `reading 40 files the review refers to`. */
  update(text: string): void;
  /** Erases the line if one was drawn. Safe to call more than once. */
  done(): void;
}

export const PROGRESS_DELAY_MS = 500;
const INTERVAL_MS = 100;
/** Carriage return, then erase the whole line (ECMA-48 EL 2). */
const CLEAR_LINE = "\r\u001b[2K";

const SILENT: Progress = { update: () => undefined, done: () => undefined };

export function createProgress(options: ProgressOptions): Progress {
  if (!options.isTTY) return SILENT;
  const now = options.now ?? Date.now;
  const delay = options.delayMs ?? PROGRESS_DELAY_MS;
  const interval = options.intervalMs ?? INTERVAL_MS;
  // A pseudo-terminal without a size reports 0 columns.
  const columns = options.columns !== undefined && options.columns >= 20 ? options.columns : 80;
  const width = columns - 1;
  const started = now();
  let drawnAt: number | null = null;
  let shown = "";
  return {
    update(text) {
      const at = now();
      if (at - started < delay) return;
      if (drawnAt !== null && at - drawnAt < interval) return;
      const seconds = ((at - started) / 1000).toFixed(1);
      const line = `gitops-review: ${text} (${seconds} s)`;
      const fitted = line.length > width ? `${line.slice(0, width - 1).trimEnd()}…` : line;
      if (fitted === shown) return;
      options.write(`${CLEAR_LINE}${fitted}`);
      drawnAt = at;
      shown = fitted;
    },
    done() {
      if (drawnAt === null) return;
      options.write(CLEAR_LINE);
      drawnAt = null;
      shown = "";
    },
  };
}
