import { isDeepStrictEqual } from "node:util";
import {
  describeSubject,
  getIn,
  isProductionPath,
  locationOf,
  objectDiffs,
  ownValue,
  releaseDiffs,
  show,
  walkValue,
} from "../../src/engine/rule-kit.js";
import type { Rule, RuleReport, Severity } from "../../src/engine/types.js";
import type { PathSegment } from "../../src/parse/types.js";

const GROUP = "cert-manager.io";
/** An ACME directory URL: Let's Encrypt, ZeroSSL, Google, Buypass... (`.../directory`, `acme` in the host or path). */
const ACME_URL = /https?:\/\/[^\s"',]*(acme|\/directory)[^\s"',]*/i;

function isStaging(url: string): boolean {
  return /staging|stg|test/i.test(url);
}

/** High for a staging <-> production switch, or any ACME server change in a production path. */
function serverSeverity(before: string, after: string, file: string): Severity {
  return isProductionPath(file) || isStaging(before) !== isStaging(after) ? "high" : "medium";
}

function env(url: string): string {
  return isStaging(url) ? "staging" : "production";
}

export const rule: Rule = {
  meta: {
    id: "cert-issuer-changed",
    title: "Certificate issuer changed",
    category: "certificates",
    defaultSeverity: "medium",
    appliesTo: ["object", "release"],
    description:
      "A cert-manager Issuer/ClusterIssuer ACME server, solvers or account key changes, a Certificate moves to another issuer, or a chart's ACME caServer changes.",
  },
  messages: {
    server:
      "{{subject}}: ACME server {{before}} ({{beforeEnv}}) -> {{after}} ({{afterEnv}}): every certificate it issues is re-ordered from the new CA on its next renewal or re-issue; a staging CA gives certificates browsers reject, and mass re-orders against Let's Encrypt production hit its rate limits (5 duplicate certificates per week per name set).",
    solvers:
      "{{subject}}: ACME solvers change: new orders and renewals are validated the new way; if the new solver cannot answer (missing ingress class or Gateway, wrong DNS credentials), renewals fail quietly until certificates expire.",
    accountKey:
      "{{subject}}: privateKeySecretRef {{before}} -> {{after}}: cert-manager registers a new ACME account with a new key (the Secret is created if missing); EAB credentials, CAA accounturi records and rate-limit overrides tied to the old account do not carry over.",
    issuerRef:
      "Certificate {{name}}: issuerRef {{before}} -> {{after}}: cert-manager re-issues the certificate from the new issuer right away, replacing the key pair in Secret {{secret}}.",
  },
  remediation:
    "Try issuer changes against the staging CA or on one Certificate first, check `kubectl describe certificaterequest`/`order` for a successful issuance, then switch production issuers in a separate PR.",
  checklist: [
    "Has the new ACME server / solver issued a certificate successfully in a non-production environment?",
    "How many Certificates use this issuer, and could re-issuing them all hit Let's Encrypt's limits (5 duplicates per week, 50 per registered domain per week)?",
    "Do clients pin the old CA or key (mTLS, certificate pinning, CAA records with accounturi)?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    for (const { pair, base, head } of objectDiffs(context, ["Issuer", "ClusterIssuer", "Certificate"])) {
      if (!base || !head || pair.status === "unchanged" || head.identity.group !== GROUP) continue;
      const subject = `${head.identity.kind} ${head.identity.name}`;
      const file = head.document.file;
      const at = (path: PathSegment[]) => locationOf(head, path, "head");
      const before = (path: PathSegment[]) => getIn(base.document.value, path);
      const after = (path: PathSegment[]) => getIn(head.document.value, path);

      if (head.identity.kind === "Certificate") {
        const ref = ["spec", "issuerRef"];
        if (!isDeepStrictEqual(before(ref), after(ref))) {
          const text = (value: unknown) =>
            `${show(getIn(value, ["kind"]) ?? "Issuer")}/${show(getIn(value, ["name"]))}`;
          reports.push({
            messageId: "issuerRef",
            data: {
              name: head.identity.name,
              before: text(before(ref)),
              after: text(after(ref)),
              secret: show(after(["spec", "secretName"])),
            },
            location: at(ref),
            subject: pair.id,
            evidence: { path: "spec.issuerRef", before: before(ref), after: after(ref) },
          });
        }
        continue;
      }

      const server = ["spec", "acme", "server"];
      const oldServer = before(server);
      const newServer = after(server);
      if (typeof oldServer === "string" && typeof newServer === "string" && oldServer !== newServer) {
        reports.push({
          messageId: "server",
          data: {
            subject,
            before: oldServer,
            after: newServer,
            beforeEnv: env(oldServer),
            afterEnv: env(newServer),
          },
          severity: serverSeverity(oldServer, newServer, file),
          location: at(server),
          subject: pair.id,
          evidence: { path: "spec.acme.server", before: oldServer, after: newServer },
        });
      }
      const key = ["spec", "acme", "privateKeySecretRef", "name"];
      if (before(key) !== undefined && !isDeepStrictEqual(before(key), after(key))) {
        reports.push({
          messageId: "accountKey",
          data: { subject, before: show(before(key)), after: show(after(key)) },
          location: at(key),
          subject: pair.id,
          evidence: { path: "spec.acme.privateKeySecretRef.name", before: before(key), after: after(key) },
        });
      }
      const solvers = ["spec", "acme", "solvers"];
      if (before(solvers) !== undefined && !isDeepStrictEqual(before(solvers), after(solvers))) {
        reports.push({
          messageId: "solvers",
          data: { subject },
          location: at(solvers),
          subject: pair.id,
          evidence: { path: "spec.acme.solvers", before: before(solvers), after: after(solvers) },
        });
      }
    }

    // Charts (Traefik certResolvers / certificatesResolvers caServer, --certificatesresolvers.*.caserver=
    // arguments, issuers rendered from values): any ACME directory URL that is new on head.
    for (const { pair, base, head } of releaseDiffs(context)) {
      if (!base || !head || pair.status === "unchanged") continue;
      const urls = (value: unknown) => {
        const found: { url: string; path: PathSegment[]; key: string }[] = [];
        walkValue(value, (node) => {
          const match = typeof node.value === "string" ? ACME_URL.exec(node.value) : null;
          if (match) found.push({ url: match[0], path: node.path, key: node.key });
        });
        return found;
      };
      const oldUrls = urls(ownValue(base));
      if (oldUrls.length === 0) continue;
      const known = new Set(oldUrls.map((item) => item.url));
      const fresh = urls(ownValue(head)).find((item) => !known.has(item.url));
      if (!fresh) continue;
      const previous = oldUrls.find((item) => item.key === fresh.key) ?? oldUrls[0]!;
      const location = locationOf(head, fresh.path, "head");
      reports.push({
        messageId: "server",
        data: {
          subject: `${describeSubject(head)} ${fresh.key}`,
          before: previous.url,
          after: fresh.url,
          beforeEnv: env(previous.url),
          afterEnv: env(fresh.url),
        },
        severity: serverSeverity(previous.url, fresh.url, location.path),
        location,
        subject: pair.id,
        evidence: { path: fresh.key, before: previous.url, after: fresh.url },
      });
    }
    return reports;
  },
};
