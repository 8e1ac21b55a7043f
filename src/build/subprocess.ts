/**
 * Every helm and kustomize run goes through here: no shell, its own process group (so a timeout
 * kills the whole tree), bounded stdout and stderr, a memory bound, a scrubbed environment, and at
 * most `concurrency` runs at a time.
 *
 * Memory, measured on helm v4.1.4 (Go 1.25) here: GOMEMLIMIT alone is a soft target (a template
 * doubling a string reached 6.8 GB RSS with GOMEMLIMIT=512MiB), so the hard bound is RLIMIT_AS set
 * by util-linux `prlimit` before exec. A Go binary reserves about 1.2 GiB of address space at start
 * (and RLIMIT_AS between 1175 and 1250 MiB makes it fail before doing anything), so the address
 * space limit is the heap budget plus RESERVED_ADDRESS_SPACE_MIB; going over it ends the process with
 * "fatal error: out of memory", reported as a memory-limit failure.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";

/** Address space a Go 1.25 binary reserves before its heap grows (measured: see above). */
export const RESERVED_ADDRESS_SPACE_MIB = 1280;

export interface SubprocessLimits {
  /** Wall-clock bound; the whole process group is killed when it passes. */
  timeoutMs: number;
  /** Bytes of stdout kept; one byte more kills the process. */
  maxStdoutBytes: number;
  /** Bytes of stderr kept; one byte more kills the process. */
  maxStderrBytes: number;
  /** Heap budget for Go binaries (GOMEMLIMIT, and RLIMIT_AS = this + the reservation). */
  memoryMiB: number;
}

export const DEFAULT_LIMITS: SubprocessLimits = {
  timeoutMs: 60_000,
  maxStdoutBytes: 32 * 1024 * 1024,
  maxStderrBytes: 256 * 1024,
  memoryMiB: 1024,
};

export interface RunRequest {
  file: string;
  args: readonly string[];
  cwd: string;
  /** The complete environment of the child (see scrubbedEnvironment); nothing is inherited. */
  env: Readonly<Record<string, string>>;
  stdin?: string | Buffer;
  limits: SubprocessLimits;
}

export type RunOutcome =
  | { ok: true; stdout: Buffer; stderr: string; durationMs: number }
  | {
      ok: false;
      kind: "timeout" | "output-limit" | "memory-limit" | "spawn-failed" | "exit";
      reason: string;
      stderr: string;
      exitCode: number | null;
      durationMs: number;
    };

/** Where the hard bounds come from on this machine; probed once. */
export interface Sandbox {
  /** util-linux prlimit, for RLIMIT_AS; null leaves only GOMEMLIMIT (soft). */
  prlimit: string | null;
  /** util-linux unshare with the arguments that gave a child an empty network namespace, or null. */
  unshare: { file: string; args: string[] } | null;
}

const PRLIMIT_PATHS = ["/usr/bin/prlimit", "/bin/prlimit"];
const UNSHARE_PATHS = ["/usr/bin/unshare", "/bin/unshare"];

let sandboxProbe: Promise<Sandbox> | undefined;

/**
 * Finds prlimit and whether `unshare --net` works here (root, or unprivileged user namespaces).
 * A network namespace of its own means a chart's schema `$ref` or a kustomize remote base cannot
 * reach anything, loopback included; where it is not available the proxy variables below still send
 * Go's HTTP clients to a closed port for every non-loopback address.
 */
export function probeSandbox(): Promise<Sandbox> {
  sandboxProbe ??= (async () => {
    const prlimit = PRLIMIT_PATHS.find((p) => existsSync(p)) ?? null;
    const unshareFile = UNSHARE_PATHS.find((p) => existsSync(p));
    let unshare: Sandbox["unshare"] = null;
    if (unshareFile) {
      const candidates =
        process.getuid?.() === 0 ? [["--net"], ["--map-root-user", "--net"]] : [["--map-root-user", "--net"]];
      for (const args of candidates) {
        const probe = await runDirect({
          file: unshareFile,
          args: [...args, "--", process.execPath, "-e", ""],
          cwd: "/",
          env: {},
          limits: { ...DEFAULT_LIMITS, timeoutMs: 5000 },
        });
        if (probe.ok) {
          unshare = { file: unshareFile, args };
          break;
        }
      }
    }
    return { prlimit, unshare };
  })();
  return sandboxProbe;
}

/**
 * The child's whole environment: no credentials, no proxies of the parent, no KUBECONFIG; HOME and
 * Helm's folders in `privateHome`. HTTP(S)_PROXY point at a closed loopback port so a Go HTTP client
 * inside the tool fails fast instead of reaching the network (Go skips proxies for loopback only).
 */
export function scrubbedEnvironment(privateHome: string, memoryMiB: number): Record<string, string> {
  return {
    HOME: privateHome,
    PATH: "",
    LANG: "C",
    TZ: "UTC",
    TMPDIR: `${privateHome}/tmp`,
    HELM_CACHE_HOME: `${privateHome}/helm/cache`,
    HELM_CONFIG_HOME: `${privateHome}/helm/config`,
    HELM_DATA_HOME: `${privateHome}/helm/data`,
    HELM_PLUGINS: `${privateHome}/helm/plugins`,
    HELM_REGISTRY_CONFIG: `${privateHome}/helm/registry.json`,
    HELM_REPOSITORY_CONFIG: `${privateHome}/helm/repositories.yaml`,
    HELM_REPOSITORY_CACHE: `${privateHome}/helm/repository`,
    KUBECONFIG: "/dev/null",
    HTTP_PROXY: "http://127.0.0.1:9",
    HTTPS_PROXY: "http://127.0.0.1:9",
    NO_PROXY: "",
    GOMEMLIMIT: `${memoryMiB}MiB`,
    GOTRACEBACK: "none",
  };
}

/** A counting semaphore: renders wait here so at most `size` tools run at once. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
}

/** Runs a tool inside the sandbox this machine offers (network namespace, RLIMIT_AS). */
export async function runBounded(request: RunRequest, sandbox: Sandbox): Promise<RunOutcome> {
  let file = request.file;
  let args = [...request.args];
  if (sandbox.prlimit) {
    const bytes = (request.limits.memoryMiB + RESERVED_ADDRESS_SPACE_MIB) * 1024 * 1024;
    args = [`--as=${bytes}`, "--", file, ...args];
    file = sandbox.prlimit;
  }
  if (sandbox.unshare) {
    args = [...sandbox.unshare.args, "--", file, ...args];
    file = sandbox.unshare.file;
  }
  return runDirect({ ...request, file, args });
}

/** Go's runtime says this, whatever bound it hit. */
const GO_OUT_OF_MEMORY =
  /fatal error: (out of memory|runtime: cannot allocate memory)|failed to reserve page summary memory/;

function runDirect(request: RunRequest): Promise<RunOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(request.file, [...request.args], {
        cwd: request.cwd,
        env: { ...request.env },
        shell: false,
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
        windowsHide: true,
      });
    } catch (err) {
      resolve({
        ok: false,
        kind: "spawn-failed",
        reason: `could not start ${request.file}: ${(err as Error).message}`,
        stderr: "",
        exitCode: null,
        durationMs: performance.now() - started,
      });
      return;
    }

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let stopped: { kind: "timeout" | "output-limit"; reason: string } | null = null;

    const killTree = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const stop = (kind: "timeout" | "output-limit", reason: string) => {
      if (stopped) return;
      stopped = { kind, reason };
      killTree();
    };
    const timer = setTimeout(
      () => stop("timeout", `did not finish within ${request.limits.timeoutMs} ms and was killed`),
      request.limits.timeoutMs,
    );

    child.stdout?.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > request.limits.maxStdoutBytes) {
        stop("output-limit", `wrote more than ${request.limits.maxStdoutBytes} bytes and was killed`);
        return;
      }
      stdout.push(chunk);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderrBytes += chunk.length;
      if (stderrBytes > request.limits.maxStderrBytes) {
        stop(
          "output-limit",
          `wrote more than ${request.limits.maxStderrBytes} bytes of errors and was killed`,
        );
        return;
      }
      stderr.push(chunk);
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(request.stdin ?? "");

    let settled = false;
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    child.on("error", (err) => {
      finish({
        ok: false,
        kind: "spawn-failed",
        reason: `could not start ${request.file}: ${err.message}`,
        stderr: "",
        exitCode: null,
        durationMs: performance.now() - started,
      });
    });
    child.on("close", (code, signal) => {
      // Anything the tool left behind in its group goes too.
      killTree();
      const durationMs = performance.now() - started;
      const errText = Buffer.concat(stderr).toString("utf8");
      if (stopped) {
        finish({ ok: false, ...stopped, stderr: errText, exitCode: code, durationMs });
      } else if (code === 0) {
        finish({ ok: true, stdout: Buffer.concat(stdout), stderr: errText, durationMs });
      } else if (GO_OUT_OF_MEMORY.test(errText)) {
        finish({
          ok: false,
          kind: "memory-limit",
          reason: `ran out of its ${request.limits.memoryMiB} MiB memory budget and was stopped`,
          stderr: errText,
          exitCode: code,
          durationMs,
        });
      } else {
        finish({
          ok: false,
          kind: "exit",
          reason: signal ? `was killed by ${signal}` : `exited with code ${code}`,
          stderr: errText,
          exitCode: code,
          durationMs,
        });
      }
    });
  });
}
