import {
  describeSubject,
  introduced,
  isRecord,
  locationOf,
  objectDiffs,
  ownValue,
  releaseDiffs,
  walkValue,
} from "../../src/engine/rule-kit.js";
import {
  severityRank,
  type Rule,
  type RuleReport,
  type Severity,
  type SubjectPair,
} from "../../src/engine/types.js";
import type { Subject } from "../../src/model/types.js";
import type { PathSegment } from "../../src/parse/types.js";

/** Capabilities that amount to root on the node or its network. */
const DANGEROUS_CAPABILITIES = new Set([
  "ALL",
  "SYS_ADMIN",
  "NET_ADMIN",
  "SYS_PTRACE",
  "SYS_MODULE",
  "SYS_RAWIO",
  "DAC_READ_SEARCH",
  "BPF",
  "SYS_BOOT",
]);
/** The container runtime's socket, or a folder that holds it: whoever reaches it owns the node. */
const RUNTIME_SOCKET =
  /(docker|containerd|crio|cri-dockerd|podman)\.sock$|^\/(var\/)?run\/?$|^\/(var\/)?run\/(containerd|docker|crio)\/?$/;

interface Access {
  /** Identity across base and head: where the setting is written, and what it grants. */
  key: string;
  /** Readable path of the setting. */
  where: string;
  path: PathSegment[];
  what: string;
  severity: Severity;
}

function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** Every privileged or host-level setting in a manifest or in chart values. */
function accesses(value: unknown): Access[] {
  const found: Access[] = [];
  walkValue(value, (node) => {
    const add = (what: string, severity: Severity = "high") =>
      found.push({
        key: `${node.key}|${what}`,
        where: node.key,
        path: node.path,
        what: `${what} (${node.key})`,
        severity,
      });
    const name = node.name;
    if (typeof name !== "string") return;
    if (name === "privileged" && isTrue(node.value)) add("privileged: true");
    if (name === "allowPrivilegeEscalation" && isTrue(node.value)) add("allowPrivilegeEscalation: true");
    if ((name === "hostNetwork" || name === "hostPID" || name === "hostIPC") && isTrue(node.value))
      add(`${name}: true`);
    if (name === "add" && Array.isArray(node.value)) {
      for (const cap of node.value) {
        const normal = typeof cap === "string" ? cap.toUpperCase().replace(/^CAP_/, "") : "";
        if (DANGEROUS_CAPABILITIES.has(normal) && /capabilities/i.test(node.key)) add(`capability ${normal}`);
      }
    }
    if (name === "hostPath") {
      const path = isRecord(node.value) ? node.value.path : node.value;
      if (typeof path === "string" && path.startsWith("/")) {
        const socket = RUNTIME_SOCKET.test(path);
        add(
          socket ? `container runtime socket mounted (hostPath ${path})` : `hostPath ${path}`,
          socket ? "critical" : "high",
        );
      }
    }
  });
  return found;
}

export const rule: Rule = {
  meta: {
    id: "privileged-or-host-access",
    title: "Privileged or host access introduced",
    category: "security",
    defaultSeverity: "high",
    appliesTo: ["object", "release"],
    description:
      "A workload or chart values gain privileged mode, privilege escalation, dangerous capabilities, host namespaces, hostPath volumes or the container runtime socket.",
  },
  messages: {
    introduced:
      "{{subject}} gains {{what}}: a compromised or buggy container here can act as root on the node — read other pods' Secrets and volumes, change the node's network or escape the container.",
  },
  remediation:
    "Drop the setting unless the workload is a node agent that truly needs it; prefer narrower options (a specific capability instead of privileged, a PVC or CSI volume instead of hostPath, never the runtime socket), and keep such workloads in a namespace with the privileged Pod Security level only.",
  checklist: [
    "Is this a node-level agent (CNI, CSI, monitoring) that needs host access, and is the image from a trusted, pinned source?",
    "Can a narrower setting do (one capability, a read-only hostPath, no hostNetwork)?",
    "Does the namespace's Pod Security admission level allow it on purpose?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    const check = (pair: SubjectPair, base: Subject | null, head: Subject) => {
      const fresh = introduced(accesses(ownValue(base)), accesses(ownValue(head)));
      if (fresh.length === 0) return;
      const worst = fresh.reduce((a, b) => (severityRank(b.severity) > severityRank(a.severity) ? b : a));
      reports.push({
        messageId: "introduced",
        data: { subject: describeSubject(head), what: fresh.map((item) => item.what).join("; ") },
        severity: worst.severity,
        location: locationOf(head, worst.path, "head"),
        subject: pair.id,
        evidence: { path: worst.where, after: worst.what },
      });
    };
    for (const { pair, base, head } of objectDiffs(context)) {
      if (!head || pair.status === "unchanged") continue;
      if (head.identity.kind === "CustomResourceDefinition") continue; // schemas, not settings
      check(pair, base, head);
    }
    for (const { pair, base, head } of releaseDiffs(context)) {
      if (!head || pair.status === "unchanged") continue;
      check(pair, base, head);
    }
    return reports;
  },
};
