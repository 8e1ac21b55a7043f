/**
 * Drives the review fuzz: draws each case from its own seed (a seed file and a few edits), hands
 * it to the review engine in a child process, and stops that process when a case runs past the
 * time limit. A case that crashed the process or hung is reported and the next case gets a
 * fresh process, so one long run reports every failure it meets.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { FuzzCase, FuzzCaseResult } from "./review-process.js";
import { seedFiles, type SeedFile } from "./seed-files.js";
import { mutateYaml, pick, seededRandom } from "./yaml-mutations.js";

export interface FuzzOptions {
  /** How many cases; ignored when `replay` is given. */
  cases: number;
  /** Seed of the whole run: each case's own seed is drawn from it. */
  seed: number;
  /** Run only the case with this seed (printed with every failure). */
  replay?: number;
  caseTimeoutMs: number;
  /** Also draw seed files from the corpus (when present). */
  corpus: boolean;
  /** The child process module; the real review engine unless a test of this runner swaps it. */
  processModule?: URL;
}

export interface FuzzFailure {
  caseSeed: number;
  file: string;
  steps: string[];
  problems: string[];
}

export interface FuzzReport {
  cases: number;
  /** Cases whose mutated file the parser refused (a syntax error, a limit) or that changed something. */
  unreadable: number;
  changed: number;
  failures: FuzzFailure[];
  crashes: number;
  hangs: number;
  /** The slowest review of one case, in the review process (start-up not counted). */
  slowestMs: number;
}

type Outcome = { kind: "done"; result: FuzzCaseResult } | { kind: "hang" } | { kind: "exit"; reason: string };

/** Share of cases drawn from the hostile seeds (bombs, deep nesting, big and oversized files). */
const HOSTILE_SHARE = 0.05;

const REVIEW_PROCESS = new URL("./review-process.ts", import.meta.url);

/** The review engine in a child process, restarted after a hang or a crash. */
class ReviewProcess {
  private child: ChildProcess | null = null;
  private stderr = "";
  /** Seed folders the current process has been sent. */
  private folders = new Set<string>();

  constructor(private readonly module: URL) {}

  /** Whether the current process holds this folder's files (it loses them with a restart). */
  knows(folder: string): boolean {
    return this.child !== null && this.folders.has(folder);
  }

  run(fuzzCase: FuzzCase, timeoutMs: number): Promise<Outcome> {
    const child = this.child ?? this.start();
    this.folders.add(fuzzCase.folder);
    return new Promise((resolve) => {
      const finish = (outcome: Outcome): void => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(outcome);
      };
      const onMessage = (message: FuzzCaseResult): void => {
        if (message.index === fuzzCase.index) finish({ kind: "done", result: message });
      };
      const onExit = (code: number | null, signal: string | null): void => {
        const tail = this.stderr.trim().split("\n").slice(-5).join("\n");
        finish({
          kind: "exit",
          reason: `review process exited (${signal ?? `code ${code}`})${tail ? `:\n${tail}` : ""}`,
        });
      };
      const timer = setTimeout(() => {
        child.off("exit", onExit);
        this.stop();
        finish({ kind: "hang" });
      }, timeoutMs);
      child.on("message", onMessage);
      child.on("exit", onExit);
      child.send(fuzzCase);
    });
  }

  stop(): void {
    this.child?.kill("SIGKILL");
    this.child = null;
  }

  private start(): ChildProcess {
    this.stderr = "";
    this.folders.clear();
    // tsx runs the TypeScript sources as they are; the heap cap turns a memory blow-up into a crash.
    const child = fork(this.module, [], {
      execArgv: ["--import", "tsx", "--max-old-space-size=1024"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    child.on("exit", () => {
      if (this.child === child) this.child = null;
    });
    // A send to a process that just died is seen as its exit; the error event must not throw.
    child.on("error", () => {});
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-4000);
    });
    this.child = child;
    return child;
  }
}

function caseSeeds(options: FuzzOptions): number[] {
  if (options.replay !== undefined) return [options.replay >>> 0];
  const random = seededRandom(options.seed);
  return Array.from({ length: options.cases }, () => Math.floor(random() * 2 ** 32));
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const seeds = seedFiles({ corpus: options.corpus });
  const reviewer = new ReviewProcess(options.processModule ?? REVIEW_PROCESS);
  const checked = new Set<SeedFile>();
  const report: FuzzReport = {
    cases: 0,
    unreadable: 0,
    changed: 0,
    failures: [],
    crashes: 0,
    hangs: 0,
    slowestMs: 0,
  };
  try {
    for (const [index, caseSeed] of caseSeeds(options).entries()) {
      const random = seededRandom(caseSeed);
      const seed = pick(random, random() < HOSTILE_SHARE ? seeds.hostile : seeds.ordinary);
      const original = seed.folder.files[seed.path]!;
      const mutated = mutateYaml(original, random);
      const fuzzCase: FuzzCase = {
        type: "case",
        index,
        path: seed.path,
        base: original,
        head: mutated.text,
        selfChecks: checked.has(seed) ? [mutated.text] : [mutated.text, original],
        folder: seed.folder.label,
        ...(reviewer.knows(seed.folder.label) ? {} : { folderFiles: seed.folder.files }),
      };
      checked.add(seed);
      const outcome = await reviewer.run(fuzzCase, options.caseTimeoutMs);
      if (outcome.kind === "done") report.slowestMs = Math.max(report.slowestMs, outcome.result.ms);
      report.cases++;
      if (outcome.kind === "done" && outcome.result.unreadable) report.unreadable++;
      if (outcome.kind === "done" && outcome.result.changed) report.changed++;
      const problems =
        outcome.kind === "done"
          ? outcome.result.failures
          : outcome.kind === "hang"
            ? [`no answer within ${options.caseTimeoutMs} ms`]
            : [outcome.reason];
      if (outcome.kind === "hang") report.hangs++;
      if (
        outcome.kind === "exit" ||
        problems.some((p) => p.startsWith("crash") || p.startsWith("rule crash"))
      )
        report.crashes++;
      if (problems.length > 0)
        report.failures.push({
          caseSeed,
          file: `${seed.folder.label} :: ${seed.path}`,
          steps: mutated.steps,
          problems,
        });
    }
  } finally {
    reviewer.stop();
  }
  return report;
}

/** A failure as the test prints it, with the command that replays just this case. */
export function describeFailure(failure: FuzzFailure): string {
  const seed = `0x${failure.caseSeed.toString(16).padStart(8, "0")}`;
  return [
    `case seed ${seed} (replay: GITOPS_REVIEW_FUZZ_REPLAY=${seed} npm test -- test/engine/review-fuzz)`,
    `  file: ${failure.file}`,
    `  edits: ${failure.steps.join("; ")}`,
    ...failure.problems.map((problem) => `  - ${problem.replace(/\n/g, "\n    ")}`),
  ].join("\n");
}
