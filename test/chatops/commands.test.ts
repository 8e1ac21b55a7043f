import { describe, expect, it } from "@jest/globals";
import { parseCommands, type Command } from "../../src/chatops/commands.js";

describe("parseCommands", () => {
  const cases: { name: string; body: string; expected: Command[] }[] = [
    { name: "bare /explain", body: "/explain", expected: [{ kind: "explain" }] },
    {
      name: "/explain with a rule id",
      body: "/explain service-type-change",
      expected: [{ kind: "explain-rule", ruleId: "service-type-change" }],
    },
    {
      name: "/explain with a rule id in backticks",
      body: "/explain `service-type-change`",
      expected: [{ kind: "explain-rule", ruleId: "service-type-change" }],
    },
    {
      name: "/explain with a path",
      body: "/explain clusters/prod/traefik/values.yaml",
      expected: [{ kind: "explain-path", path: "clusters/prod/traefik/values.yaml" }],
    },
    {
      name: "/explain with ./path",
      body: "/explain ./values.yaml",
      expected: [{ kind: "explain-path", path: "values.yaml" }],
    },
    {
      name: "/ack with a reason",
      body: "/ack service-type-change the old IP is unused, checked the DNS records",
      expected: [
        {
          kind: "ack",
          ruleId: "service-type-change",
          reason: "the old IP is unused, checked the DNS records",
        },
      ],
    },
    {
      name: "/ack without a reason",
      body: "/ack service-type-change",
      expected: [{ kind: "ack-usage", ruleId: "service-type-change" }],
    },
    { name: "/ack alone", body: "/ack   ", expected: [{ kind: "ack-usage", ruleId: null }] },
    { name: "/recheck", body: "/recheck", expected: [{ kind: "recheck" }] },
    { name: "/help", body: "/help", expected: [{ kind: "help", unknown: null }] },
    { name: "unknown command", body: "/deploy now", expected: [{ kind: "help", unknown: "deploy" }] },
    { name: "case-insensitive name", body: "/Explain", expected: [{ kind: "explain" }] },
    { name: "up to three spaces of indentation", body: "   /recheck", expected: [{ kind: "recheck" }] },
    { name: "CRLF line endings", body: "Thanks!\r\n/recheck\r\n", expected: [{ kind: "recheck" }] },
    {
      name: "several commands, duplicates once",
      body: "Let me see.\n/explain\n/explain service-type-change\n/explain\n\n/recheck",
      expected: [
        { kind: "explain" },
        { kind: "explain-rule", ruleId: "service-type-change" },
        { kind: "recheck" },
      ],
    },
    { name: "not at the start of a line", body: "please run /recheck", expected: [] },
    { name: "a path at line start is no command", body: "/usr/bin/helm is old", expected: [] },
    { name: "quoted", body: "> /ack service-type-change fine\n\nI disagree.", expected: [] },
    { name: "quoted with indentation", body: "  > /recheck", expected: [] },
    { name: "nested quote", body: "> > /recheck", expected: [] },
    {
      name: "lazy continuation of a quote",
      body: "> Someone said\n/ack service-type-change ok",
      expected: [],
    },
    {
      name: "after a quote ends with a blank line",
      body: "> quoted\n\n/recheck",
      expected: [{ kind: "recheck" }],
    },
    { name: "fenced code", body: "```\n/recheck\n```", expected: [] },
    { name: "fenced code with info string", body: "```sh\n/ack a b\n```\n", expected: [] },
    { name: "tilde fence", body: "~~~\n/recheck\n~~~", expected: [] },
    {
      name: "a shorter fence does not close",
      body: "````\n```\n/recheck\n````\n/help",
      expected: [{ kind: "help", unknown: null }],
    },
    { name: "unclosed fence runs to the end", body: "```\n/recheck", expected: [] },
    { name: "indented code", body: "Run:\n\n    /recheck", expected: [] },
    { name: "tab-indented code", body: "\t/recheck", expected: [] },
    { name: "inline code", body: "`/recheck`", expected: [] },
    { name: "HTML comment", body: "<!--\n/recheck\n-->\n/explain", expected: [{ kind: "explain" }] },
    {
      name: "a command after a closed fence",
      body: "```yaml\nspec:\n  type: LoadBalancer\n```\n/explain apps/shop/service.yaml",
      expected: [{ kind: "explain-path", path: "apps/shop/service.yaml" }],
    },
  ];

  it.each(cases)("$name", ({ body, expected }) => {
    expect(parseCommands(body)).toEqual(expected);
  });

  it("answers at most ten commands per comment", () => {
    const body = Array.from({ length: 30 }, (_, i) => `/explain rule-${i}`).join("\n");
    expect(parseCommands(body)).toHaveLength(10);
  });
});
