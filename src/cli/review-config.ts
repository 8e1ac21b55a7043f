/**
 * Which `.github/gitops-review.yml` a review of a range applies: an explicit file, or the
 * repository's own at the base revision (a range never applies the policy it brings). Shared by
 * the CLI and the Action.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { CONFIG_PATH, defaultConfig, parseConfig, type ReviewConfig } from "../engine/config.js";
import { SourceError, type ChangeSet, type ContextReader } from "../source/change-set.js";

/** An explicit --config must exist and be valid; without one, the defaults. */
export async function loadConfig(path: string | undefined): Promise<ReviewConfig> {
  if (path === undefined) return defaultConfig();
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new SourceError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  return parseConfigText(text, path);
}

/** The repository's `.github/gitops-review.yml` at the base revision, or the defaults. */
export async function baseRevisionConfig(source: {
  changeSet: ChangeSet;
  contextReader: ContextReader;
}): Promise<ReviewConfig> {
  const [file] = await source.contextReader.read([CONFIG_PATH]);
  if (!file?.base) return defaultConfig();
  return parseConfigText(
    file.base,
    `${CONFIG_PATH} at ${source.changeSet.baseRef?.slice(0, 7) ?? "the base"}`,
  );
}

function parseConfigText(text: string, path: string): ReviewConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new SourceError(`config ${path} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = parseConfig(raw);
  if (!parsed.ok) throw new SourceError(`config ${path} is invalid: ${parsed.errors.join("; ")}`);
  return parsed.config;
}
