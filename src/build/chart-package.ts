/** What a chart says about itself: Chart.yaml of a folder or of a packaged `.tgz`. */
import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { parse } from "yaml";

const gunzipAsync = promisify(gunzip);

/** A package that inflates past this is treated as hostile (a gzip bomb), not read. */
const MAX_UNPACKED_BYTES = 200 * 1024 * 1024;

export interface ChartDependency {
  name: string;
  version: string;
  repository: string;
  alias?: string;
}

export interface ChartMetadata {
  name: string;
  version: string;
  dependencies: ChartDependency[];
}

export type MetadataResult = { ok: true; metadata: ChartMetadata } | { ok: false; reason: string };

/** Chart.yaml text (and requirements.yaml for apiVersion v1 charts) -> name, version, dependencies. */
export function readChartMetadata(chartYaml: string, requirementsYaml?: string | null): MetadataResult {
  let doc: unknown;
  try {
    doc = parse(chartYaml, { maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, reason: `Chart.yaml is not valid YAML: ${(err as Error).message}` };
  }
  if (!isRecord(doc)) return { ok: false, reason: "Chart.yaml is not a mapping" };
  const name = typeof doc.name === "string" ? doc.name : "";
  const version = doc.version === undefined || doc.version === null ? "" : String(doc.version);
  if (!name) return { ok: false, reason: "Chart.yaml has no name" };
  let deps: unknown = doc.dependencies;
  if (deps === undefined && requirementsYaml) {
    try {
      const req: unknown = parse(requirementsYaml, { maxAliasCount: 100 });
      if (isRecord(req)) deps = req.dependencies;
    } catch (err) {
      return { ok: false, reason: `requirements.yaml is not valid YAML: ${(err as Error).message}` };
    }
  }
  const dependencies: ChartDependency[] = [];
  if (Array.isArray(deps)) {
    for (const dep of deps) {
      if (!isRecord(dep) || typeof dep.name !== "string")
        return { ok: false, reason: "a dependency in Chart.yaml has no name" };
      dependencies.push({
        name: dep.name,
        version: dep.version === undefined || dep.version === null ? "" : String(dep.version),
        repository: typeof dep.repository === "string" ? dep.repository : "",
        ...(typeof dep.alias === "string" ? { alias: dep.alias } : {}),
      });
    }
  }
  return { ok: true, metadata: { name, version, dependencies } };
}

/** Chart.yaml of a packaged chart (`<name>/Chart.yaml`, the first top-level one in the archive). */
export async function readPackageMetadata(tgz: Buffer): Promise<MetadataResult> {
  let tar: Buffer;
  try {
    tar = await gunzipAsync(tgz, { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (err) {
    return {
      ok: false,
      reason: `not a gzip archive within ${MAX_UNPACKED_BYTES} bytes: ${(err as Error).message}`,
    };
  }
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header.toString("utf8", start, start + length).replace(/\0.*$/s, "");
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    const dataStart = offset + 512;
    if ((type === "0" || type === "") && /^[^/]+\/Chart\.yaml$/.test(name)) {
      return readChartMetadata(tar.toString("utf8", dataStart, dataStart + size));
    }
    offset = dataStart + Math.ceil(size / 512) * 512;
  }
  return { ok: false, reason: "the package has no Chart.yaml" };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
