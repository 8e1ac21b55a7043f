/**
 * GitOps sources: where Flux and Argo CD pull from. Repository URLs (which repository, whose
 * account) and revisions (the default branch, a branch, a tag, a version, a commit).
 */
import semver from "semver";

/** What a revision names: the default branch, another branch, a tag, a version (or range), a commit. */
export type RevisionKind = "default" | "branch" | "tag" | "version" | "commit";

export interface Revision {
  text: string;
  kind: RevisionKind;
}

export interface RepoUrl {
  /** `github.com/argoproj/argocd-example-apps`: scheme, user, `.git` and case dropped. */
  normalized: string;
  /** `github:argoproj`, or the host for single-tenant servers. */
  owner: string;
  ownerText: string;
}

/** Hosts shared by many accounts: the first path segment is the owner. One family shares account names. */
const SHARED_HOSTS: Record<string, string> = {
  "github.com": "github",
  "www.github.com": "github",
  "ghcr.io": "github",
  "raw.githubusercontent.com": "github",
  "gitlab.com": "gitlab",
  "registry.gitlab.com": "gitlab",
  "bitbucket.org": "bitbucket",
  "codeberg.org": "codeberg",
  "gitea.com": "gitea",
  "quay.io": "quay",
  "docker.io": "docker",
  "registry-1.docker.io": "docker",
  "index.docker.io": "docker",
  "public.ecr.aws": "ecr-public",
  "gcr.io": "gcr",
  "dev.azure.com": "azure",
  "ssh.dev.azure.com": "azure",
};

/** A repository URL in any spelling (https, scp-like git, oci://) normalised, with its owner. */
export function parseRepoUrl(raw: string): RepoUrl | null {
  let text = raw.trim();
  if (text === "") return null;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text);
  if (scheme) {
    text = text.slice(scheme[0].length);
  } else {
    // scp-like git URL: git@github.com:owner/repo.git
    const scp = /^(?:[^@/\s]+@)?([^/:\s]+):(?!\d+(\/|$))(.*)$/.exec(text);
    if (scp) text = `${scp[1]}/${scp[3]}`;
  }
  text = text.replace(/^[^@/]+@/, "");
  const [hostPort = "", ...rest] = text.split(/[/?#]/);
  const host = hostPort.replace(/:\d*$/, "").toLowerCase();
  const segments = rest.filter((segment) => segment !== "").map((segment) => segment.toLowerCase());
  if (segments.length > 0)
    segments[segments.length - 1] = segments[segments.length - 1]!.replace(/\.git$/, "");
  const normalized = [host, ...segments].join("/");
  const pages = /^([^.]+)\.(github|gitlab)\.io$/.exec(host);
  if (pages) return { normalized, owner: `${pages[2]}:${pages[1]}`, ownerText: pages[1]! };
  const family =
    (Object.hasOwn(SHARED_HOSTS, host) ? SHARED_HOSTS[host] : undefined) ??
    (host.endsWith(".pkg.dev") ? `gcp-${host}` : undefined);
  if (family) {
    const account = (family === "azure" && segments[0] === "v3" ? segments[1] : segments[0]) ?? "";
    return { normalized, owner: `${family}:${account}`, ownerText: account || host };
  }
  return { normalized, owner: host, ownerText: host };
}

const DEFAULT_BRANCHES = new Set(["", "head", "main", "master"]);

/** A version or a version range (`1.2.3`, `~1.2`, `>=2 <3`), not a branch name. */
export function isVersion(text: string): boolean {
  if (semver.valid(text, { loose: true })) return true;
  return /\d/.test(text) && semver.validRange(text, { loose: true }) !== null;
}

/** What a revision names, from its text and the field it is written in (`hint`). */
export function revisionKind(text: string, hint: RevisionKind | null): RevisionKind {
  const value = text.trim();
  if (hint === "commit" || hint === "version") return hint;
  if (/^(sha\d+:)?[0-9a-f]{7,64}$/i.test(value) && /[a-f]/i.test(value) && /\d/.test(value)) return "commit";
  if (isVersion(value)) return "version";
  if (hint === "tag") return "tag";
  if (DEFAULT_BRANCHES.has(value.toLowerCase())) return "default";
  return "branch";
}

/** Unset, empty and `HEAD` all mean the default branch. */
export function sameRevision(a: Revision, b: Revision): boolean {
  if (a.kind !== b.kind) return false;
  const canonical = (ref: Revision) =>
    ref.kind === "default" && /^(head)?$/i.test(ref.text) ? "HEAD" : ref.text;
  return canonical(a) === canonical(b);
}

/** `branch main`, `version 1.2.3`, `the default branch (HEAD)`. */
export function describeRevision(ref: Revision): string {
  switch (ref.kind) {
    case "default":
      return `the default branch (${ref.text || "HEAD"})`;
    case "version":
      return `version ${ref.text}`;
    case "commit":
      return `commit ${ref.text}`;
    case "tag":
      return `tag ${ref.text}`;
    default:
      return `branch ${ref.text}`;
  }
}
