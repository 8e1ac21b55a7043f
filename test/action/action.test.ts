/**
 * The Action's entry point on local git repositories laid out as a workflow sees them: an origin
 * with GitHub's `refs/pull/N/merge`, a checkout made the way actions/checkout makes it, a
 * synthetic event payload, and the runner's summary and output files. GitHub's API for the
 * sticky comment is nock.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { parse } from "yaml";
import { runAction } from "../../src/action/main.js";
import { STICKY_MARKER } from "../../src/render/comment.js";
import { TempRepo } from "../source/git-repo.js";
import { sarifSchemaErrors } from "../support/sarif-schema.js";

const ROOT = join(import.meta.dirname, "../..");

const service = (type: string) => `apiVersion: v1
kind: Service
metadata:
  name: public-gateway
  namespace: edge
spec:
  type: ${type}
  selector: {app: gateway}
  ports:
    - port: 443
      targetPort: 8443
`;

const workload = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
  namespace: payments
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec:
      containers:
        - name: ledger
          image: registry.example.com/ledger:2.4.1
`;

const unrelated = `apiVersion: v1
kind: Service
metadata: {name: reports, namespace: finance}
spec:
  type: LoadBalancer
  ports: [{port: 80}]
`;

/** The repository's own policy at the base: one custom rule, which must reach SARIF like built-in ones. */
const policy = `customRules:
  - id: edge-needs-pinned-ip
    title: Edge LoadBalancer without a pinned IP
    severity: medium
    match: { kinds: [Service] }
    expression: "object.spec.type == 'LoadBalancer' && !has(object.spec.loadBalancerIP)"
    message: "{{subject}} gets a new address when it is recreated"
    remediation: "Reserve an address and set spec.loadBalancerIP."
    checklist: ["Is the address reserved and in DNS?"]
`;

interface Origin {
  repo: TempRepo;
  base: string;
  head: string;
  /** The base branch's tip after it moved on (the merge commit's first parent). */
  baseTip: string;
  merge: string;
}

/**
 * main: a Service and a workload; the PR's branch turns the Service into a LoadBalancer and scales
 * the workload to zero; main then moves on with an unrelated LoadBalancer the review must not see.
 */
function makeOrigin(): Origin {
  const repo = new TempRepo();
  repo.write("platform/edge/gateway-svc.yaml", service("ClusterIP"));
  repo.write("apps/payments/ledger.yaml", workload(3));
  repo.write(".github/gitops-review.yml", policy);
  const base = repo.commit("base");
  repo.git("checkout", "--quiet", "-b", "scale-down");
  repo.write("platform/edge/gateway-svc.yaml", service("LoadBalancer"));
  repo.write("apps/payments/ledger.yaml", workload(0));
  const head = repo.commit("expose the gateway, pause the ledger");
  repo.git("checkout", "--quiet", "main");
  repo.write("teams/finance/reports.yaml", unrelated);
  const baseTip = repo.commit("unrelated change on main");
  repo.git("checkout", "--quiet", "--detach", baseTip);
  repo.git("merge", "--quiet", "--no-ff", "-m", "Merge scale-down into main", head);
  const merge = repo.git("rev-parse", "HEAD");
  repo.git("update-ref", "refs/pull/7/merge", merge);
  repo.git("checkout", "--quiet", "main");
  return { repo, base, head, baseTip, merge };
}

/** An empty repository that fetches one ref from origin, `depth` commits deep (0: everything). */
function checkout(origin: Origin, ref: string, depth: number): TempRepo {
  const work = new TempRepo();
  work.git("remote", "add", "origin", `file://${origin.repo.dir}`);
  work.git(
    "fetch",
    "--quiet",
    "--no-tags",
    ...(depth > 0 ? [`--depth=${depth}`] : []),
    "origin",
    `+${ref}:refs/remotes/origin/checked-out`,
    ...(depth > 0 ? [] : ["+refs/heads/*:refs/remotes/origin/*"]),
  );
  work.git("checkout", "--quiet", "--detach", "refs/remotes/origin/checked-out");
  return work;
}

interface Run {
  code: number;
  stdout: string;
  summary: string;
  outputs: Record<string, string>;
  sarif: () => SarifLog;
}

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string; help: { markdown: string }; properties: { tags: string[] } }[] } };
    results: {
      ruleId: string;
      level: string;
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
      }[];
    }[];
  }[];
}

const temporary: string[] = [];

function eventFile(origin: Origin, extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "gitops-review-action-"));
  temporary.push(dir);
  const file = join(dir, "event.json");
  writeFileSync(
    file,
    JSON.stringify({
      action: "synchronize",
      number: 7,
      pull_request: {
        number: 7,
        base: { ref: "main", sha: origin.baseTip },
        head: { ref: "scale-down", sha: origin.head },
      },
      repository: { full_name: "acme/fleet", html_url: "https://github.com/acme/fleet" },
      ...extra,
    }),
  );
  return file;
}

async function act(
  workspace: string,
  event: string,
  inputs: Record<string, string> = {},
  eventName = "pull_request",
): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "gitops-review-runner-"));
  temporary.push(dir);
  const summaryFile = join(dir, "summary.md");
  const outputFile = join(dir, "output.txt");
  writeFileSync(summaryFile, "");
  writeFileSync(outputFile, "");
  const env: NodeJS.ProcessEnv = {
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_PATH: event,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    GITHUB_API_URL: "https://api.github.com",
    INPUT_PATH: ".",
    INPUT_FAIL_ON: "high",
    INPUT_SARIF_FILE: join(dir, "out/review.sarif"),
    INPUT_GITHUB_TOKEN: "ghs_workflowtoken0000",
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k}`, v])),
  };
  let stdout = "";
  const code = await runAction(env, { stdout: (text) => (stdout += text) });
  const outputs = parseOutputs(readFileSync(outputFile, "utf8"));
  return {
    code,
    stdout,
    summary: readFileSync(summaryFile, "utf8"),
    outputs,
    sarif: () => JSON.parse(readFileSync(outputs["sarif-file"]!, "utf8")) as SarifLog,
  };
}

/** `name<<DELIM\nvalue\nDELIM\n` blocks, as the runner reads GITHUB_OUTPUT. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = /^([\w-]+)<<(.+)$/.exec(lines[i]!);
    if (!match) continue;
    const end = lines.indexOf(match[2]!, i + 1);
    outputs[match[1]!] = lines.slice(i + 1, end).join("\n");
    i = end;
  }
  return outputs;
}

let origin: Origin;
const repos: TempRepo[] = [];

beforeAll(() => {
  origin = makeOrigin();
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
  origin.repo.cleanup();
  for (const repo of repos) repo.cleanup();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function workOn(ref: string, depth: number): TempRepo {
  const work = checkout(origin, ref, depth);
  repos.push(work);
  return work;
}

describe("the Action on GitHub's merge commit, checked out one commit deep (actions/checkout's default)", () => {
  it("fetches the base alone, reviews the pull request's changes only, and writes summary, SARIF, outputs and annotations", async () => {
    const work = workOn("refs/pull/7/merge", 1);
    expect(work.git("rev-parse", "--is-shallow-repository")).toBe("true");

    const run = await act(work.dir, eventFile(origin));

    expect(run.stdout).toContain(
      `Reviewing ${origin.baseTip.slice(0, 7)}..${origin.merge.slice(0, 7)} of #7`,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::GitOps review: .*second reviewer required \(fail-on: high\)$/m);

    // The summary is the comment's Markdown, with links to the reviewed commit and no chat-ops.
    expect(run.summary).toContain(STICKY_MARKER);
    expect(run.summary).toContain(
      `https://github.com/acme/fleet/blob/${origin.merge}/apps/payments/ledger.yaml#L`,
    );
    expect(run.summary).not.toContain("/recheck");
    expect(run.summary).not.toContain("reports"); // main's own change is not the pull request's

    const log = run.sarif();
    expect(sarifSchemaErrors(log)).toEqual([]);
    const results = log.runs[0]!.results;
    const ruleIds = results.map((r) => r.ruleId);
    expect(ruleIds).toEqual(
      expect.arrayContaining([
        "replicas-scaled-to-zero",
        "loadbalancer-service-changed",
        "custom/edge-needs-pinned-ip",
      ]),
    );
    const custom = log.runs[0]!.tool.driver.rules.find((rule) => rule.id === "custom/edge-needs-pinned-ip");
    expect(custom?.help.markdown).toContain("Reserve an address and set spec.loadBalancerIP.");
    expect(custom?.properties.tags).toEqual(["security", "gitops", "custom"]);
    const uris = new Set(results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri));
    expect([...uris].sort()).toEqual(["apps/payments/ledger.yaml", "platform/edge/gateway-svc.yaml"]);

    const declared = Object.keys(
      (parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as { outputs: object }).outputs,
    );
    expect(Object.keys(run.outputs).sort()).toEqual(declared.sort());
    expect(run.outputs).toMatchObject({
      verdict: "action_required",
      findings: String(results.length),
      highest: expect.stringMatching(/^(high|critical)$/),
      "comment-url": "",
    });
    const scaled = results.find((r) => r.ruleId === "replicas-scaled-to-zero")!;
    const line = scaled.locations[0]!.physicalLocation.region!.startLine;
    expect(run.stdout).toMatch(
      new RegExp(
        `^::\\w+ file=apps/payments/ledger.yaml,line=${line},title=\\w+%3A .*\\(replicas-scaled-to-zero\\)::`,
        "m",
      ),
    );
  });

  it("passes with fail-on: never and writes nothing to the summary when asked not to", async () => {
    const work = workOn("refs/pull/7/merge", 1);
    const run = await act(work.dir, eventFile(origin), {
      FAIL_ON: "never",
      SUMMARY: "false",
      ANNOTATIONS: "false",
    });
    expect(run.code).toBe(0);
    expect(run.summary).toBe("");
    expect(run.stdout).not.toContain("::error");
    expect(run.stdout).not.toMatch(/^::(warning|notice)/m);
    expect(Number(run.outputs.findings)).toBeGreaterThan(0);
  });
});

describe("the Action on the pull request's head", () => {
  it("reviews from the merge base with full history, so the base branch moving on changes nothing", async () => {
    const work = workOn(origin.head, 0);
    const run = await act(work.dir, eventFile(origin));
    expect(run.stdout).toContain(`Reviewing ${origin.base.slice(0, 7)}..${origin.head.slice(0, 7)}`);
    expect(run.code).toBe(1);
    const uris = run
      .sarif()
      .runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(new Set(uris)).toEqual(new Set(["apps/payments/ledger.yaml", "platform/edge/gateway-svc.yaml"]));
  });

  it("says how to fix a shallow checkout of the head, and writes no SARIF", async () => {
    const work = workOn(origin.head, 1);
    const run = await act(work.dir, eventFile(origin));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(
      `::error::GitOps review: cannot find where ${origin.head.slice(0, 7)} branched from the base ${origin.baseTip.slice(0, 7)}: ` +
        "the checkout is shallow; check out with `fetch-depth: 0` (actions/checkout) and keep `persist-credentials` on, " +
        "or fetch the base branch before this step\n",
    );
    expect(run.outputs).toEqual({});
  });
});

describe("the Action's clear failures", () => {
  it("says so when the base cannot be fetched", async () => {
    const work = workOn("refs/pull/7/merge", 1);
    work.git("remote", "set-url", "origin", `file://${join(work.dir, "no-such-remote")}`);
    const run = await act(work.dir, eventFile(origin));
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      new RegExp(
        `^::error::GitOps review: the base commit ${origin.baseTip.slice(0, 7)} is not in the checkout and fetching it from origin failed \\(.+\\); check out with \`fetch-depth: 0\``,
      ),
    );
  });

  it("refuses to review the base branch's own checkout (pull_request_target's default) as an empty change", async () => {
    const work = workOn("refs/heads/main", 0);
    const run = await act(work.dir, eventFile(origin), {}, "pull_request_target");
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(
      `::error::GitOps review: the checkout ${origin.baseTip.slice(0, 7)} is the base branch, not the pull request: ` +
        "check out `ref: ${{ github.event.pull_request.head.sha }}` (with `fetch-depth: 0`) on pull_request_target\n",
    );
  });

  it("refuses an event without a pull request", async () => {
    const work = workOn("refs/pull/7/merge", 1);
    const push = eventFile(origin, { pull_request: undefined, ref: "refs/heads/main" });
    const run = await act(work.dir, push);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("this Action reviews pull requests, and the pull_request event has none");
  });

  it("refuses an unknown fail-on", async () => {
    const work = workOn("refs/pull/7/merge", 1);
    const run = await act(work.dir, eventFile(origin), { FAIL_ON: "severe" });
    expect(run.stdout).toBe(
      '::error::GitOps review: fail-on must be one of info, low, medium, high, critical or never, not "severe"\n',
    );
    expect(run.code).toBe(2);
  });
});

describe("the Action's sticky comment with the workflow token", () => {
  const api = () => nock("https://api.github.com");
  const comments = "/repos/acme/fleet/issues/7/comments";

  it("updates its own comment, never a person's that quotes the marker", async () => {
    const work = workOn("refs/pull/7/merge", 1);
    let patched: { body?: string } = {};
    const scope = api()
      .get(comments)
      .query(true)
      .reply(200, [
        {
          id: 11,
          body: `quoting the bot: ${STICKY_MARKER}`,
          html_url: "https://github.com/acme/fleet/pull/7#issuecomment-11",
          user: { login: "alice", type: "User" },
        },
        {
          id: 12,
          body: `${STICKY_MARKER}\nold review`,
          html_url: "https://github.com/acme/fleet/pull/7#issuecomment-12",
          user: { login: "github-actions[bot]", type: "Bot" },
          performed_via_github_app: { id: 15368, slug: "github-actions" },
        },
      ])
      .patch("/repos/acme/fleet/issues/comments/12", (body: { body?: string }) => {
        patched = body;
        return true;
      })
      .reply(200, { id: 12, html_url: "https://github.com/acme/fleet/pull/7#issuecomment-12" });

    const run = await act(work.dir, eventFile(origin), { COMMENT: "true" });

    expect(scope.isDone()).toBe(true);
    expect(patched.body).toBe(run.summary.replace(/\n$/, ""));
    expect(run.outputs["comment-url"]).toBe("https://github.com/acme/fleet/pull/7#issuecomment-12");
    expect(run.code).toBe(1);
  });

  it("creates one when only others' comments carry the marker", async () => {
    const work = workOn("refs/pull/7/merge", 1);
    const scope = api()
      .get(comments)
      .query(true)
      .reply(200, [
        {
          id: 21,
          body: STICKY_MARKER,
          html_url: "https://github.com/acme/fleet/pull/7#issuecomment-21",
          user: { login: "gitops-review[bot]", type: "Bot" },
          performed_via_github_app: { id: 4242, slug: "gitops-review" },
        },
      ])
      .post(comments, (body: { body?: string }) => body.body?.startsWith(STICKY_MARKER) === true)
      .reply(201, { id: 22, html_url: "https://github.com/acme/fleet/pull/7#issuecomment-22" });

    const run = await act(work.dir, eventFile(origin), { COMMENT: "true" });

    expect(scope.isDone()).toBe(true);
    expect(run.outputs["comment-url"]).toBe("https://github.com/acme/fleet/pull/7#issuecomment-22");
  });

  it("keeps the review when the token may not comment (a fork's read-only token)", async () => {
    const work = workOn("refs/pull/7/merge", 1);
    const scope = api()
      .get(comments)
      .query(true)
      .reply(200, [])
      .post(comments)
      .reply(403, { message: "Resource not accessible by integration" });

    const run = await act(work.dir, eventFile(origin), { COMMENT: "true" });

    expect(scope.isDone()).toBe(true);
    expect(run.stdout).toContain(
      "::warning::GitOps review: the sticky comment was not written: the token cannot write pull request comments: " +
        "give the job `permissions: pull-requests: write`",
    );
    expect(run.code).toBe(1);
    expect(run.outputs["comment-url"]).toBe("");
    expect(sarifSchemaErrors(run.sarif())).toEqual([]);
  });
});
