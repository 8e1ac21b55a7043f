import { describe, expect, it } from "@jest/globals";
import semver from "semver";
import { chooseVersion, parseConstraint, parseFluxVersion, satisfies } from "../../src/build/flux-semver.js";

function matches(constraint: string, version: string): boolean {
  const parsed = parseConstraint(constraint);
  if (!parsed.ok) throw new Error(parsed.reason);
  const v = parseFluxVersion(version);
  if (!v) throw new Error(`bad version ${version}`);
  return satisfies(v, parsed.constraint);
}

describe("Masterminds/semver constraints (what Flux and Helm use)", () => {
  it.each([
    ["1.x", "1.21.1", true],
    ["1.x", "2.0.0", false],
    ["~1.2.3", "1.2.9", true],
    ["~1.2.3", "1.3.0", false],
    ["~1", "1.9.0", true],
    ["^0.2.3", "0.2.9", true],
    ["^0.2.3", "0.3.0", false],
    ["^0.0.3", "0.0.4", false],
    [">11", "11.1.0", false],
    [">11", "12.0.0", true],
    ["<=1.2", "1.2.9", true],
    ["<=1.2", "1.3.0", false],
    ["1.2.3 - 2.3", "2.3.9", true],
    ["1.2.3 - 2.3", "2.4.0", false],
    ["*", "41.3.0", true],
    ["*", "42.0.0-rc.1", false],
    [">=4.0.0 <5.0.0 || 41.x", "41.3.0", true],
    ["v1.21.x", "v1.21.1", true],
  ])("%s matches %s: %s", (constraint, version, expected) => {
    expect(matches(constraint, version)).toBe(expected);
  });

  it("reads a comma as AND, where npm semver rejects the range", () => {
    expect(matches(">=1.0.0, <2.0.0", "1.5.0")).toBe(true);
    expect(matches(">=1.0.0, <2.0.0", "2.0.0")).toBe(false);
    expect(semver.validRange(">=1.0.0, <2.0.0")).toBeNull();
  });

  it("knows != and => which npm semver does not", () => {
    expect(matches("!=1.2.3", "1.2.4")).toBe(true);
    expect(matches("!=1.2.3", "1.2.3")).toBe(false);
    expect(matches("=>1.2.3", "1.2.3")).toBe(true);
    expect(semver.validRange("!=1.2.3")).toBeNull();
  });

  it("lets prereleases of any version through once a comparator names a prerelease, unlike npm", () => {
    expect(matches(">=1.2.0-0", "1.5.0-rc.1")).toBe(true);
    expect(semver.satisfies("1.5.0-rc.1", ">=1.2.0-0")).toBe(false);
    // Only within the AND group that names one.
    expect(matches(">=1.2.0-0 || >=3.0.0", "3.1.0-rc.1")).toBe(true);
    expect(matches(">=3.0.0", "3.1.0-rc.1")).toBe(false);
  });

  it("says why a constraint cannot be read", () => {
    expect(parseConstraint(">= 1.0.0 ||")).toEqual({ ok: false, reason: 'improper constraint: ""' });
    expect(parseConstraint("latest").ok).toBe(false);
    expect(parseConstraint("x".repeat(600)).ok).toBe(false);
  });
});

describe("chooseVersion (source-controller's getChartVersion)", () => {
  const index = [
    { version: "v1.6.1" },
    { version: "v1.21.1" },
    { version: "v1.18.2" },
    { version: "1.22.0-beta.1" },
    { version: "1.2" },
  ];

  it("takes the highest stable version for an empty or * constraint", () => {
    expect(chooseVersion(index, undefined)).toEqual({ ok: true, entry: { version: "v1.21.1" } });
    expect(chooseVersion(index, "*")).toEqual({ ok: true, entry: { version: "v1.21.1" } });
  });

  it("prefers an exact string match, even one semver cannot read", () => {
    expect(chooseVersion(index, "1.2")).toEqual({ ok: true, entry: { version: "1.2" } });
  });

  it("skips index versions with fewer than three parts when resolving a range", () => {
    expect(chooseVersion([{ version: "1.2" }, { version: "1.1.0" }], "^1.0.0")).toEqual({
      ok: true,
      entry: { version: "1.1.0" },
    });
  });

  it("breaks a tie between builds of one version by the created time", () => {
    const builds = [
      { version: "1.0.0+a", created: "2024-01-01T00:00:00Z" },
      { version: "1.0.0+b", created: "2024-06-01T00:00:00Z" },
    ];
    expect(chooseVersion(builds, "1.x")).toEqual({ ok: true, entry: builds[1] });
  });

  it("fails with the constraint in the reason", () => {
    expect(chooseVersion(index, "2.x")).toEqual({ ok: false, reason: 'no version matches "2.x"' });
  });
});
