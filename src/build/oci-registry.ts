/**
 * Helm charts in OCI registries (`oci://ghcr.io/org/charts/name`): tags listed for version ranges
 * (a tag's `_` is the version's `+`, as Helm writes them), the manifest's chart layer, the blob
 * checked against its digest. Anonymous bearer tokens are fetched from the realm the registry
 * names; the realm's address is checked like any other.
 */
import {
  boundedGet,
  FETCH_DEFAULTS,
  repositoryRefusal,
  type FetchPolicy,
  type FetchResult,
} from "./fetch.js";
import { sha256 } from "./embedded-tools.js";
import { chooseVersion } from "./flux-semver.js";
import type { BuildFailure } from "./types.js";

const CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
const MANIFEST_TYPES =
  "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

export interface OciChart {
  data: Buffer;
  digest: string;
  version: string;
}

export type OciResult = { ok: true; chart: OciChart } | BuildFailure;

export async function pullOciChart(
  ref: { url: string; version?: string; digest?: string },
  policy: FetchPolicy,
): Promise<OciResult> {
  const refusal = repositoryRefusal(ref.url, policy);
  if (refusal) return { ok: false, kind: "refused", reason: refusal };
  const parsed = /^oci:\/\/([^/]+)\/(.+?)\/*$/.exec(ref.url.trim());
  if (!parsed)
    return { ok: false, kind: "invalid-input", reason: `${ref.url} is not oci://<registry>/<repository>` };
  const [, host, repository] = parsed as unknown as [string, string, string];
  const scheme = (policy.plainHttpRegistries ?? []).includes(host) ? "http" : "https";
  const base = `${scheme}://${host}/v2/${repository}`;
  const session = new RegistrySession(policy);

  let reference = ref.digest ?? "";
  let version = ref.version ?? "";
  if (!reference) {
    const tags = await session.get(`${base}/tags/list?n=1000`, { maxBytes: 4 * 1024 * 1024 });
    if (!tags.ok) return { ok: false, kind: tags.kind, reason: `${ref.url}: ${tags.reason}` };
    let list: string[];
    try {
      const doc = JSON.parse(tags.body.toString("utf8")) as { tags?: unknown };
      list = Array.isArray(doc.tags) ? doc.tags.filter((t): t is string => typeof t === "string") : [];
    } catch {
      return { ok: false, kind: "fetch-failed", reason: `${ref.url}: the tag list is not JSON` };
    }
    const choice = chooseVersion(
      list.map((tag) => ({ version: tag.replace(/_/g, "+"), tag })),
      ref.version,
    );
    if (!choice.ok) return { ok: false, kind: "not-found", reason: `${ref.url}: ${choice.reason}` };
    reference = choice.entry.tag;
    version = choice.entry.version;
  }

  const manifest = await session.get(`${base}/manifests/${reference}`, {
    maxBytes: 1024 * 1024,
    headers: { accept: MANIFEST_TYPES },
  });
  if (!manifest.ok)
    return { ok: false, kind: manifest.kind, reason: `${ref.url}:${reference}: ${manifest.reason}` };
  if (ref.digest && `sha256:${sha256(manifest.body)}` !== ref.digest) {
    return {
      ok: false,
      kind: "fetch-failed",
      reason: `${ref.url}@${ref.digest}: the manifest does not match its digest`,
    };
  }
  let layer: { mediaType?: string; digest?: string } | undefined;
  try {
    const doc = JSON.parse(manifest.body.toString("utf8")) as {
      layers?: { mediaType?: string; digest?: string }[];
    };
    layer = doc.layers?.find((l) => l.mediaType === CHART_LAYER);
  } catch {
    return { ok: false, kind: "fetch-failed", reason: `${ref.url}:${reference}: the manifest is not JSON` };
  }
  const digest = layer?.digest ?? "";
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    return { ok: false, kind: "not-found", reason: `${ref.url}:${reference} holds no Helm chart layer` };
  }
  const blob = await session.get(`${base}/blobs/${digest}`, {
    maxBytes: policy.maxChartBytes ?? FETCH_DEFAULTS.maxChartBytes,
  });
  if (!blob.ok) return { ok: false, kind: blob.kind, reason: `${ref.url}:${reference}: ${blob.reason}` };
  if (`sha256:${sha256(blob.body)}` !== digest) {
    return {
      ok: false,
      kind: "fetch-failed",
      reason: `${ref.url}:${reference}: the chart does not match its digest`,
    };
  }
  return { ok: true, chart: { data: blob.body, digest: digest.slice("sha256:".length), version } };
}

/** Registry requests with the anonymous token dance (401 + `WWW-Authenticate: Bearer ...`). */
class RegistrySession {
  private token: string | null = null;
  constructor(private readonly policy: FetchPolicy) {}

  async get(
    url: string,
    options: { maxBytes: number; headers?: Record<string, string> },
  ): Promise<FetchResult> {
    const headers = { ...options.headers, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) };
    const first = await boundedGet(url, this.policy, { ...options, headers });
    if (first.ok || first.status !== 401 || this.token) return first;
    const challenge = String(first.headers?.["www-authenticate"] ?? "");
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (!/^bearer/i.test(challenge) || !params.realm) return first;
    const realm = new URL(params.realm);
    if (realm.protocol !== "https:" && new URL(url).protocol === "https:") {
      return {
        ok: false,
        kind: "refused",
        reason: `the registry's token realm ${params.realm} is not https`,
      };
    }
    if (params.service) realm.searchParams.set("service", params.service);
    if (params.scope) realm.searchParams.set("scope", params.scope);
    const answer = await boundedGet(realm.toString(), this.policy, { maxBytes: 64 * 1024 });
    if (!answer.ok) return answer;
    try {
      const doc = JSON.parse(answer.body.toString("utf8")) as { token?: string; access_token?: string };
      this.token = doc.token ?? doc.access_token ?? null;
    } catch {
      return { ok: false, kind: "fetch-failed", reason: "the registry's token answer is not JSON" };
    }
    if (!this.token) return first;
    return boundedGet(url, this.policy, {
      ...options,
      headers: { ...options.headers, authorization: `Bearer ${this.token}` },
    });
  }
}
