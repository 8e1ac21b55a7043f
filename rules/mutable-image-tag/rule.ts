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
import type { Rule, RuleReport, SubjectPair } from "../../src/engine/types.js";
import type { Subject } from "../../src/model/types.js";
import type { PathSegment } from "../../src/parse/types.js";

type Problem = "latest" | "untagged";

interface MutableImage {
  /** Identity across base and head: where the image is written, and the reference. */
  key: string;
  /** Readable path of the image (`spec.template.spec.containers[name=app].image`). */
  where: string;
  path: PathSegment[];
  image: string;
  problem: Problem;
}

/** Tag of an image reference (`repo[:tag][@digest]`), or null when it has none. Registry ports are not tags. */
function tagOf(reference: string): string | null {
  const name = reference.split("@")[0] ?? reference;
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  return colon < 0 ? null : name.slice(colon + 1);
}

/** Why a reference can change under the same name, or null when it is pinned (a digest or a fixed tag). */
function mutability(reference: string): Problem | null {
  const ref = reference.trim();
  if (!ref || ref.includes("{{") || ref.includes("${") || ref.includes("@sha256:")) return null;
  if (/\s/.test(ref)) return null; // prose, not an image reference
  const tag = tagOf(ref);
  if (tag === null) return "untagged";
  return tag === "latest" ? "latest" : null;
}

/**
 * Image references in a manifest (`image: repo:tag`) or chart values (`image: repo:tag`, or
 * `image: {repository, tag, digest}`). A values `repository` without a tag is not reported: charts
 * default it to their appVersion.
 */
function mutableImages(value: unknown, inValues: boolean): MutableImage[] {
  const found: MutableImage[] = [];
  walkValue(value, (node) => {
    if (node.name !== "image") return;
    if (typeof node.value === "string") {
      const problem = mutability(node.value);
      if (problem)
        found.push({
          key: `${node.key}|${node.value}`,
          where: node.key,
          path: node.path,
          image: node.value,
          problem,
        });
      return;
    }
    if (!inValues || !isRecord(node.value)) return;
    const { repository, tag, digest } = node.value;
    if (typeof repository !== "string" || (typeof digest === "string" && digest)) return;
    const tagText = typeof tag === "string" || typeof tag === "number" ? String(tag) : "";
    if (tagText.includes("@sha256:") || tagText.trim() !== "latest") return;
    const image = `${repository}:${tagText.trim()}`;
    found.push({
      key: `${node.key}|${image}`,
      where: node.key,
      path: [...node.path, "tag"],
      image,
      problem: "latest",
    });
  });
  return found;
}

export const rule: Rule = {
  meta: {
    id: "mutable-image-tag",
    title: "Mutable image tag",
    category: "maintenance",
    defaultSeverity: "low",
    appliesTo: ["object", "release"],
    description:
      "The change introduces an image with the `latest` tag or with no tag and no digest, on a workload or in chart values.",
  },
  messages: {
    latest:
      "{{subject}} uses {{image}} ({{where}}): `latest` points at whatever was pushed last, so every pod restart or new node can run a different, untested version, and a rollback to this commit does not bring the old image back.",
    untagged:
      "{{subject}} uses {{image}} without a tag ({{where}}): Kubernetes pulls `latest`, so what runs depends on when each node pulled it, and nothing in git records which version is deployed.",
  },
  remediation:
    "Pin a version tag (and ideally its digest, `repo:1.2.3@sha256:...`), and let Renovate or Flux image automation propose updates as reviewable pull requests.",
  checklist: [
    "Which version does this tag resolve to today, and is that the version that was tested?",
    "Will a rollback of this change restore the previous image?",
  ],
  evaluate(context) {
    const reports: RuleReport[] = [];
    const check = (pair: SubjectPair, base: Subject | null, head: Subject, inValues: boolean) => {
      const fresh = introduced(
        mutableImages(ownValue(base), inValues),
        mutableImages(ownValue(head), inValues),
      );
      for (const item of fresh) {
        reports.push({
          messageId: item.problem,
          data: { subject: describeSubject(head), image: item.image, where: item.where },
          severity: item.problem === "latest" ? "medium" : "low",
          location: locationOf(head, item.path, "head"),
          subject: pair.id,
          evidence: { path: item.where, after: item.image },
        });
      }
    };
    for (const { pair, base, head } of objectDiffs(context)) {
      if (!head || pair.status === "unchanged" || head.identity.kind === "CustomResourceDefinition") continue;
      check(pair, base, head, false);
    }
    for (const { pair, base, head } of releaseDiffs(context)) {
      if (!head || pair.status === "unchanged") continue;
      check(pair, base, head, true);
    }
    return reports;
  },
};
