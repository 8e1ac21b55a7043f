/**
 * The YAML stream helm or kustomize printed -> Kubernetes objects, each with the template that
 * produced it (helm's `# Source:` comment). A `List` is flattened into its items, as Helm and kubectl
 * do when they apply it.
 */
import { parseAllDocuments } from "yaml";
import type { RenderedObject } from "./types.js";

export type ParsedOutput = { ok: true; objects: RenderedObject[] } | { ok: false; reason: string };

const SOURCE = /^# Source: (\S.*?)\s*$/gm;

export function parseRenderedOutput(text: string): ParsedOutput {
  const documents = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false });
  const list = Array.isArray(documents) ? documents : [documents];
  const objects: RenderedObject[] = [];
  // `# Source:` lines by offset. Helm prints a CRD file as an empty document holding only that
  // line, then the file's own documents: each document takes the last such line before it.
  const sources = [...text.matchAll(SOURCE)].map((m) => ({ at: m.index, path: m[1]! }));
  let next = 0;
  let source: string | null = null;
  for (const [index, doc] of list.entries()) {
    const start = doc.contents?.range?.[0] ?? doc.range[1];
    while (next < sources.length && sources[next]!.at < start) source = sources[next++]!.path;
    const where = source ? ` (${source})` : "";
    const error = doc.errors[0];
    if (error)
      return { ok: false, reason: `document ${index + 1}${where} is not valid YAML: ${error.message}` };
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      return {
        ok: false,
        reason: `document ${index + 1}${where} could not be read: ${(err as Error).message}`,
      };
    }
    if (value === null || value === undefined) continue;
    if (!isRecord(value))
      return { ok: false, reason: `document ${index + 1}${where} is not a Kubernetes object` };
    const items = isListKind(value) ? (value.items as unknown[]) : [value];
    for (const item of items) {
      const object = toObject(item, source, index);
      if (!object)
        return {
          ok: false,
          reason: `document ${index + 1}${where} holds something that is not a Kubernetes object (no apiVersion, kind or metadata.name)`,
        };
      objects.push(object);
    }
  }
  return { ok: true, objects };
}

function isListKind(value: Record<string, unknown>): boolean {
  return typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items);
}

function toObject(value: unknown, source: string | null, index: number): RenderedObject | null {
  if (!isRecord(value)) return null;
  const { apiVersion, kind, metadata } = value;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !isRecord(metadata)) return null;
  const name = metadata.name;
  if (typeof name !== "string" || name === "") return null;
  const namespace =
    typeof metadata.namespace === "string" && metadata.namespace !== "" ? metadata.namespace : null;
  return { apiVersion, kind, name, namespace, object: deepFreeze(value), source, index };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
