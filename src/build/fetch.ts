/**
 * The build stage's only network access: chart indexes, packages and OCI blobs. A pull request
 * decides which URLs a review would fetch, so every fetch is bounded in size and time, goes only to
 * repositories on the allowlist (the caller puts there what the base branch declares and what the
 * configuration allows), and never to a private, loopback or link-local address unless allowed: the
 * name is resolved, every address checked, the connection pinned to a checked address, and the
 * address actually connected to checked again.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest as Request,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";

export interface FetchPolicy {
  /**
   * Repository URL prefixes a chart may come from: `https://charts.example.com/`,
   * `oci://ghcr.io/org/charts/`. A URL only the head side introduces is not here, so it is refused.
   */
  allowedRepositories: readonly string[];
  /** CIDRs that may be reached although private, loopback or link-local (`127.0.0.0/8` in tests). */
  allowAddresses?: readonly string[];
  /** `host:port` of OCI registries spoken to over plain HTTP (a local mirror, tests). */
  plainHttpRegistries?: readonly string[];
  timeoutMs?: number;
  /** Largest index.yaml (source-controller's default: 50 MiB). */
  maxIndexBytes?: number;
  /** Largest chart package (source-controller's default: 10 MiB). */
  maxChartBytes?: number;
}

export const FETCH_DEFAULTS = {
  timeoutMs: 30_000,
  maxIndexBytes: 50 * 1024 * 1024,
  maxChartBytes: 10 * 1024 * 1024,
};

export type FetchResult =
  | { ok: true; status: number; body: Buffer; headers: IncomingHttpHeaders; url: string }
  | {
      ok: false;
      kind: "refused" | "fetch-failed" | "not-found";
      reason: string;
      status?: number;
      headers?: IncomingHttpHeaders;
    };

/** Ranges no fetch may reach unless allowAddresses says so. */
const NON_PUBLIC = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ] as const) {
    list.addSubnet(net, prefix, "ipv4");
  }
  for (const [net, prefix] of [
    ["::", 128],
    ["::1", 128],
    ["64:ff9b::", 96],
    ["100::", 64],
    ["2001:db8::", 32],
    ["2002::", 16],
    ["fc00::", 7],
    ["fe80::", 10],
    ["ff00::", 8],
  ] as const) {
    list.addSubnet(net, prefix, "ipv6");
  }
  return list;
})();

/** Why an address may not be reached, or null when it may. */
export function addressRefusal(address: string, policy: FetchPolicy): string | null {
  let ip = address;
  let family = isIP(ip);
  if (family === 0) return `${address} is not an IP address`;
  // ::ffff:10.0.0.1 is 10.0.0.1.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) {
    ip = mapped[1]!;
    family = 4;
  }
  const type = family === 4 ? "ipv4" : "ipv6";
  if (!NON_PUBLIC.check(ip, type)) return null;
  const allowed = new BlockList();
  for (const cidr of policy.allowAddresses ?? []) {
    const [net, bits] = cidr.split("/");
    const netFamily = isIP(net ?? "");
    if (!net || netFamily === 0) continue;
    allowed.addSubnet(net, Number(bits ?? (netFamily === 4 ? 32 : 128)), netFamily === 4 ? "ipv4" : "ipv6");
  }
  if (allowed.check(ip, type)) return null;
  return `${address} is ${describe(ip, family)} and is not in the allowed addresses`;
}

function describe(ip: string, family: number): string {
  if (family === 4) {
    if (ip.startsWith("127.")) return "a loopback address";
    if (ip.startsWith("169.254.")) return "a link-local address (cloud metadata lives there)";
    return "a private or reserved address";
  }
  if (ip === "::1") return "a loopback address";
  if (/^fe[89ab]/i.test(ip)) return "a link-local address";
  return "a private or reserved address";
}

/** `https://Charts.Example.com:443/a/` -> `https://charts.example.com/a/` (for prefix matching). */
export function normalizeUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (!["http:", "https:", "oci:"].includes(url.protocol) || url.username || url.password) return null;
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.host.toLowerCase()}${path}/`;
}

/** Whether a repository URL is on the allowlist (same scheme and host, path under the entry's). */
export function isAllowedRepository(raw: string, policy: FetchPolicy): boolean {
  const url = normalizeUrl(raw);
  if (!url) return false;
  return policy.allowedRepositories.some((entry) => {
    const prefix = normalizeUrl(entry);
    return prefix !== null && url.startsWith(prefix);
  });
}

export function repositoryRefusal(raw: string, policy: FetchPolicy): string | null {
  if (!normalizeUrl(raw)) return `${raw} is not an http(s) or oci URL without credentials`;
  if (isAllowedRepository(raw, policy)) return null;
  return `${raw} is not an allowed chart repository (only repositories declared on the base branch or allowed in the configuration are fetched)`;
}

export interface FetchOptions {
  maxBytes: number;
  headers?: Record<string, string>;
  /** Redirects followed (each hop's address checked again). */
  maxRedirects?: number;
}

/** GET with every bound above. Never throws. */
export async function boundedGet(
  raw: string,
  policy: FetchPolicy,
  options: FetchOptions,
): Promise<FetchResult> {
  let current = raw;
  for (let hop = 0; hop <= (options.maxRedirects ?? 5); hop++) {
    const result = await getOnce(current, policy, options);
    if (result.ok && result.status >= 300 && result.status < 400 && result.headers.location) {
      const next = new URL(result.headers.location, current);
      if (new URL(current).protocol === "https:" && next.protocol !== "https:") {
        return { ok: false, kind: "refused", reason: `${current} redirects from https to ${next.protocol}` };
      }
      current = next.toString();
      continue;
    }
    return result;
  }
  return { ok: false, kind: "fetch-failed", reason: `${raw}: too many redirects` };
}

function getOnce(raw: string, policy: FetchPolicy, options: FetchOptions): Promise<FetchResult> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return Promise.resolve({ ok: false, kind: "refused", reason: `${raw} is not a URL` });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.resolve({ ok: false, kind: "refused", reason: `${raw}: only http and https are fetched` });
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) {
    const refusal = addressRefusal(host, policy);
    if (refusal)
      return Promise.resolve({ ok: false, kind: "refused", reason: `${raw} not fetched: ${refusal}` });
  }
  const timeoutMs = policy.timeoutMs ?? FETCH_DEFAULTS.timeoutMs;

  return new Promise((resolve) => {
    let done = false;
    const finish = (result: FetchResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(result);
    };
    let refusedBy: string | null = null;
    const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
      dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, "", 4);
        for (const { address } of addresses) {
          const refusal = addressRefusal(address, policy);
          if (refusal) {
            refusedBy = `${hostname} resolves to ${refusal}`;
            return callback(new Error(refusedBy), "", 4);
          }
        }
        if (addresses.length === 0) return callback(new Error(`${hostname} has no address`), "", 4);
        if ((lookupOptions as { all?: boolean }).all) {
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        } else {
          callback(null, addresses[0]!.address, addresses[0]!.family);
        }
      });
    };
    const agent =
      url.protocol === "https:" ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false });
    const request: Request = (url.protocol === "https:" ? httpsRequest : httpRequest)(
      url,
      {
        method: "GET",
        headers: { "user-agent": "gitops-review-bot", ...options.headers },
        lookup,
        agent,
      },
      (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          response.resume();
          finish({ ok: true, status, body: Buffer.alloc(0), headers: response.headers, url: raw });
          return;
        }
        const declared = Number(response.headers["content-length"] ?? "0");
        if (declared > options.maxBytes) {
          request.destroy();
          finish({
            ok: false,
            kind: "fetch-failed",
            reason: `${raw} is ${declared} bytes, over the ${options.maxBytes}-byte limit`,
          });
          return;
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        response.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > options.maxBytes) {
            request.destroy();
            finish({
              ok: false,
              kind: "fetch-failed",
              reason: `${raw} is over the ${options.maxBytes}-byte limit`,
            });
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () => {
          const body = Buffer.concat(chunks);
          if (status >= 200 && status < 300)
            finish({ ok: true, status, body, headers: response.headers, url: raw });
          else
            finish({
              ok: false,
              kind: status === 404 ? "not-found" : "fetch-failed",
              reason: `${raw} answered HTTP ${status}`,
              status,
              headers: response.headers,
            });
        });
        response.on("error", (err) =>
          finish({ ok: false, kind: "fetch-failed", reason: `${raw}: ${err.message}` }),
        );
      },
    );
    // Belt and braces: the address really connected to must pass too.
    request.on("socket", (socket) => {
      socket.once("connect", () => {
        const remote = socket.remoteAddress ?? "";
        const refusal = addressRefusal(remote, policy);
        if (refusal) {
          refusedBy = `connected to ${refusal}`;
          request.destroy(new Error(refusedBy));
        }
      });
    });
    request.on("error", (err) => {
      if (refusedBy) finish({ ok: false, kind: "refused", reason: `${raw} not fetched: ${refusedBy}` });
      else finish({ ok: false, kind: "fetch-failed", reason: `${raw}: ${err.message}` });
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish({ ok: false, kind: "fetch-failed", reason: `${raw} did not answer within ${timeoutMs} ms` });
    }, timeoutMs);
    request.end();
  });
}
