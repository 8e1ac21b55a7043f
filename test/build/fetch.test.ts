import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { addressRefusal, boundedGet, isAllowedRepository } from "../../src/build/fetch.js";
import { serve, type TestServer } from "./helpers.js";

describe("address checks", () => {
  const none = { allowedRepositories: [] };
  it.each([
    [
      "169.254.169.254",
      "169.254.169.254 is a link-local address (cloud metadata lives there) and is not in the allowed addresses",
    ],
    ["127.0.0.1", "127.0.0.1 is a loopback address and is not in the allowed addresses"],
    ["10.1.2.3", "10.1.2.3 is a private or reserved address and is not in the allowed addresses"],
    [
      "::ffff:192.168.1.1",
      "::ffff:192.168.1.1 is a private or reserved address and is not in the allowed addresses",
    ],
    ["fe80::1", "fe80::1 is a link-local address and is not in the allowed addresses"],
    ["fd00::1", "fd00::1 is a private or reserved address and is not in the allowed addresses"],
  ])("refuses %s", (address, reason) => {
    expect(addressRefusal(address, none)).toBe(reason);
  });

  it("lets public addresses and allowed ranges through", () => {
    expect(addressRefusal("140.82.112.3", none)).toBeNull();
    expect(addressRefusal("2606:4700::1111", none)).toBeNull();
    expect(
      addressRefusal("10.1.2.3", { allowedRepositories: [], allowAddresses: ["10.0.0.0/8"] }),
    ).toBeNull();
  });
});

describe("repository allowlist", () => {
  const policy = { allowedRepositories: ["https://charts.example.com/stable", "oci://ghcr.io/org/charts/"] };
  it.each([
    ["https://charts.example.com/stable", true],
    ["https://CHARTS.example.com/stable/", true],
    ["https://charts.example.com/stable/sub", true],
    ["https://charts.example.com/stable-evil", false],
    ["http://charts.example.com/stable", false],
    ["https://user:pw@charts.example.com/stable", false],
    ["oci://ghcr.io/org/charts/app", true],
    ["oci://ghcr.io/other/app", false],
    ["file:///etc/passwd", false],
  ])("%s allowed: %s", (url, allowed) => {
    expect(isAllowedRepository(url, policy)).toBe(allowed);
  });
});

describe("boundedGet", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await serve((req, res) => {
      if (req.url === "/big") res.writeHead(200).end(Buffer.alloc(2048, "x"));
      else if (req.url === "/to-metadata")
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      else if (req.url === "/slow") setTimeout(() => res.writeHead(200).end("late"), 2000);
      else res.writeHead(200).end("ok");
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("refuses a loopback server unless its range is allowed, without connecting", async () => {
    const refused = await boundedGet(`${server.url}/ok`, { allowedRepositories: [] }, { maxBytes: 100 });
    expect(refused).toMatchObject({ ok: false, kind: "refused" });
    expect(server.requests).not.toContain("/ok");
    const allowed = await boundedGet(
      `${server.url}/ok`,
      { allowedRepositories: [], allowAddresses: ["127.0.0.0/8"] },
      { maxBytes: 100 },
    );
    expect(allowed).toMatchObject({ ok: true, status: 200, body: Buffer.from("ok") });
  });

  it("stops at the size bound, follows no redirect to a link-local address, and times out", async () => {
    const policy = { allowedRepositories: [], allowAddresses: ["127.0.0.0/8"], timeoutMs: 500 };
    expect(await boundedGet(`${server.url}/big`, policy, { maxBytes: 1024 })).toMatchObject({
      ok: false,
      kind: "fetch-failed",
      reason: `${server.url}/big is over the 1024-byte limit`,
    });
    expect(await boundedGet(`${server.url}/to-metadata`, policy, { maxBytes: 1024 })).toEqual({
      ok: false,
      kind: "refused",
      reason:
        "http://169.254.169.254/latest/meta-data/ not fetched: 169.254.169.254 is a link-local address (cloud metadata lives there) and is not in the allowed addresses",
    });
    expect(await boundedGet(`${server.url}/slow`, policy, { maxBytes: 1024 })).toMatchObject({
      ok: false,
      reason: `${server.url}/slow did not answer within 500 ms`,
    });
  });

  it("checks every address a name resolves to", async () => {
    const result = await boundedGet("http://localhost:1/x", { allowedRepositories: [] }, { maxBytes: 10 });
    expect(result).toMatchObject({
      ok: false,
      kind: "refused",
      reason: expect.stringContaining("localhost resolves to"),
    });
  });
});
