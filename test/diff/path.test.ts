import { describe, expect, it } from "@jest/globals";
import { formatPath, formatValuePath } from "../../src/diff/path.js";
import { getIn } from "../../src/model/located.js";

describe("formatPath", () => {
  it("renders keys, indexes, merge keys and set elements", () => {
    expect(
      formatPath([
        { kind: "key", key: "spec" },
        { kind: "key", key: "containers" },
        { kind: "match", field: "name", value: "app" },
        { kind: "key", key: "ports" },
        { kind: "match", field: "containerPort", value: 80 },
      ]),
    ).toBe("spec.containers[name=app].ports[containerPort=80]");
    expect(
      formatPath([
        { kind: "key", key: "metadata" },
        { kind: "key", key: "annotations" },
        { kind: "key", key: "app.kubernetes.io/name" },
      ]),
    ).toBe('metadata.annotations["app.kubernetes.io/name"]');
    expect(
      formatPath([
        { kind: "key", key: "args" },
        { kind: "element", value: "--foo" },
      ]),
    ).toBe('args[="--foo"]');
    expect(
      formatPath([
        { kind: "key", key: "ports" },
        { kind: "match", field: "name", value: "80" },
      ]),
    ).toBe('ports[name="80"]');
    expect(formatPath([])).toBe("");
  });

  it("renders index-based paths", () => {
    expect(formatValuePath(["spec", "containers", 0, "image"])).toBe("spec.containers[0].image");
  });
});

describe("getIn", () => {
  it("walks maps and lists and returns undefined for missing nodes", () => {
    const value = { spec: { containers: [{ name: "app", image: null }] } };
    expect(getIn(value, ["spec", "containers", 0, "name"])).toBe("app");
    expect(getIn(value, ["spec", "containers", 0, "image"])).toBeNull();
    expect(getIn(value, ["spec", "containers", 1])).toBeUndefined();
    expect(getIn(value, ["spec", "containers", "0"])).toBeUndefined();
    expect(getIn(value, [])).toBe(value);
  });
});
