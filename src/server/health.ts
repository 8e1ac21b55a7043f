/**
 * Readiness: ready to take webhooks when not draining, Redis answers (when configured) and the
 * external tools the review needs are present (when the deployment says they are required).
 * Liveness (/healthz) is only "the event loop answers": the review itself runs in threads.
 */
import { spawnSync } from "node:child_process";
import type { Coordination } from "../queue/coordination.js";
import { EXPECTED_TOOLS, type ToolName } from "./tools.js";

export interface Readiness {
  ready: boolean;
  checks: Record<string, "ok" | string>;
}

const toolPresence = new Map<ToolName, string>();

/** `ok`, or why not; looked up once per process (the image does not change under it). */
function toolCheck(tool: ToolName, env: NodeJS.ProcessEnv): string {
  const known = toolPresence.get(tool);
  if (known) return known;
  const binary = env[EXPECTED_TOOLS[tool].envVar] || tool;
  const run = spawnSync(binary, EXPECTED_TOOLS[tool].versionArgs, {
    timeout: 5000,
    encoding: "utf8",
    env: { PATH: env.PATH ?? "" },
  });
  const result = run.status === 0 ? "ok" : `${binary} not runnable`;
  toolPresence.set(tool, result);
  return result;
}

export async function readiness(input: {
  accepting: boolean;
  coordination: Coordination;
  env?: NodeJS.ProcessEnv;
}): Promise<Readiness> {
  const env = input.env ?? process.env;
  const checks: Record<string, string> = { accepting: input.accepting ? "ok" : "draining" };
  if (input.coordination.kind === "redis")
    checks.redis = (await input.coordination.ping()) ? "ok" : "unreachable";
  if (env.GITOPS_REVIEW_REQUIRE_TOOLS === "true") {
    for (const tool of Object.keys(EXPECTED_TOOLS) as ToolName[]) checks[tool] = toolCheck(tool, env);
  }
  return { ready: Object.values(checks).every((value) => value === "ok"), checks };
}
