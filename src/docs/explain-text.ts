import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { packageRoot } from "../package-root.js";

/** rules/<id>/explain.md; null for an unknown id (ids are checked before touching the disk). */
export async function readExplainText(ruleId: string): Promise<string | null> {
  if (!/^[a-z0-9-]+$/.test(ruleId)) return null;
  try {
    return await readFile(join(packageRoot(), "rules", ruleId, "explain.md"), "utf8");
  } catch {
    return null;
  }
}
