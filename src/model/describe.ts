/** Subjects named the way a reviewer reads them, for messages and renderings. */
import { describeObject } from "./objects.js";
import type { Subject } from "./types.js";

/** `Deployment/default/web`, or `HelmRelease traefik/traefik (chart traefik 10.24.0)`. */
export function describeSubject(subject: Subject): string {
  if (subject.type === "object") return describeObject(subject);
  const chart = subject.chart.name
    ? ` (chart ${subject.chart.name}${subject.chart.version ? ` ${subject.chart.version}` : ""})`
    : "";
  if (subject.origin === "chart") return `values ${subject.releaseName}${chart}`;
  const where = subject.namespace ? `${subject.namespace}/` : "";
  return `release ${where}${subject.releaseName}${chart}`;
}
