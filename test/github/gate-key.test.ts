import { describe, expect, it } from "@jest/globals";
import { gateKeyFrom } from "../../src/gate/seal.js";
import { gateKeyFromEnv } from "../../src/github/gate-key.js";

function logger() {
  const warnings: unknown[] = [];
  return { warnings, log: { warn: (...args: unknown[]) => void warnings.push(args) } as never };
}

describe("gateKeyFromEnv", () => {
  it("prefers GATE_STATE_KEY, else derives the key from the webhook secret", () => {
    const { warnings, log } = logger();
    const dedicated = gateKeyFromEnv({ GATE_STATE_KEY: "k1", WEBHOOK_SECRET: "w1" }, log);
    const fromSecret = gateKeyFromEnv({ WEBHOOK_SECRET: "w1" }, log);
    expect(dedicated.bytes.equals(gateKeyFrom("k1").bytes)).toBe(true);
    expect(fromSecret.bytes.equals(gateKeyFrom("w1").bytes)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it("without either, a key of this process only, and says so", () => {
    const { warnings, log } = logger();
    const first = gateKeyFromEnv({}, log);
    const second = gateKeyFromEnv({ WEBHOOK_SECRET: "" }, log);
    expect(first.bytes).toHaveLength(32);
    expect(first.bytes.equals(second.bytes)).toBe(false);
    // Never Probot's public fallback secret.
    expect(first.bytes.equals(gateKeyFrom("development").bytes)).toBe(false);
    expect(warnings).toHaveLength(2);
    expect(String((warnings[0] as unknown[])[0])).toContain("lost on restart");
  });
});
