import { getIn, isRecord, locationOf, objectDiffs } from "../../src/engine/rule-kit.js";
import type { KubeObject, Rule, RuleReport } from "../../src/engine/types.js";
import { isKubernetesSecret } from "../../src/k8s/secrets.js";

/**
 * A value that is a real secret in git: not empty, not SOPS ciphertext (`ENC[...]`), not a Flux
 * post-build substitution (`${VAR}`), not a Helm/Go template.
 */
function isPlaintext(value: unknown): boolean {
  if (typeof value === "number" || typeof value === "boolean") return true;
  if (typeof value !== "string") return false;
  const text = value.trim();
  if (!text || text.startsWith("ENC[")) return false;
  if (/^\$\{[^}]+\}$/.test(text) || /^\{\{.*\}\}$/s.test(text)) return false;
  return true;
}

/** Keys of `data`/`stringData` holding plaintext values, in file order (values never leave this function). */
function plaintextKeys(object: KubeObject | null): { field: "data" | "stringData"; key: string }[] {
  if (!object || isRecord(getIn(object.document.value, ["sops"]))) return [];
  const found: { field: "data" | "stringData"; key: string }[] = [];
  for (const field of ["data", "stringData"] as const) {
    const map = getIn(object.document.value, [field]);
    if (!isRecord(map)) continue;
    for (const [key, value] of Object.entries(map)) if (isPlaintext(value)) found.push({ field, key });
  }
  return found;
}

export const rule: Rule = {
  meta: {
    id: "plaintext-secret",
    title: "Plaintext Secret committed",
    category: "security",
    defaultSeverity: "critical",
    appliesTo: ["object"],
    description:
      "A Kubernetes Secret with unencrypted data or stringData is added or edited in git (SOPS, SealedSecrets and ExternalSecrets are fine).",
  },
  messages: {
    plaintext:
      "Secret {{name}} holds {{count}} unencrypted value(s) in git ({{keys}}): base64 is an encoding, not encryption — everyone with read access to the repository, its forks, CI logs and clones has these credentials, and removing them later does not remove them from history.",
  },
  remediation:
    "Rotate the exposed credentials, then store them encrypted (SOPS with age/KMS, Sealed Secrets) or in a secret manager referenced by an ExternalSecret, and rewrite history only as a complement to rotation.",
  checklist: [
    "Have the exposed credentials been rotated (assume they are compromised once pushed)?",
    "Is the repository's encryption (SOPS `.sops.yaml` creation rules, Sealed Secrets) covering this path?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of objectDiffs(context, ["Secret"])) {
      if (!head || pair.status === "unchanged" || !isKubernetesSecret(head)) continue;
      const keys = plaintextKeys(head);
      if (keys.length === 0) continue;
      // A Secret that was already plaintext and keeps the same keys is old news; new or edited keys are not.
      const before = new Set(plaintextKeys(base).map((item) => `${item.field}.${item.key}`));
      const changed =
        JSON.stringify(getIn(base?.document.value, ["data"])) !==
          JSON.stringify(getIn(head.document.value, ["data"])) ||
        JSON.stringify(getIn(base?.document.value, ["stringData"])) !==
          JSON.stringify(getIn(head.document.value, ["stringData"]));
      if (!changed && keys.every((item) => before.has(`${item.field}.${item.key}`))) continue;
      const first = keys[0]!;
      const { namespace, name } = head.identity;
      reports.push({
        messageId: "plaintext",
        data: {
          name: namespace ? `${namespace}/${name}` : name,
          count: keys.length,
          keys: keys.map((item) => `${item.field}.${item.key}`).join(", "),
        },
        location: locationOf(head, [first.field, first.key], "head"),
        subject: pair.id,
        // Never the value: only where it is.
        evidence: { path: `${first.field}.${first.key}` },
      });
    }
    return reports;
  },
};
