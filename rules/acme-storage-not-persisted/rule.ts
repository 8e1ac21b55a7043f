import { describeSubject, getIn, isProductionPath, isRecord, locationOf } from "../../src/engine/rule-kit.js";
import {
  blockMounts,
  normalizeMountPath,
  objectMounts,
  pathRelation,
  persistenceBlocks,
  type Mount,
  type PersistenceBlock,
} from "../../src/k8s/storage.js";
import { podSpecsOf } from "../../src/k8s/workloads.js";
import type { FindingLocation, HelmRelease, KubeObject, Rule, RuleReport } from "../../src/engine/types.js";
import type { ValuePath } from "../../src/parse/types.js";

/** Where Traefik keeps ACME data when a resolver names no storage (relative to its working directory). */
const TRAEFIK_DEFAULT_STORAGE = "acme.json";

const STORAGE_ARGUMENT = /^--?certificatesresolvers\.([^.=]+)\.acme\.storage=(.*)$/i;
const RESOLVER_ARGUMENT = /^--?certificatesresolvers\.([^.=]+)\.acme\./i;

interface Storage {
  resolver: string;
  /** As written, or Traefik's default when the resolver names none. */
  storage: string;
  written: boolean;
  /** Where the storage (or the resolver) is written. */
  valuePath: ValuePath;
  /** Readable: `values.certResolvers.letsencrypt.storage`, an argument. */
  origin: string;
  /** Container scope the storage belongs to (objects), or "values". */
  scope: string;
}

type Verdict =
  | { kind: "persisted" }
  | { kind: "shadowed"; owner: Mount; other: Mount }
  | { kind: "onOtherVolume"; owner: Mount }
  | { kind: "persistenceOff"; owner: Mount }
  | { kind: "notOnVolume" };

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function argumentStorages(list: unknown, listPath: ValuePath, scope: string, origin: string): Storage[] {
  const found: Storage[] = [];
  const resolvers = new Set<string>();
  if (!Array.isArray(list)) return found;
  list.forEach((item, i) => {
    const text = str(item)?.trim();
    if (!text) return;
    const storage = STORAGE_ARGUMENT.exec(text);
    if (storage) {
      found.push({
        resolver: storage[1]!,
        storage: storage[2]!.replace(/^["']|["']$/g, ""),
        written: true,
        valuePath: [...listPath, i],
        origin: `${origin}[${i}]`,
        scope,
      });
    } else {
      const resolver = RESOLVER_ARGUMENT.exec(text);
      if (resolver) resolvers.add(resolver[1]!);
    }
  });
  for (const resolver of resolvers) {
    if (found.some((item) => item.resolver.toLowerCase() === resolver.toLowerCase())) continue;
    const index = list.findIndex((item) => RESOLVER_ARGUMENT.exec(String(item))?.[1] === resolver);
    found.push({
      resolver,
      storage: TRAEFIK_DEFAULT_STORAGE,
      written: false,
      valuePath: [...listPath, index],
      origin: `${origin}[${index}]`,
      scope,
    });
  }
  return found;
}

/** ACME storages a Traefik release's values configure, whatever the chart version calls them. */
function releaseStorages(release: HelmRelease): Storage[] {
  const values = release.values.value;
  const found: Storage[] = [];
  const legacy = getIn(values, ["certResolvers"]);
  if (isRecord(legacy)) {
    for (const [resolver, config] of Object.entries(legacy)) {
      if (!isRecord(config)) continue;
      const storage = str(config.storage);
      found.push({
        resolver,
        storage: storage ?? TRAEFIK_DEFAULT_STORAGE,
        written: storage !== null,
        valuePath: storage !== null ? ["certResolvers", resolver, "storage"] : ["certResolvers", resolver],
        origin: `values.certResolvers.${resolver}${storage !== null ? ".storage" : ""}`,
        scope: "values",
      });
    }
  }
  const current = getIn(values, ["certificatesResolvers"]);
  if (isRecord(current)) {
    for (const [resolver, config] of Object.entries(current)) {
      if (!isRecord(config) || !isRecord(config.acme)) continue;
      const storage = str(config.acme.storage);
      found.push({
        resolver,
        storage: storage ?? TRAEFIK_DEFAULT_STORAGE,
        written: storage !== null,
        valuePath:
          storage !== null
            ? ["certificatesResolvers", resolver, "acme", "storage"]
            : ["certificatesResolvers", resolver],
        origin: `values.certificatesResolvers.${resolver}.acme${storage !== null ? ".storage" : ""}`,
        scope: "values",
      });
    }
  }
  for (const key of ["additionalArguments", "globalArguments"]) {
    for (const storage of argumentStorages(getIn(values, [key]), [key], "values", `values.${key}`)) {
      // An argument overrides the same resolver's values: Traefik reads the last flag.
      const index = found.findIndex((item) => item.resolver === storage.resolver);
      if (index >= 0 && !storage.written) continue;
      if (index >= 0) found.splice(index, 1);
      found.push(storage);
    }
  }
  return found;
}

/** ACME storages in the arguments of a workload's containers (Traefik deployed from plain manifests). */
function objectStorages(object: KubeObject): Storage[] {
  const found: Storage[] = [];
  for (const pod of podSpecsOf(object)) {
    const containers = getIn(pod.spec, ["containers"]);
    if (!Array.isArray(containers)) continue;
    containers.forEach((container, c) => {
      const name = str(getIn(container, ["name"])) ?? String(c);
      const scope = `containers[name=${name}]`;
      for (const key of ["args", "command"]) {
        const path = [...pod.path, "containers", c, key];
        found.push(...argumentStorages(getIn(container, [key]), path, scope, `${scope}.${key}`));
      }
    });
  }
  return found;
}

/** Which mount holds the storage file: the deepest mount whose path contains it. */
function verdictOf(storage: Storage, mounts: Mount[], persistenceVolume: string | null): Verdict {
  if (!storage.storage.startsWith("/")) return { kind: "notOnVolume" };
  const file = normalizeMountPath(storage.storage);
  const holders = mounts.filter(
    (mount) => mount.scope === storage.scope && pathRelation(file, mount.mountPath) === "child",
  );
  if (holders.length === 0) return { kind: "notOnVolume" };
  const depth = Math.max(...holders.map((mount) => mount.mountPath.length));
  const deepest = holders.filter((mount) => mount.mountPath.length === depth);
  const owner = deepest.find((mount) => mount.persistent) ?? deepest[0]!;
  const other = deepest.find((mount) => mount !== owner);
  if (other) return { kind: "shadowed", owner, other };
  if (owner.persistent) return { kind: "persisted" };
  if (persistenceVolume !== null && owner.volume === persistenceVolume && owner.source === "emptyDir") {
    return { kind: "persistenceOff", owner };
  }
  return { kind: "onOtherVolume", owner };
}

/** The chart's own `persistence` block (top level), which decides what is mounted at `persistence.path`. */
function chartPersistence(release: HelmRelease): PersistenceBlock | null {
  return persistenceBlocks(release).find((item) => item.path.length === 1) ?? null;
}

function verdictKey(storage: Storage, verdict: Verdict): string {
  const mount = "other" in verdict ? verdict.other : "owner" in verdict ? verdict.owner : null;
  return [storage.resolver, storage.storage, verdict.kind, mount?.volume ?? "", mount?.mountPath ?? ""].join(
    "\u0000",
  );
}

interface Evaluated {
  storage: Storage;
  verdict: Verdict;
}

function evaluateRelease(release: HelmRelease | null): Evaluated[] {
  if (!release) return [];
  const storages = releaseStorages(release);
  if (storages.length === 0) return [];
  const mounts = blockMounts(release).filter((mount) => mount.scope === "values");
  const block = chartPersistence(release);
  return storages.map((storage) => ({ storage, verdict: verdictOf(storage, mounts, block?.name ?? null) }));
}

function evaluateObject(object: KubeObject | null): Evaluated[] {
  if (!object) return [];
  const storages = objectStorages(object);
  if (storages.length === 0) return [];
  const mounts = objectMounts(object);
  return storages.map((storage) => ({ storage, verdict: verdictOf(storage, mounts, null) }));
}

function writeFate(mount: Mount): string {
  if (["configMap", "secret", "projected", "downwardAPI"].includes(mount.source)) {
    return `the ${mount.sourceLabel} is read-only, so Traefik cannot write acme.json and gets no certificates at all`;
  }
  if (mount.source === "emptyDir")
    return "an emptyDir is wiped with the pod, so acme.json is lost at every restart";
  return `acme.json lands on the ${mount.sourceLabel}, not on the persistent volume`;
}

export const rule: Rule = {
  meta: {
    id: "acme-storage-not-persisted",
    title: "ACME certificates are not stored on a persistent volume",
    category: "certificates",
    defaultSeverity: "high",
    appliesTo: ["release", "object"],
    description:
      "Traefik's ACME storage (certResolvers.*.storage, certificatesResolvers.*.acme.storage, --certificatesresolvers.<n>.acme.storage) is not on a persistent volume after the change: persistence off, outside persistence.path, or under a volume that shadows it.",
  },
  messages: {
    shadowed:
      "{{subject}}: ACME resolver {{resolver}} keeps its account and certificates in {{storage}} ({{storageOrigin}}), on {{owner}} at {{mountPath}}, but {{other}} ({{otherOrigin}}) is mounted at {{mountPath}} too. Either the API server rejects the pod template (two mounts at one path) and the upgrade fails, or the {{other}} hides acme.json: Traefik starts without its certificates and orders them all again from Let's Encrypt on every start, until the duplicate-certificate limit stops it and HTTPS falls back to Traefik's self-signed default certificate.",
    onOtherVolume:
      "{{subject}}: ACME resolver {{resolver}} keeps its account and certificates in {{storage}} ({{storageOrigin}}), which is on the {{other}} mounted at {{mountPath}} ({{otherOrigin}}), not on a persistent volume: {{fate}}. Every restart re-orders every certificate from Let's Encrypt, until the duplicate-certificate limit stops it and HTTPS falls back to Traefik's self-signed default certificate.",
    persistenceOff:
      "{{subject}}: ACME resolver {{resolver}} keeps its account and certificates in {{storage}} ({{storageOrigin}}), but {{block}}.enabled is {{enabled}}, so the chart mounts an emptyDir at {{mountPath}}: acme.json is lost at every restart or reschedule, and Traefik orders every certificate again from Let's Encrypt until the duplicate-certificate limit stops it and HTTPS falls back to Traefik's self-signed default certificate.",
    notOnVolume:
      "{{subject}}: ACME resolver {{resolver}} keeps its account and certificates in {{storage}} ({{storageOrigin}}), outside every mounted volume{{hint}}: the file lives in the container's own filesystem and is lost at every restart, and Traefik orders every certificate again from Let's Encrypt until the duplicate-certificate limit stops it and HTTPS falls back to Traefik's self-signed default certificate.",
  },
  remediation:
    "Keep the ACME storage on the persistent volume: `persistence.enabled: true`, the storage file under `persistence.path` (e.g. `/data/acme.json` with `path: /data`), and no other volume mounted at or above that path.",
  checklist: [
    "Where will acme.json live after this change, and will it survive a pod restart or reschedule (`kubectl exec <traefik pod> -- ls -l <storage>` after a rollout)?",
    "Let's Encrypt issues at most 5 duplicate certificates per week for the same set of names (and 50 certificates per registered domain per week): how many restarts would it take to lock these domains out, and what do clients see meanwhile (Traefik's self-signed default certificate)?",
    "Is the existing acme.json (account key and certificates) kept or migrated, so the change does not trigger a full re-issue?",
    "If Traefik runs more than one replica, is the ACME storage on a volume they can share, or is only one replica allowed to hold it (ReadWriteOnce)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const diff of context.diffs) {
      const { base, head } = diff.pair;
      if (!head) continue;
      const evaluate = (subject: typeof head | null): Evaluated[] =>
        !subject ? [] : subject.type === "release" ? evaluateRelease(subject) : evaluateObject(subject);
      const after = evaluate(head);
      if (after.length === 0) continue;
      const before = evaluate(base);
      const beforeKeys = new Set(before.map(({ storage, verdict }) => verdictKey(storage, verdict)));
      for (const { storage, verdict } of after) {
        if (verdict.kind === "persisted") continue;
        // Already so on the base branch: not this change's doing.
        if (beforeKeys.has(verdictKey(storage, verdict))) continue;
        const previous = before.find((item) => item.storage.resolver === storage.resolver);
        const location = locate(head, storage, verdict, previous);
        const data: Record<string, string> = {
          subject: describeSubject(head),
          resolver: storage.resolver,
          storage: storage.written
            ? storage.storage
            : `${storage.storage} (Traefik's default: no storage is set)`,
          storageOrigin: storage.origin,
        };
        if (verdict.kind === "shadowed") {
          data.mountPath = verdict.owner.rawMountPath;
          data.owner = verdict.owner.persistent
            ? "the persistent volume"
            : `the ${verdict.owner.sourceLabel}`;
          data.other = verdict.other.sourceLabel;
          data.otherOrigin = verdict.other.origin;
        } else if (verdict.kind === "onOtherVolume") {
          data.mountPath = verdict.owner.rawMountPath;
          data.other = verdict.owner.sourceLabel;
          data.otherOrigin = verdict.owner.origin;
          data.fate = writeFate(verdict.owner);
        } else if (verdict.kind === "persistenceOff") {
          const block = head.type === "release" ? chartPersistence(head) : null;
          data.mountPath = verdict.owner.rawMountPath;
          data.block = block ? `values.${block.label}` : "values.persistence";
          data.enabled = block?.enabled === false ? "false" : "not set (the chart's default is false)";
        } else {
          const block = head.type === "release" ? chartPersistence(head) : null;
          data.hint = block?.mountPath ? ` (persistence.path is ${block.mountPath})` : "";
        }
        reports.push({
          messageId: verdict.kind,
          severity: isProductionPath(location.path) ? "critical" : "high",
          data,
          location,
          subject: diff.pair.id,
          evidence: {
            path: storage.origin,
            before: previous ? describeVerdict(previous) : undefined,
            after: describeVerdict({ storage, verdict }),
          },
        });
      }
    }
    return reports;
  },
};

function describeVerdict({ storage, verdict }: Evaluated): string {
  switch (verdict.kind) {
    case "persisted":
      return `${storage.storage} on a persistent volume`;
    case "shadowed":
      return `${storage.storage} under ${verdict.other.sourceLabel} at ${verdict.other.rawMountPath}`;
    case "onOtherVolume":
      return `${storage.storage} on ${verdict.owner.sourceLabel}`;
    case "persistenceOff":
      return `${storage.storage} on an emptyDir (persistence off)`;
    case "notOnVolume":
      return `${storage.storage} on the container filesystem`;
  }
}

/** Point at what this change did: the shadowing mount, the persistence switch, or the storage path. */
function locate(
  head: HelmRelease | KubeObject,
  storage: Storage,
  verdict: Verdict,
  previous: Evaluated | undefined,
): FindingLocation {
  if (verdict.kind === "shadowed") return locationOf(head, verdict.other.valuePath, "head");
  if (verdict.kind === "onOtherVolume" && previous?.storage.storage === storage.storage) {
    return locationOf(head, verdict.owner.valuePath, "head");
  }
  if (
    verdict.kind === "persistenceOff" &&
    head.type === "release" &&
    previous?.storage.storage === storage.storage
  ) {
    const block = chartPersistence(head);
    if (block && getIn(head.values.value, [...block.path, "enabled"]) !== undefined) {
      return locationOf(head, [...block.path, "enabled"], "head");
    }
  }
  return locationOf(head, storage.valuePath, "head");
}
