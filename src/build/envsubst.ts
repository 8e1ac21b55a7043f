/**
 * `${var}` expansion as Flux's kustomize-controller does it (fluxcd/pkg/envsubst, a fork of
 * drone/envsubst), ported parser and all, so that the corners behave the same: `$${var}` stays
 * `${var}`, `$var` is not a reference, `${var-default}` is a parse error (only the `:`/`=` forms of
 * defaults exist), `${var:?x}` and `${var:+x}` act as defaults, patterns in `#`/`%` are shell globs
 * while `/` replacements are literal.
 */

type Node =
  | { type: "text"; value: string }
  | { type: "func"; name: string; param: string; args: Node[] }
  | { type: "list"; nodes: Node[] };

export class SubstitutionError extends Error {}

const BAD = "bad substitution";
const MISSING_BRACE = "missing closing brace";
const BAD_NAME = "unable to parse variable name";
const BAD_PARAM = "unable to parse substitution within function";
const BAD_DEFAULT = "unable to parse default function";

// Scanner modes and escapes, as in parse/scan.go.
const IDENT = 1;
const LBRACK = 2;
const RBRACK = 4;
const ESCAPE = 8;
const DOLLAR = 1;
const BACKSLASH = 2;

type Accept = (r: string, i: number) => boolean;
type Token = "eof" | "ident" | "lbrack" | "rbrack" | "illegal";

class Scanner {
  pos = 0;
  start = 0;
  width = 0;
  mode = 0;
  escapes = 0;
  accept: Accept = () => true;
  constructor(public buf: string) {}

  read(): string {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return "";
    }
    const cp = this.buf.codePointAt(this.pos)!;
    const ch = String.fromCodePoint(cp);
    this.width = ch.length;
    this.pos += this.width;
    return ch;
  }
  unread(): void {
    this.pos -= this.width;
  }
  peek(): string {
    const r = this.read();
    this.unread();
    return r;
  }
  /** Drops the character just read from the buffer (an escape). */
  skip(): void {
    this.buf = this.buf.slice(0, this.pos - 1) + this.buf.slice(this.pos);
  }
  text(): string {
    return this.buf.slice(this.start, this.pos);
  }
  scan(): Token {
    this.start = this.pos;
    const r = this.read();
    if (r === "") return "eof";
    if (this.isLbrack(r)) return "lbrack";
    if (this.mode & RBRACK && r === "}") return "rbrack";
    if (this.scanIdent(r)) return "ident";
    return "illegal";
  }
  private isLbrack(r: string): boolean {
    if (!(this.mode & LBRACK)) return false;
    if (r === "$") {
      if (this.read() === "{") return true;
      this.unread();
    }
    return false;
  }
  private escaped(r: string): boolean {
    if (!(this.mode & ESCAPE)) return false;
    if (r === "$" && this.escapes & DOLLAR && this.peek() === "$") return true;
    if (r === "\\" && this.escapes & BACKSLASH) {
      const next = this.peek();
      return next === "/" || next === "\\";
    }
    return false;
  }
  private scanIdent(r: string): boolean {
    if (!(this.mode & IDENT)) return false;
    if (this.escaped(r)) this.skip();
    else if (!this.accept(r, this.pos - this.start)) return false;
    for (;;) {
      const c = this.read();
      if (c === "") {
        this.unread();
        break;
      }
      if (this.isLbrack(c)) {
        // Back before the "${" the check just read.
        this.unread();
        this.unread();
        break;
      }
      if (this.escaped(c)) {
        this.skip();
        continue;
      }
      if (!this.accept(c, this.pos - this.start)) {
        this.unread();
        break;
      }
    }
    return true;
  }
}

const isIdentRune = (r: string) => /^[\p{L}\p{Nd}_]$/u.test(r);

class Parser {
  private readonly s: Scanner;
  constructor(text: string) {
    this.s = new Scanner(text);
  }

  parse(): Node {
    return this.any();
  }

  private any(): Node {
    const s = this.s;
    s.accept = () => true;
    s.mode = IDENT | LBRACK | ESCAPE;
    s.escapes = DOLLAR;
    switch (s.scan()) {
      case "ident": {
        const left: Node = { type: "text", value: s.text() };
        const right = this.any();
        return isEmpty(right) ? left : { type: "list", nodes: [left, right] };
      }
      case "eof":
        return EMPTY;
      case "lbrack": {
        const left = this.func();
        const right = this.any();
        return isEmpty(right) ? left : { type: "list", nodes: [left, right] };
      }
      default:
        throw new SubstitutionError(BAD);
    }
  }

  private func(): Node {
    const s = this.s;
    s.escapes = DOLLAR | BACKSLASH;
    if (s.peek() === "#") return this.lenFunc();
    s.accept = isIdentRune;
    s.mode = IDENT;
    if (s.scan() !== "ident") throw new SubstitutionError(BAD_NAME);
    const name = s.text();
    switch (s.peek()) {
      case ":":
        return this.defaultOrSubstr(name);
      case "=":
        return this.defaultFunc(name);
      case ",":
      case "^":
        return this.casingFunc(name);
      case "/":
        return this.replaceFunc(name);
      case "#":
        return this.removeFunc(name, (r, i) => r === "#" && i < 3);
      case "%":
        return this.removeFunc(name, (r, i) => r === "%" && i < 3);
    }
    s.accept = isIdentRune;
    s.mode = RBRACK;
    if (s.scan() !== "rbrack") throw new SubstitutionError(MISSING_BRACE);
    return { type: "func", name: "", param: name, args: [] };
  }

  private param(accept: Accept, mode: number): Node {
    const s = this.s;
    s.accept = accept;
    s.mode = mode | LBRACK;
    switch (s.scan()) {
      case "lbrack":
        return this.func();
      case "ident":
      case "rbrack":
        return { type: "text", value: s.text() };
      default:
        throw new SubstitutionError(BAD_PARAM);
    }
  }

  private op(accept: Accept, error = BAD): string {
    const s = this.s;
    s.accept = accept;
    s.mode = IDENT;
    if (s.scan() !== "ident") throw new SubstitutionError(error);
    return s.text();
  }

  private defaultOrSubstr(name: string): Node {
    const s = this.s;
    s.read();
    const r = s.peek();
    s.unread();
    return "=-?+".includes(r) && r !== "" ? this.defaultFunc(name) : this.substrFunc(name);
  }

  private substrFunc(name: string): Node {
    const node = {
      type: "func" as const,
      name: this.op((r, i) => i === 1 && r === ":"),
      param: name,
      args: [] as Node[],
    };
    node.args.push(this.param((r) => r !== ":" && r !== "}", IDENT));
    const s = this.s;
    s.accept = (r) => r === ":";
    s.mode = IDENT | RBRACK;
    const next = s.scan();
    if (next === "rbrack") return node;
    if (next !== "ident") throw new SubstitutionError(BAD);
    node.args.push(this.param((r) => r !== "}", IDENT));
    this.closeBrace();
    return node;
  }

  private removeFunc(name: string, accept: Accept): Node {
    const node = { type: "func" as const, name: this.op(accept), param: name, args: [] as Node[] };
    node.args.push(this.param((r) => r !== "}", IDENT));
    this.closeBrace();
    return node;
  }

  private replaceFunc(name: string): Node {
    const s = this.s;
    const node = {
      type: "func" as const,
      name: this.op((r, i) => (i === 1 && r === "/") || (i === 2 && (r === "/" || r === "#" || r === "%"))),
      param: name,
      args: [] as Node[],
    };
    if (s.peek() === "/") node.args.push({ type: "text", value: "" });
    else node.args.push(this.param((r) => r !== "/", IDENT | ESCAPE));
    this.op((r) => r === "/");
    if (s.peek() === "}") {
      this.closeBrace();
      return node;
    }
    node.args.push(this.param((r) => r !== "}", IDENT | ESCAPE));
    this.closeBrace();
    return node;
  }

  private defaultFunc(name: string): Node {
    const s = this.s;
    const accept: Accept =
      s.peek() === "="
        ? (r, i) => i === 1 && r === "="
        : (r, i) => (i === 1 && r === ":") || (i === 2 && "=-?+".includes(r));
    const node = {
      type: "func" as const,
      name: this.op(accept, BAD_DEFAULT),
      param: name,
      args: [] as Node[],
    };
    for (;;) {
      if (s.peek() === "}") {
        this.closeBrace();
        return node;
      }
      if (s.peek() === "") throw new SubstitutionError(BAD);
      node.args.push(this.param((r) => r !== "}", IDENT));
    }
  }

  private casingFunc(name: string): Node {
    const node = {
      type: "func" as const,
      name: this.op((r, i) => (r === "," || r === "^") && i < 3),
      param: name,
      args: [],
    };
    this.closeBrace();
    return node;
  }

  private lenFunc(): Node {
    const name = this.op((r, i) => r === "#" && i === 1);
    const param = this.op(isIdentRune);
    this.closeBrace();
    return { type: "func", name, param, args: [] };
  }

  private closeBrace(): void {
    this.s.mode = RBRACK;
    if (this.s.scan() !== "rbrack") throw new SubstitutionError(BAD);
  }
}

const EMPTY: Node = { type: "text", value: "" };
const isEmpty = (node: Node) => node === EMPTY;

export type Lookup = (name: string) => string | undefined;

/**
 * Expands every `${...}` of `text`. `lookup` returns undefined for a variable that is not set:
 * the empty string, or an error in strict mode unless the expression supplies a default.
 */
export function envsubst(text: string, lookup: Lookup, strict = false): string {
  let tree: Node;
  try {
    tree = new Parser(text).parse();
  } catch (err) {
    if (err instanceof SubstitutionError) throw err;
    throw new SubstitutionError(BAD);
  }
  return evaluate(tree, lookup, strict);
}

function evaluate(node: Node, lookup: Lookup, strict: boolean): string {
  if (node.type === "text") return node.value;
  if (node.type === "list") return node.nodes.map((n) => evaluate(n, lookup, strict)).join("");
  const args = node.args.map((a) => evaluate(a, lookup, strict));
  const value = lookup(node.param);
  if (value === undefined && strict && !DEFAULT_OPS.has(node.name)) {
    throw new SubstitutionError(`variable not set (strict mode): "${node.param}"`);
  }
  return apply(node.name, value ?? "", args);
}

const DEFAULT_OPS = new Set(["-", "+", "=", "?", ":-", ":+", ":=", ":?"]);

function apply(name: string, s: string, args: string[]): string {
  switch (name) {
    case ",":
      return s ? s[0]!.toLowerCase() + s.slice(1) : s;
    case ",,":
      return s.toLowerCase();
    case "^":
      return s ? s[0]!.toUpperCase() + s.slice(1) : s;
    case "^^":
      return s.toUpperCase();
    case "#":
      return args.length === 0 ? String(Buffer.byteLength(s)) : trimPrefix(s, args[0]!, false);
    case "##":
      return trimPrefix(s, args[0] ?? "", true);
    case "%":
      return reverse(trimPrefix(reverse(s), reverse(args[0] ?? ""), false));
    case "%%":
      return reverse(trimPrefix(reverse(s), reverse(args[0] ?? ""), true));
    case ":":
      return substring(s, args);
    case "/#":
      return args.length === 2 && s.startsWith(args[0]!) ? args[1]! + s.slice(args[0]!.length) : s;
    case "/%":
      return args.length === 2 && s.endsWith(args[0]!)
        ? s.slice(0, s.length - args[0]!.length) + args[1]!
        : s;
    case "/":
      return args.length === 0 ? s : s.replace(args[0]!, () => args[1] ?? "");
    case "//":
      return args.length === 0 ? s : s.split(args[0]!).join(args[1] ?? "");
    default:
      // ${var}, and every default form: the value, or the arguments when it is empty.
      return s === "" && args.length > 0 ? args.join("") : s;
  }
}

function substring(s: string, args: string[]): string {
  const toInt = (text: string) => (/^[+-]?\d+$/.test(text.trim()) ? parseInt(text.trim(), 10) : NaN);
  let pos = toInt(args[0] ?? "");
  if (Number.isNaN(pos)) return s;
  if (pos < 0) pos = Math.max(0, s.length + pos);
  if (args.length === 1) return pos < s.length ? s.slice(pos) : "";
  const length = toInt(args[1]!);
  if (Number.isNaN(length)) return s;
  if (length < 0) {
    const end = s.length + length;
    return end < pos ? "" : s.slice(pos, end);
  }
  if (pos + length >= s.length) return pos < s.length ? s.slice(pos) : "";
  return s.slice(pos, pos + length);
}

/** trimShortest / trimLongest with a glob, as funcs.go does it over prefixes of s. */
function trimPrefix(s: string, pattern: string, longest: boolean): string {
  const re = globToRegExp(pattern);
  if (!re) return s;
  let match: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const candidate = s.slice(0, s.length - i);
    if (re.test(candidate)) {
      match = candidate;
      if (longest) break;
    }
  }
  return match ? s.slice(match.length) : s;
}

/** Go's path.Match as a RegExp: `*` and `?` stop at `/`, `[...]` classes, `\` escapes. */
function globToRegExp(pattern: string): RegExp | null {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "\\") {
      i++;
      if (i >= pattern.length) return null;
      out += escapeRe(pattern[i]!);
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) return null;
      let body = pattern.slice(i + 1, end);
      if (body.startsWith("^")) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\(.)/g, "\\$1")}]`;
      i = end;
    } else out += escapeRe(c);
  }
  try {
    return new RegExp(`^${out}$`, "s");
  } catch {
    return null;
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function reverse(s: string): string {
  return [...s].reverse().join("");
}
