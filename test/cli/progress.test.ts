import { describe, expect, it } from "@jest/globals";
import { createProgress } from "../../src/cli/progress.js";

const CLEAR = "\r\u001b[2K";

function recorder(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  let clock = 1_000;
  const progress = createProgress({
    write: (text) => writes.push(text),
    isTTY,
    columns,
    delayMs: 500,
    intervalMs: 100,
    now: () => clock,
  });
  return { writes, progress, advance: (ms: number) => (clock += ms) };
}

describe("createProgress", () => {
  it("draws nothing for a run shorter than the delay, and clears nothing", () => {
    const { writes, progress, advance } = recorder(true);
    progress.update("reading the changes");
    advance(400);
    progress.update("running rule 1 of 36");
    progress.done();
    expect(writes).toEqual([]);
  });

  it("draws one line on a long run, at most every interval, and erases it at the end", () => {
    const { writes, progress, advance } = recorder(true);
    advance(600);
    progress.update("reviewing 300 changed files");
    advance(50);
    progress.update("running rule 1 of 36"); // too soon: skipped
    advance(60);
    progress.update("running rule 2 of 36");
    progress.done();
    progress.done();
    expect(writes).toEqual([
      `${CLEAR}gitops-review: reviewing 300 changed files (0.6 s)`,
      `${CLEAR}gitops-review: running rule 2 of 36 (0.7 s)`,
      CLEAR,
    ]);
  });

  it("cuts the line to the terminal's width so it never wraps", () => {
    const { writes, progress, advance } = recorder(true, 30);
    advance(1_000);
    progress.update("reading 1200 files the changes refer to");
    expect(writes[0]).toBe(`${CLEAR}gitops-review: reading 1200…`);
    expect(writes[0]!.length - CLEAR.length).toBeLessThanOrEqual(29);
  });

  it("takes a terminal that reports no width as 80 columns", () => {
    const { writes, progress, advance } = recorder(true, 0);
    advance(1_000);
    progress.update("reading 1200 files the changes refer to");
    expect(writes).toEqual([`${CLEAR}gitops-review: reading 1200 files the changes refer to (1.0 s)`]);
  });

  it("writes nothing at all when stderr is not a terminal", () => {
    const { writes, progress, advance } = recorder(false);
    advance(10_000);
    progress.update("reviewing 300 changed files");
    progress.done();
    expect(writes).toEqual([]);
  });
});
