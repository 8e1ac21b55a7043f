/**
 * Edits a person (or a bad merge, or a truncated upload) could make to a YAML file: lines deleted,
 * swapped, duplicated or re-indented, the file cut short, byte noise in its UTF-8 encoding, and
 * YAML's rarer constructs (tags, anchors, merge keys, document markers, prototype-named keys).
 * Everything is drawn from a seeded generator, so a case replays exactly from its seed.
 */

/** A uniform number in [0, 1) (mulberry32: small, fast, and good enough to pick edits). */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function below(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** Bytes that mean something to YAML, or break its encoding, drawn more often than the rest. */
const SIGNIFICANT = [
  ...[
    ":",
    "-",
    " ",
    "\n",
    "\t",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&",
    "*",
    "!",
    "|",
    ">",
    "#",
    "'",
    '"',
    "%",
    "@",
    "`",
    "?",
    "<",
  ].map((char) => char.charCodeAt(0)),
  0x00,
  0x0d,
  0x7f,
  0xc3,
  0xe2,
  0xef,
  0xbb,
  0xbf,
  0xff,
  0xfe,
  0x80,
];

/** Rare YAML, written where a value or a key starts. */
const CONSTRUCTS = [
  "!!set ",
  "!!omap ",
  "!!pairs ",
  "!!binary ",
  "!!timestamp ",
  "!!str ",
  "!!int ",
  "!!float ",
  "!!null ",
  "!!map ",
  "!!seq ",
  "!<tag:example.com,2024:x> ",
  "!local ",
  "&a ",
  "*a ",
  "<<: *a\n",
  "? ",
  "--- ",
  "...\n",
  "%YAML 1.1\n---\n",
  "__proto__: ",
  "constructor: ",
  "toString: ",
  "{{ .Values.name }} ",
  "${CLUSTER_NAME} ",
  "|\n",
  ">-\n",
  ".nan ",
  "-.inf ",
  "0x1F ",
  "1e400 ",
  "99999999999999999999 ",
  "~ ",
];

interface Mutation {
  name: string;
  apply(text: string, random: Random): { text: string; step: string };
}

/** Line-level edits keep the line ending structure: a file is its lines joined by "\n". */
function onLines(name: string, edit: (lines: string[], random: Random) => string): Mutation {
  return {
    name,
    apply(text, random) {
      const lines = text.split("\n");
      const step = edit(lines, random);
      return { text: lines.join("\n"), step };
    },
  };
}

const MUTATIONS: readonly Mutation[] = [
  onLines("delete-line", (lines, random) => {
    const at = below(random, lines.length);
    lines.splice(at, 1);
    return `delete line ${at + 1}`;
  }),
  onLines("swap-lines", (lines, random) => {
    const a = below(random, lines.length);
    const b = random() < 0.5 ? Math.min(a + 1, lines.length - 1) : below(random, lines.length);
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    return `swap lines ${a + 1} and ${b + 1}`;
  }),
  onLines("duplicate-line", (lines, random) => {
    const at = below(random, lines.length);
    lines.splice(at, 0, lines[at]!);
    return `duplicate line ${at + 1}`;
  }),
  onLines("reindent", (lines, random) => {
    const at = below(random, lines.length);
    const line = lines[at]!;
    const indent = line.length - line.trimStart().length;
    const choice = below(random, 4);
    if (choice === 0) lines[at] = `${" ".repeat(1 + below(random, 4))}${line}`;
    else if (choice === 1) lines[at] = line.slice(Math.min(indent, 1 + below(random, 4)));
    else if (choice === 2) lines[at] = `\t${line.trimStart()}`;
    else lines[at] = line.trimStart();
    return `reindent line ${at + 1} (${["deeper", "shallower", "tab", "flush left"][choice]})`;
  }),
  onLines("yaml-construct", (lines, random) => {
    const at = below(random, lines.length);
    const line = lines[at]!;
    const construct = pick(random, CONSTRUCTS);
    const colon = line.indexOf(": ");
    const content = line.length - line.trimStart().length;
    const where = colon >= 0 && random() < 0.6 ? colon + 2 : content;
    lines[at] = `${line.slice(0, where)}${construct}${line.slice(where)}`;
    return `write ${JSON.stringify(construct)} into line ${at + 1} at column ${where + 1}`;
  }),
  {
    name: "truncate",
    apply(text, random) {
      const at = below(random, text.length + 1);
      return { text: text.slice(0, at), step: `cut at character ${at}` };
    },
  },
  {
    name: "byte-noise",
    apply(text, random) {
      const bytes = [...Buffer.from(text, "utf8")];
      const at = below(random, bytes.length + 1);
      const byte = random() < 0.7 ? pick(random, SIGNIFICANT) : below(random, 256);
      const how = below(random, 3);
      if (how === 0) bytes.splice(at, 0, byte);
      else if (how === 1 && at < bytes.length) bytes[at] = byte;
      else bytes.splice(at, 1);
      const hex = `0x${byte.toString(16).padStart(2, "0")}`;
      const step = `byte ${at}: ${how === 0 ? `insert ${hex}` : how === 1 ? `set ${hex}` : "delete"}`;
      // Decoded as the source layer decodes a file: invalid UTF-8 becomes U+FFFD.
      return { text: Buffer.from(bytes).toString("utf8"), step };
    },
  },
];

export interface MutatedText {
  text: string;
  /** What was done, in order, for the failure message. */
  steps: string[];
}

/** One to three random edits of `text`. */
export function mutateYaml(text: string, random: Random): MutatedText {
  const steps: string[] = [];
  let current = text;
  const count = 1 + below(random, 3);
  for (let i = 0; i < count; i++) {
    const mutation = pick(random, MUTATIONS);
    const result = mutation.apply(current, random);
    current = result.text;
    steps.push(result.step);
  }
  return { text: current, steps };
}
