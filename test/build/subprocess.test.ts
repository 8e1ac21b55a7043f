import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  DEFAULT_LIMITS,
  Limiter,
  probeSandbox,
  runBounded,
  scrubbedEnvironment,
} from "../../src/build/subprocess.js";
import { removeTree, writeTree } from "./helpers.js";

describe("runBounded", () => {
  let home: string;
  beforeAll(async () => {
    home = await writeTree({ "tmp/.keep": "" });
  });
  afterAll(async () => {
    await removeTree(home);
  });

  const node = (script: string, limits = {}) =>
    probeSandbox().then((sandbox) =>
      runBounded(
        {
          file: process.execPath,
          args: ["-e", script],
          cwd: home,
          env: scrubbedEnvironment(home, 256),
          limits: { ...DEFAULT_LIMITS, ...limits },
        },
        sandbox,
      ),
    );

  it("gives the child only the scrubbed environment: no tokens, proxies or kubeconfig of ours", async () => {
    process.env.GITHUB_TOKEN = "ghs_secret_of_the_app";
    try {
      const run = await node("process.stdout.write(JSON.stringify(process.env))");
      expect(run.ok).toBe(true);
      const env = JSON.parse(run.ok ? run.stdout.toString() : "{}") as Record<string, string>;
      expect(env.GITHUB_TOKEN).toBeUndefined();
      expect(env.KUBECONFIG).toBe("/dev/null");
      expect(env.HELM_CONFIG_HOME).toBe(`${home}/helm/config`);
      expect(env.HTTPS_PROXY).toBe("http://127.0.0.1:9");
      expect(env.GOMEMLIMIT).toBe("256MiB");
    } finally {
      delete process.env.GITHUB_TOKEN;
    }
  });

  it("kills the whole process tree when the timeout passes", async () => {
    const script = `
      const { spawn } = require("node:child_process");
      const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      require("node:fs").writeFileSync("grandchild.pid", String(child.pid));
      setInterval(() => {}, 1000);`;
    const started = Date.now();
    const run = await node(script, { timeoutMs: 1500 });
    expect(run).toMatchObject({
      ok: false,
      kind: "timeout",
      reason: "did not finish within 1500 ms and was killed",
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    const grandchild = Number(readFileSync(join(home, "grandchild.pid"), "utf8"));
    await new Promise((r) => setTimeout(r, 100));
    expect(processState(grandchild)).toMatch(/^(gone|Z)$/);
  });

  it("kills a process that writes more than its output bound", async () => {
    const run = await node("setInterval(() => process.stdout.write('x'.repeat(65536)), 1)", {
      maxStdoutBytes: 1024 * 1024,
    });
    expect(run).toMatchObject({
      ok: false,
      kind: "output-limit",
      reason: "wrote more than 1048576 bytes and was killed",
    });
  });

  it("reports a non-zero exit with the child's stderr", async () => {
    const run = await node("console.error('Error: template: boom'); process.exit(3)");
    expect(run).toMatchObject({ ok: false, kind: "exit", exitCode: 3, stderr: "Error: template: boom\n" });
  });

  it("blocks the network of the child where the machine allows a network namespace", async () => {
    const sandbox = await probeSandbox();
    if (!sandbox.unshare) return; // Not available here: the proxy variables are the only guard.
    const run = await node(`
      const s = require("node:net").connect(1, "127.0.0.1");
      s.on("error", (e) => { process.stdout.write(e.code); process.exit(0); });
      s.on("connect", () => { process.stdout.write("connected"); process.exit(0); });`);
    expect(run.ok && run.stdout.toString()).toMatch(/^(ENETUNREACH|ECONNREFUSED|EADDRNOTAVAIL)$/);
  });
});

/** "gone", or the state letter in /proc (Z: killed, waiting for a parent that may never reap it). */
function processState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0] ?? "gone";
  } catch {
    return "gone";
  }
}

describe("Limiter", () => {
  it("runs at most `size` tasks at once", async () => {
    const limiter = new Limiter(2);
    let active = 0;
    let peak = 0;
    const task = () =>
      limiter.run(async () => {
        peak = Math.max(peak, ++active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
      });
    await Promise.all(Array.from({ length: 7 }, task));
    expect(peak).toBe(2);
  });
});

it("finds util-linux prlimit on this kind of machine (the hard memory bound)", async () => {
  const sandbox = await probeSandbox();
  expect(sandbox.prlimit !== null).toBe(existsSync("/usr/bin/prlimit") || existsSync("/bin/prlimit"));
});
