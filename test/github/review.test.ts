import { rules as catalogue } from "../../rules/index.js";
import { describe, expect, it } from "@jest/globals";
import { defaultConfig, parseConfig, type ReviewConfig } from "../../src/engine/config.js";
import { applyPolicy, decideVerdict } from "../../src/engine/policy.js";
import { reviewChangeSet } from "../../src/engine/review.js";
import { STICKY_MARKER } from "../../src/render/comment.js";
import { blobId } from "../../src/source/snapshot.js";
import {
  BASE_SHA,
  examplePayload,
  GitHubMock,
  HEAD_SHA,
  MERGE_BASE_SHA,
  OWNER,
  ownComment,
  pullRequestPayload,
  REPO,
  type PullRequestPayload,
  useMockedApp,
} from "../mocks/github.js";
import {
  BROKEN_YAML,
  contentsFor,
  exampleFixture,
  fileEntries,
  localChangeSet,
  type PrFixture,
} from "../mocks/pull-request-files.js";

const app = useMockedApp();

/** What the engine and the default policy say about a fixture, computed locally. */
async function expectedReview(fixture: PrFixture, config: ReviewConfig = defaultConfig()) {
  const { changeSet, contextReader } = localChangeSet(fixture);
  const review = await reviewChangeSet(changeSet, { contextReader, rules: catalogue });
  const outcome = applyPolicy(review.findings, config);
  return { review, outcome, verdict: decideVerdict(outcome, review.inScope) };
}

async function receive(payload: PullRequestPayload): Promise<void> {
  await app.probot.receive({ id: "delivery", name: "pull_request", payload } as never);
}

interface CheckUpdate {
  status?: string;
  conclusion?: string;
  output: {
    title: string;
    summary: string;
    text?: string;
    annotations?: { path: string; start_line: number; annotation_level: string; title: string }[];
  };
}

/** Expects the usual sequence of one review and registers its mocks. */
function mockReview(
  fixture: PrFixture,
  options: {
    config?: string | null;
    comments?: Parameters<GitHubMock["comments"]>[0];
    token?: number;
    labels?: string[];
  } = {},
) {
  if (options.token !== undefined) app.github.installationToken(options.token);
  app.github
    .createCheckRun()
    .config(options.config ?? null)
    .compare(fileEntries(fixture.files), { contents: contentsFor(fixture) })
    .graphql(contentsFor(fixture), "any")
    .prState({ labels: options.labels ?? [], comments: options.comments ?? [] });
}

// ---------------------------------------------------------------------------------------------

describe("the incident PR (examples/acme-volume-incident)", () => {
  it("holds the check with annotations, comments the findings with checklists and labels the PR", async () => {
    const fixture = await exampleFixture("acme-volume-incident");
    const expected = await expectedReview(fixture);
    const highest = expected.outcome.highest;
    const payload = pullRequestPayload("opened", { changedFiles: fixture.files.length });
    mockReview(fixture, { token: payload.installation.id });
    app.github.createComment();
    // First use in the repository: GitHub creates the label, the App gives it its colour.
    if (highest === "critical" || highest === "high" || highest === "medium")
      app.github.addLabels(1, true).updateLabel(`gitops-risk:${highest}`);
    const annotated = expected.outcome.findings.filter((finding) => finding.location.side === "head");
    app.github.updateCheckRun(7001, Math.max(1, Math.ceil(annotated.length / 50)));

    await receive(payload);

    // The engine's verdict on the incident, published as is.
    expect(expected.verdict.conclusion).toBe("action_required");
    const updates = app.github.bodiesOf("PATCH", "/check-runs/7001") as unknown as CheckUpdate[];
    expect(updates[0]).toMatchObject({
      status: "completed",
      conclusion: "action_required",
      output: { title: expected.verdict.title },
    });
    const annotations = updates.flatMap((update) => update.output.annotations ?? []);
    expect(annotations.map((a) => [a.path, a.start_line])).toEqual(
      annotated.map((finding) => [finding.location.path, finding.location.line ?? 1]),
    );
    expect(annotations.every((a) => a.annotation_level !== undefined)).toBe(true);

    const comments = app.github.bodiesOf("POST", "/issues/1/comments");
    expect(comments).toHaveLength(1);
    const body = comments[0].body as string;
    for (const finding of expected.outcome.findings) {
      expect(body).toContain(finding.title);
      expect(body).toContain(`- [ ] `);
    }
    expect(body.indexOf(expected.verdict.line)).toBeGreaterThan(0);
    expect(body.indexOf("### What changes")).toBeGreaterThan(body.indexOf("- [ ] "));

    expect(app.github.bodiesOf("POST", "/issues/1/labels")).toEqual([{ labels: [`gitops-risk:${highest}`] }]);
    expect(app.github.bodiesOf("PATCH", `/repos/${OWNER}/${REPO}/labels/`)).toEqual([
      {
        color: expect.stringMatching(/^[0-9a-f]{6}$/),
        description: `gitops-review-bot: highest finding is ${highest}`,
      },
    ]);
  });
});

describe("a finding from a real rule", () => {
  const config = "environments:\n  production:\n    paths: ['clusters/prod/**']\n    raise: 1\n";

  it("raises severity by environment, annotates the exact line and adds the label", async () => {
    const parsed = parseConfig({ environments: { production: { paths: ["clusters/prod/**"], raise: 1 } } });
    if (!parsed.ok) throw new Error(parsed.errors.join());
    const expected = await expectedReview(BROKEN_YAML, parsed.config);
    const [finding] = expected.outcome.findings;
    expect(finding).toMatchObject({ ruleId: "parse-problem", severity: "critical", engineSeverity: "high" });

    const payload = pullRequestPayload("opened");
    mockReview(BROKEN_YAML, { token: payload.installation.id, config });
    app.github.createComment().addLabels().updateCheckRun();

    await receive(payload);

    const [update] = app.github.bodiesOf("PATCH", "/check-runs/7001") as unknown as CheckUpdate[];
    expect(update).toMatchObject({
      conclusion: "action_required",
      output: {
        title: "1 critical: second reviewer required",
        annotations: [
          {
            path: "clusters/prod/apps/web.yaml",
            start_line: finding.location.line,
            end_line: finding.location.line,
            annotation_level: "failure",
            title: "critical: File could not be reviewed (parse-problem)",
          },
        ],
      },
    });
    const [comment] = app.github.bodiesOf("POST", "/issues/1/comments");
    expect(comment.body).toContain("#### 🔴 Critical (1)");
    expect(comment.body).toContain("_Severity high → critical: environment production (+1)._");
    expect(app.github.bodiesOf("POST", "/issues/1/labels")).toEqual([{ labels: ["gitops-risk:critical"] }]);
  });

  it("edits the same comment on a push and moves the label when the risk changes", async () => {
    const payload = pullRequestPayload("opened");
    mockReview(BROKEN_YAML, { token: payload.installation.id, config });
    app.github.createComment().addLabels().updateCheckRun();
    await receive(payload);
    const first = app.github.requests.length;

    // The push fixes the YAML: same comment edited, critical label removed, no second comment.
    const fixed: PrFixture = {
      files: [{ ...BROKEN_YAML.files[0], head: BROKEN_YAML.files[0].base!.replace("a: b", "a: c") }],
      context: {},
    };
    const push = pullRequestPayload("synchronize");
    app.github.endGraphql();
    mockReview(fixed, {
      config,
      comments: [ownComment(9001, `${STICKY_MARKER}\nprevious`)],
      labels: ["gitops-risk:critical", "bug"],
    });
    app.github.updateComment(9001).removeLabel("gitops-risk:critical").updateCheckRun();
    await receive(push);

    const second = app.github.calls.slice(first);
    expect(second).not.toContain(`POST /repos/${OWNER}/${REPO}/issues/1/comments`);
    expect(second).toContain(`PATCH /repos/${OWNER}/${REPO}/issues/comments/9001`);
    expect(second).toContain(`DELETE /repos/${OWNER}/${REPO}/issues/1/labels/gitops-risk:critical`);
    expect(app.github.bodiesOf("POST", "/issues/1/comments")).toHaveLength(1);
    const updates = app.github.bodiesOf("PATCH", "/check-runs/7001");
    expect(updates.map((update) => update.conclusion)).toEqual(["action_required", "success"]);
  });
});

describe("configuration", () => {
  it("fails the check with the exact validation errors and publishes nothing else", async () => {
    const payload = pullRequestPayload("opened");
    app.github
      .installationToken(payload.installation.id)
      .createCheckRun()
      .config("gate:\n  severity: urgent\ncomment:\n  mode: sometimes\nlabel: false\n")
      .compare([{ filename: "apps/web.yaml", status: "modified" }])
      .updateCheckRun();

    await receive(payload);

    const [update] = app.github.bodiesOf("PATCH", "/check-runs/7001") as unknown as CheckUpdate[];
    expect(update).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Invalid .github/gitops-review.yml (3 errors)" },
    });
    expect(update.output.summary).toContain(
      "`gate.severity: expected one of info, low, medium, high, critical`",
    );
    expect(update.output.summary).toContain(
      "`comment.mode: expected one of always, on-changes, on-findings`",
    );
    expect(update.output.summary).toContain('`unknown key "label"`');
  });

  it("reports YAML that does not parse", async () => {
    const payload = pullRequestPayload("opened");
    app.github
      .installationToken(payload.installation.id)
      .createCheckRun()
      .config("gate: [oops\n")
      .compare([])
      .updateCheckRun();

    await receive(payload);

    const [update] = app.github.bodiesOf("PATCH", "/check-runs/7001") as unknown as CheckUpdate[];
    expect(update.conclusion).toBe("failure");
    expect(update.output.summary).toMatch(/Configuration could not be parsed .*invalid YAML/);
  });
});

describe("custom rules", () => {
  const CUSTOM_CONFIG = `customRules:
  - id: lb-needs-pinned-ip
    title: LoadBalancer without a pinned IP
    severity: high
    match: { kinds: [Service] }
    expression: "object.spec.type == 'LoadBalancer' && !has(object.spec.loadBalancerIP)"
    message: "{{subject}} gets a new address when it is recreated"
    checklist: ["Is the address reserved and in DNS?"]
`;
  const fixture: PrFixture = {
    files: [
      {
        path: "network/edge-lb.yaml",
        base: "apiVersion: v1\nkind: Service\nmetadata:\n  name: edge\n  namespace: net\nspec:\n  type: ClusterIP\n",
        head: "apiVersion: v1\nkind: Service\nmetadata:\n  name: edge\n  namespace: net\nspec:\n  type: LoadBalancer\n",
      },
    ],
    context: {},
  };

  it("a malformed expression fails the check with the key, the rule and the position", async () => {
    const payload = pullRequestPayload("opened");
    app.github
      .installationToken(payload.installation.id)
      .createCheckRun()
      .config(CUSTOM_CONFIG.replace("!has(object.spec.loadBalancerIP)", "!has(object.spec.loadBalancerIP"))
      .compare(fileEntries(fixture.files))
      .updateCheckRun();

    await receive(payload);

    const [update] = app.github.bodiesOf("PATCH", "/check-runs/7001") as unknown as CheckUpdate[];
    expect(update).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Invalid .github/gitops-review.yml (1 error)" },
    });
    expect(update!.output.summary).toContain(
      '`customRules.0.expression: rule lb-needs-pinned-ip, line 1, column 43 (near "(object.spec.loadBal…"): "(" is never closed`',
    );
    expect(app.github.bodiesOf("POST", "/issues/1/comments")).toEqual([]);
  });

  it("a finding gates, is commented with its checklist and annotated like a built-in one", async () => {
    const payload = pullRequestPayload("opened");
    mockReview(fixture, { token: payload.installation.id, config: CUSTOM_CONFIG });
    app.github.createComment().addLabels().updateCheckRun();

    await receive(payload);

    const [update] = app.github.bodiesOf("PATCH", "/check-runs/7001") as unknown as CheckUpdate[];
    expect(update!.conclusion).toBe("action_required");
    expect(update!.output.annotations).toContainEqual(
      expect.objectContaining({
        path: "network/edge-lb.yaml",
        start_line: 1,
        annotation_level: "failure",
        title: "high: LoadBalancer without a pinned IP (custom/lb-needs-pinned-ip)",
      }),
    );
    const [comment] = app.github.bodiesOf("POST", "/issues/1/comments");
    const body = comment!.body as string;
    expect(body).toContain("LoadBalancer without a pinned IP");
    expect(body).toContain("`custom/lb-needs-pinned-ip`");
    expect(body).toContain("Service/net/edge gets a new address when it is recreated");
    expect(body).toMatch(/- \[ \] Is the address reserved and in DNS\?/);
    expect(app.github.bodiesOf("POST", "/issues/1/labels")).toEqual([{ labels: ["gitops-risk:high"] }]);
  });
});

describe("secrets and mentions in the PR's files", () => {
  const fixture: PrFixture = {
    files: [
      {
        path: "apps/db/secret.yaml",
        base: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter1\n",
        head: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n",
      },
      {
        path: "apps/db/configmap.yaml",
        base: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\ndata:\n  owners: '@other'\n",
        head: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\ndata:\n  owners: '@some-team'\n  dbPassword: hunter2\n",
      },
      {
        path: "apps/db/values.yaml",
        base: "auth:\n  password: hunter1\n",
        head: "auth:\n  password: hunter2\n  owner: @some-team\n",
      },
    ],
    context: {},
  };

  it("never sends either in any body", async () => {
    const payload = pullRequestPayload("opened");
    mockReview(fixture, { token: payload.installation.id });
    const expected = await expectedReview(fixture);
    app.github.createComment();
    if (expected.outcome.highest && ["critical", "high", "medium"].includes(expected.outcome.highest)) {
      app.github.addLabels();
    }
    app.github.updateCheckRun();

    await receive(payload);

    const sent = app.github.sentText;
    if (process.env.DEBUG_SENT) console.log(sent);
    expect(sent).toContain("apps/db/secret.yaml");
    expect(sent).not.toContain("hunter2");
    expect(sent).not.toContain("hunter1");
    expect(sent).not.toContain("@some-team");
    expect(sent).not.toContain("@other");
  });
});

describe("scale", () => {
  /** 300 ConfigMaps in their own folders, `apps/app-<i>/configmap.yaml`, each changed. */
  function scaleFixture(context: Record<string, string> = {}): PrFixture {
    const fixture: PrFixture = { files: [], context };
    for (let i = 0; i < 300; i += 1) {
      const doc = (v: string) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${i}\ndata:\n  v: "${v}"\n`;
      fixture.files.push({ path: `apps/app-${i}/configmap.yaml`, base: doc("1"), head: doc("2") });
    }
    return fixture;
  }

  /** Every review of a 300-file PR: listing, both trees, contents, state, verdict, comment. */
  const EXPECTED = [
    "POST /app/installations/{id}/access_tokens",
    `POST /repos/${OWNER}/${REPO}/check-runs`,
    `GET /repos/${OWNER}/${REPO}/contents/.github/gitops-review.yml`,
    `GET /repos/${OWNER}/${REPO}/compare/${BASE_SHA}...${HEAD_SHA}`,
    `GET /repos/${OWNER}/.github/contents/.github/gitops-review.yml`,
    // 600 paths are more than a batch of probes: each commit's tree says where they are, and
    // how large. The same head tree then answers the ~600 context paths the model probes (a
    // kustomization.yaml|yml beside and above each file): none of them exists.
    `GET /repos/${OWNER}/${REPO}/git/trees/${MERGE_BASE_SHA}`,
    `GET /repos/${OWNER}/${REPO}/git/trees/${HEAD_SHA}`,
    // Both sides of the 300 files by blob id, in one request.
    "POST /graphql",
  ];

  function calls(installation: number): string[] {
    return app.github.calls.map((call) =>
      call.replace(`/installations/${installation}/`, "/installations/{id}/"),
    );
  }

  it("reviews a 300-file PR in a bounded number of requests", async () => {
    const fixture = scaleFixture();
    const payload = pullRequestPayload("opened", { changedFiles: 300 });
    mockReview(fixture, { token: payload.installation.id });
    app.github.createComment().updateCheckRun();

    await receive(payload);

    expect(calls(payload.installation.id)).toEqual([
      ...EXPECTED,
      // The head now, labels, the sticky comment and the reviews.
      "POST /graphql",
      `PATCH /repos/${OWNER}/${REPO}/check-runs/7001`,
      `POST /repos/${OWNER}/${REPO}/issues/1/comments`,
    ]);
    const [contents] = app.github.bodiesOf("POST", "/graphql") as { variables: Record<string, string> }[];
    expect(Object.keys(contents.variables).filter((name) => /^o\d+$/.test(name))).toHaveLength(600);
    expect(app.github.requests.find((request) => request.path.includes("/git/trees/"))?.path).toContain(
      "recursive=1",
    );
    process.stdout.write(`300-file PR: ${app.github.calls.length} requests\n`);
  });

  it("fetches only the context files that exist, once for both sides", async () => {
    const kustomization = (namespace: string) =>
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${namespace}\n`;
    const context: Record<string, string> = { "apps/kustomization.yaml": kustomization("shared") };
    for (let i = 0; i < 300; i += 10) context[`apps/app-${i}/kustomization.yml`] = kustomization(`ns-${i}`);
    const fixture = scaleFixture(context);
    const expected = await expectedReview(fixture);
    const payload = pullRequestPayload("opened", { changedFiles: 300 });
    mockReview(fixture, { token: payload.installation.id });
    app.github.createComment().updateCheckRun();

    await receive(payload);

    expect(calls(payload.installation.id).slice(0, EXPECTED.length + 1)).toEqual([
      ...EXPECTED,
      "POST /graphql",
    ]);
    const graphql = app.github.bodiesOf("POST", "/graphql") as { variables: Record<string, string> }[];
    // One request for the 31 kustomizations that exist, by blob id, read at the head only: the
    // pull request does not change them. Then the state query.
    expect(graphql).toHaveLength(3);
    const ids = Object.entries(graphql[1].variables).filter(([name]) => /^o\d+$/.test(name));
    expect(ids.map(([, id]) => id).sort()).toEqual(
      [...new Set(Object.values(context).map((text) => blobId(text)))].sort(),
    );
    const [comment] = app.github.bodiesOf("POST", "/issues/1/comments");
    expect(comment.body).toContain("ns-10");
    expect(comment.body).toContain("shared");
    expect(
      expected.review.pairs.map((pair) => pair.head?.type === "object" && pair.head.identity),
    ).toContainEqual(expect.objectContaining({ name: "app-10", namespace: "ns-10" }));
  });
});

describe("a pull request past GitHub's 3,000-file listing", () => {
  /**
   * 3,499 changed pages of documentation, then, listed last, a tenant's namespace removed: GitHub's
   * compare lists 300 files and its files endpoint would stop at 3,000, before the namespace.
   */
  function fixture(): PrFixture {
    const files: PrFixture["files"] = [];
    for (let i = 0; i < 3499; i += 1) {
      const page = (n: number) => `# Runbook ${i}\n\nrevision ${n}\n`;
      files.push({
        path: `handbook/runbooks/r${String(i).padStart(4, "0")}.md`,
        base: page(1),
        head: page(2),
      });
    }
    files.push({
      path: "tenants/zeta/namespace.yaml",
      base: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: zeta\n  labels:\n    tenant: zeta\n",
      head: null,
    });
    return {
      files,
      context: {
        "tenants/alpha/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: alpha\n",
      },
    };
  }

  it("compares the two trees, finds the change past the cap and holds the check", async () => {
    const pr = fixture();
    const payload = pullRequestPayload("opened", { changedFiles: pr.files.length });
    const contents = contentsFor(pr);
    app.github
      .installationToken(payload.installation.id)
      .createCheckRun()
      .config(null)
      .compare(fileEntries(pr.files), { contents })
      .graphql(contents, "any")
      .prState()
      .createComment()
      .addLabels()
      .updateCheckRun();

    await receive(payload);

    // The file list is not paged through: the trees hold every change.
    expect(app.github.calls.filter((call) => call.includes("/pulls/1/files"))).toEqual([]);
    expect(app.github.calls.filter((call) => call.includes("/git/trees/")).sort()).toEqual([
      `GET /repos/${OWNER}/${REPO}/git/trees/${MERGE_BASE_SHA}`,
      `GET /repos/${OWNER}/${REPO}/git/trees/${HEAD_SHA}`,
    ]);
    const [update] = app.github.bodiesOf("PATCH", "/check-runs/7001") as unknown as CheckUpdate[];
    expect(update).toMatchObject({
      conclusion: "action_required",
      output: { title: "1 critical: second reviewer required" },
    });
    const [comment] = app.github.bodiesOf("POST", "/issues/1/comments");
    expect(comment.body).toContain("Namespace zeta is removed");
    expect(comment.body).toContain(
      "GitHub lists only the first 3,000 of 3500 changed files; the changed files were found by comparing the two commits' trees instead.",
    );
    // Only the file in scope was read, at the merge base (it is gone at the head).
    const reads = app.github
      .bodiesOf("POST", "/graphql")
      .flatMap((body) => Object.keys((body as { variables: Record<string, string> }).variables))
      .filter((name) => /^[oe]\d+$/.test(name));
    expect(reads).toHaveLength(1);
    expect(app.github.calls.length).toBeLessThanOrEqual(12);
  });
});

describe("stale results", () => {
  it("drops the result when the head moved on while reviewing", async () => {
    const fixture = await exampleFixture("acme-volume-incident");
    const payload = pullRequestPayload("opened");
    app.github
      .installationToken(payload.installation.id)
      .createCheckRun()
      .config(null)
      .compare(fileEntries(fixture.files))
      .graphql(contentsFor(fixture), "any")
      .prState({ headSha: "d".repeat(40) })
      .updateCheckRun();

    await receive(payload);

    expect(app.github.calls.some((call) => call.includes("/comments"))).toBe(false);
    expect(app.github.calls.some((call) => call.includes("/labels"))).toBe(false);
    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")).toEqual([
      {
        status: "completed",
        conclusion: "neutral",
        output: expect.objectContaining({ title: "Superseded by a newer commit" }),
      },
    ]);
  });
});

describe("events", () => {
  it("ignores an edit that does not change the base branch", async () => {
    const payload = pullRequestPayload("edited");
    payload.changes = { title: { from: "old title" } };
    await receive(payload);
    expect(app.github.requests).toEqual([]);
  });

  it("re-reviews when the base branch changes", async () => {
    const payload = pullRequestPayload("edited");
    payload.changes = { base: { ref: { from: "develop" }, sha: { from: "0".repeat(40) } } };
    app.github
      .installationToken(payload.installation.id)
      .createCheckRun()
      .config(null)
      .compare([])
      .prState()
      .updateCheckRun();
    await receive(payload);
    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")[0]).toMatchObject({ conclusion: "neutral" });
  });

  it("re-runs the review on check_run.rerequested", async () => {
    const payload = examplePayload<Record<string, unknown>>("check_run", "rerequested");
    const pr = pullRequestPayload("opened");
    payload.repository = pr.repository;
    const run = payload.check_run as Record<string, unknown>;
    run.name = "GitOps Review";
    run.head_sha = HEAD_SHA;
    run.pull_requests = [{ number: 1, head: { sha: HEAD_SHA }, base: { sha: "b".repeat(40) } }];
    const installation = (payload.installation as { id: number }).id;
    app.github.installationToken(installation).pullRequest();
    app.github.createCheckRun().config(null).compare([]).prState().updateCheckRun();

    await app.probot.receive({ id: "delivery", name: "check_run", payload } as never);

    expect(app.github.calls.filter((call) => call.endsWith("/check-runs"))).toHaveLength(1);
    expect(app.github.bodiesOf("POST", "/check-runs")).toEqual([
      { name: "GitOps Review", head_sha: HEAD_SHA, status: "in_progress" },
    ]);
  });

  it("ignores a rerequested check run of another app", async () => {
    const payload = examplePayload<Record<string, unknown>>("check_run", "rerequested");
    await app.probot.receive({ id: "delivery", name: "check_run", payload } as never);
    expect(app.github.requests).toEqual([]);
  });

  it("re-runs the review on check_suite.rerequested", async () => {
    const payload = examplePayload<Record<string, unknown>>("check_suite", "rerequested");
    const suite = payload.check_suite as Record<string, unknown>;
    suite.head_sha = HEAD_SHA;
    suite.pull_requests = [{ number: 1, head: { sha: HEAD_SHA }, base: { sha: "b".repeat(40) } }];
    const installation = (payload.installation as { id: number }).id;
    app.github.installationToken(installation).pullRequest();
    app.github.createCheckRun().config(null).compare([]).prState().updateCheckRun();

    await app.probot.receive({ id: "delivery", name: "check_suite", payload } as never);

    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")[0]).toMatchObject({ conclusion: "neutral" });
  });
});

describe("rate limits", () => {
  it("retries a secondary rate limit after retry-after", async () => {
    const payload = pullRequestPayload("opened");
    app.github.installationToken(payload.installation.id);
    app.github.scope
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(403, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "1" });
    app.github.createCheckRun().config(null).compare([]).prState().updateCheckRun();

    await receive(payload);

    expect(app.github.bodiesOf("PATCH", "/check-runs/7001")[0]).toMatchObject({ conclusion: "neutral" });
  });
});
