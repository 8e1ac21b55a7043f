import { describe, expect, it } from "@jest/globals";
import { diffValues } from "../../src/diff/semantic-diff.js";
import { located } from "./helpers.js";

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/web:1.0.0
          env:
            - name: LOG_LEVEL
              value: info
            - name: PORT
              value: "8080"
          ports:
            - containerPort: 8080
              name: http
          volumeMounts:
            - name: config
              mountPath: /etc/web
            - name: data
              mountPath: /data
        - name: sidecar
          image: envoyproxy/envoy:v1.30.0
      volumes:
        - name: config
          configMap:
            name: web-config
        - name: data
          emptyDir: {}
`;

describe("diffValues", () => {
  it("reports nothing for key order, comments and formatting", () => {
    const head = `# the web deployment
kind: Deployment
apiVersion: "apps/v1"
spec:
  template:
    spec:
      volumes:
      - {name: config, configMap: {name: web-config}}
      - name: data
        emptyDir: {}
      containers:
      - name: app
        image: 'ghcr.io/acme/web:1.0.0'   # pinned
        ports: [{name: http, containerPort: 8080}]
        env:
        - {name: LOG_LEVEL, value: info}
        - {name: PORT, value: '8080'}
        volumeMounts:
        - {mountPath: /etc/web, name: config}
        - {mountPath: /data, name: data}
      - name: sidecar
        image: envoyproxy/envoy:v1.30.0
  replicas: 0x2
metadata:
  labels: {app.kubernetes.io/name: web}
  name: web
`;
    expect(diffValues(located(deployment), located(head))).toEqual([]);
  });

  it("reports nothing when containers, env, mounts and volumes are reordered", () => {
    const head = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: 2
  template:
    spec:
      volumes:
        - name: data
          emptyDir: {}
        - name: config
          configMap:
            name: web-config
      containers:
        - name: sidecar
          image: envoyproxy/envoy:v1.30.0
        - name: app
          image: ghcr.io/acme/web:1.0.0
          env:
            - name: PORT
              value: "8080"
            - name: LOG_LEVEL
              value: info
          ports:
            - containerPort: 8080
              name: http
          volumeMounts:
            - name: data
              mountPath: /data
            - name: config
              mountPath: /etc/web
`;
    expect(diffValues(located(deployment), located(head))).toEqual([]);
  });

  it("reports a changed container image at its keyed path with both lines", () => {
    const head = located(deployment.replace("web:1.0.0", "web:1.1.0"), "head.yaml");
    expect(diffValues(located(deployment, "base.yaml"), head)).toEqual([
      {
        path: "spec.template.spec.containers[name=app].image",
        op: "changed",
        basePath: ["spec", "template", "spec", "containers", 0, "image"],
        headPath: ["spec", "template", "spec", "containers", 0, "image"],
        before: "ghcr.io/acme/web:1.0.0",
        after: "ghcr.io/acme/web:1.1.0",
        base: { file: "base.yaml", line: 13 },
        head: { file: "head.yaml", line: 13 },
      },
    ]);
  });

  it("matches volumeMounts by mountPath and ports by containerPort", () => {
    const head = deployment
      .replace(
        "            - name: config\n              mountPath: /etc/web",
        "            - name: settings\n              mountPath: /etc/web",
      )
      .replace(
        "containerPort: 8080\n              name: http",
        "containerPort: 8080\n              name: web",
      );
    const changes = diffValues(located(deployment), located(head));
    expect(changes.map(({ path, op, before, after }) => ({ path, op, before, after }))).toEqual([
      {
        path: "spec.template.spec.containers[name=app].ports[containerPort=8080].name",
        op: "changed",
        before: "http",
        after: "web",
      },
      {
        path: "spec.template.spec.containers[name=app].volumeMounts[mountPath=/etc/web].name",
        op: "changed",
        before: "config",
        after: "settings",
      },
    ]);
  });

  it("reports an added or removed subtree once, at its root", () => {
    const base = located(
      `spec:\n  volumes:\n    - name: config\n      configMap:\n        name: a\n`,
      "base.yaml",
    );
    const head = located(
      `spec:\n  volumes:\n    - name: data\n      emptyDir: {}\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 1000\n`,
      "head.yaml",
    );
    expect(diffValues(base, head)).toEqual([
      {
        path: "spec.volumes[name=config]",
        op: "removed",
        basePath: ["spec", "volumes", 0],
        headPath: null,
        before: { name: "config", configMap: { name: "a" } },
        base: { file: "base.yaml", line: 3 },
        head: { file: "head.yaml", line: 2 },
      },
      {
        path: "spec.volumes[name=data]",
        op: "added",
        basePath: null,
        headPath: ["spec", "volumes", 0],
        after: { name: "data", emptyDir: {} },
        base: { file: "base.yaml", line: 2 },
        head: { file: "head.yaml", line: 3 },
      },
      {
        path: "spec.securityContext",
        op: "added",
        basePath: null,
        headPath: ["spec", "securityContext"],
        after: { runAsNonRoot: true, runAsUser: 1000 },
        base: { file: "base.yaml", line: 1 },
        head: { file: "head.yaml", line: 5 },
      },
    ]);
  });

  it("reports a whole document added or removed at the root", () => {
    const value = located("a: 1\n");
    expect(diffValues(null, value)).toEqual([
      {
        path: "",
        op: "added",
        basePath: null,
        headPath: [],
        after: { a: 1 },
        base: null,
        head: { file: "test.yaml", line: 1 },
      },
    ]);
    expect(diffValues(value, null).map((change) => change.op)).toEqual(["removed"]);
    expect(diffValues(null, null)).toEqual([]);
  });

  it("treats a scalar replaced by a map as one change", () => {
    const changes = diffValues(located("persistence: false\n"), located("persistence:\n  enabled: true\n"));
    expect(changes.map(({ path, op, before, after }) => ({ path, op, before, after }))).toEqual([
      { path: "persistence", op: "changed", before: false, after: { enabled: true } },
    ]);
  });

  it("compares scalars by type and numeric value", () => {
    const changes = diffValues(
      located("port: 80\nratio: 1\nenabled: true\n"),
      located('port: "80"\nratio: 1.0\nenabled: "true"\n'),
    );
    expect(changes.map(({ path, before, after }) => ({ path, before, after }))).toEqual([
      { path: "port", before: 80, after: "80" },
      { path: "enabled", before: true, after: "true" },
    ]);
  });

  it("reports a key going from null to absent as removed", () => {
    const changes = diffValues(located("a: 1\nb: null\n"), located("a: 1\n"));
    expect(changes.map(({ path, op, before }) => ({ path, op, before }))).toEqual([
      { path: "b", op: "removed", before: null },
    ]);
  });

  it("orders changes by base keys, then new keys in head order", () => {
    const changes = diffValues(located("z: 1\na: 1\nm: 1\n"), located("q: 2\nm: 2\nz: 2\nb: 2\n"));
    expect(changes.map(({ path, op }) => `${op} ${path}`)).toEqual([
      "changed z",
      "removed a",
      "changed m",
      "added q",
      "added b",
    ]);
  });

  it("diffs unique scalar lists as sets and ignores reordering", () => {
    const base = located(
      "additionalArguments:\n  - --log.level=INFO\n  - --ping\n  - --api.dashboard=true\n",
    );
    const head = located(
      "additionalArguments:\n  - --api.dashboard=true\n  - --ping\n  - --log.level=DEBUG\n",
    );
    const changes = diffValues(base, head);
    expect(
      changes.map(({ path, op, basePath, headPath, before, after }) => ({
        path,
        op,
        basePath,
        headPath,
        before,
        after,
      })),
    ).toEqual([
      {
        path: 'additionalArguments[="--log.level=INFO"]',
        op: "removed",
        basePath: ["additionalArguments", 0],
        headPath: null,
        before: "--log.level=INFO",
        after: undefined,
      },
      {
        path: 'additionalArguments[="--log.level=DEBUG"]',
        op: "added",
        basePath: null,
        headPath: ["additionalArguments", 2],
        before: undefined,
        after: "--log.level=DEBUG",
      },
    ]);
    expect(
      diffValues(base, located("additionalArguments: [--ping, --api.dashboard=true, --log.level=INFO]\n")),
    ).toEqual([]);
  });

  it("lines up lists without a usable key, or with duplicates, in order", () => {
    const changes = diffValues(
      located("tolerations:\n  - key: a\n    effect: NoSchedule\nlevels: [1, 1, 2]\n"),
      located("tolerations:\n  - key: a\n    effect: NoExecute\nlevels: [1, 2, 2]\n"),
    );
    expect(changes.map(({ path, before, after }) => ({ path, before, after }))).toEqual([
      { path: "tolerations[0].effect", before: "NoSchedule", after: "NoExecute" },
      { path: "levels[1]", before: 1, after: 2 },
    ]);
  });

  it("diffs lists under keys named like Object.prototype members", () => {
    const changes = diffValues(
      located("toString: [a, b]\nconstructor: [1]\n__proto__: [x]\n"),
      located("toString: [a, c]\nconstructor: [2]\n__proto__: [y]\n"),
    );
    expect(changes.map(({ path, op }) => `${op} ${path}`)).toEqual([
      'removed toString[="b"]',
      'added toString[="c"]',
      "removed constructor[=1]",
      "added constructor[=2]",
      'removed __proto__[="x"]',
      'added __proto__[="y"]',
    ]);
  });

  it("keeps command and args ordered", () => {
    const changes = diffValues(located("args: [sh, -c, run]\n"), located("args: [-c, sh, run]\n"));
    expect(changes.map((change) => change.path)).toEqual(["args[0]", "args[1]"]);
  });

  it("does not use a merge key that is duplicated on one side", () => {
    const changes = diffValues(
      located("env:\n  - name: A\n    value: '1'\n  - name: B\n    value: '2'\n"),
      located("env:\n  - name: A\n    value: '1'\n  - name: A\n    value: '2'\n"),
    );
    expect(changes.map((change) => change.path)).toEqual(["env[1].name"]);
  });

  it("matches any list of uniquely named maps by name, and accepts extra merge keys", () => {
    const base = located("routes:\n  - host: a.example\n    port: 80\n  - host: b.example\n    port: 80\n");
    const head = located("routes:\n  - host: b.example\n    port: 81\n  - host: a.example\n    port: 80\n");
    // Without a merge key the edited route moved to the top reads as one route out, one route in.
    expect(diffValues(base, head).map(({ op, path }) => `${op} ${path}`)).toEqual([
      "added routes[0]",
      "removed routes[1]",
    ]);
    const keyed = diffValues(base, head, { mergeKeys: { routes: ["host"] } });
    expect(keyed.map((change) => change.path)).toEqual(["routes[host=b.example].port"]);

    const named = diffValues(
      located("jobs:\n  - name: backup\n    schedule: daily\n  - name: vacuum\n    schedule: weekly\n"),
      located("jobs:\n  - name: vacuum\n    schedule: weekly\n  - name: backup\n    schedule: hourly\n"),
    );
    expect(named.map((change) => change.path)).toEqual(["jobs[name=backup].schedule"]);
  });

  it("uses the nearest located ancestor when a path has no location of its own", () => {
    const base = located("spec:\n  values:\n    a: 1\n", "base.yaml");
    const head = located("spec:\n  values:\n    a: 2\n", "head.yaml");
    head.locations = new Map([...head.locations].filter(([key]) => !key.endsWith("a")));
    const [change] = diffValues(base, head);
    expect(change?.base).toEqual({ file: "base.yaml", line: 3 });
    expect(change?.head).toEqual({ file: "head.yaml", line: 2 });
  });

  it("skips ignored subtrees and prunes them from reported values", () => {
    const ignore = (path: readonly (string | number)[]): boolean => path.join(".") === "spec.values";
    const base = located("spec:\n  chart: web\n  values:\n    replicas: 1\n");
    const head = located("spec:\n  chart: api\n  values:\n    replicas: 2\n");
    expect(diffValues(base, head, { ignore }).map((change) => change.path)).toEqual(["spec.chart"]);

    const added = diffValues(null, head, { ignore });
    expect(added.map(({ path, after }) => ({ path, after }))).toEqual([
      { path: "", after: { spec: { chart: "api" } } },
    ]);
    expect(head.value).toEqual({ spec: { chart: "api", values: { replicas: 2 } } });
  });
});
