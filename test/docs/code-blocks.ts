/** Fenced code blocks of a Markdown file, so tests can hold the docs to what they show. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface CodeBlock {
  /** The fence's info string: `yaml`, `yaml invalid`, `text`. */
  info: string;
  code: string;
  /** 1-based line of the opening fence, for failure messages. */
  line: number;
  /** The nearest `#`, `##` or `###` heading above the block. */
  heading: string;
}

export const DOCS = join(import.meta.dirname, "../../docs");

export function readDoc(name: string): string {
  return readFileSync(join(DOCS, name), "utf8");
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split("\n");
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(`{3,})(.*)$/.exec(lines[i]!);
    if (!fence) {
      const title = /^#{1,3} (.*)$/.exec(lines[i]!);
      if (title) heading = title[1]!;
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith(fence[1]!); i++) body.push(lines[i]!);
    blocks.push({ info: fence[2]!.trim(), code: `${body.join("\n")}\n`, line: start + 1, heading });
  }
  return blocks;
}

/** First-column entries of the Markdown tables whose header starts with `| key`. */
export function documentedKeys(markdown: string): string[] {
  const keys: string[] = [];
  let inKeyTable = false;
  for (const line of markdown.split("\n")) {
    if (/^\|\s*key\s*\|/.test(line)) {
      inKeyTable = true;
      continue;
    }
    if (!line.startsWith("|")) {
      inKeyTable = false;
      continue;
    }
    if (!inKeyTable || /^\|\s*-+/.test(line)) continue;
    const cell = line.split("|")[1]!;
    // `labels.critical` / `.high` / `.medium`: the short forms replace the last segment.
    const [first, ...short] = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    if (!first) continue;
    keys.push(first);
    for (const suffix of short) keys.push(first.replace(/\.[^.]+$/, suffix));
  }
  return keys;
}
