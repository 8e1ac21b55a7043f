/**
 * CEL expressions compiled once, over @bufbuild/cel (the CEL spec's conformance suite, RE2 regular
 * expressions, the strings extension Kubernetes also ships): problems with a line and column, and
 * names checked before anything runs (the library has no public type checker), so a typo is a
 * configuration error rather than a runtime error on every subject.
 */
import { celEnv, isCelError, parse, plan, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { RE2JS } from "@bufbuild/re2";

/** 1-based, as an editor shows it. */
export interface CelPosition {
  line: number;
  column: number;
}

export interface CelProblem {
  message: string;
  /** Where in the expression; null when the library could not say. */
  position: CelPosition | null;
}

export type EvaluationResult = { ok: true; value: unknown } | { ok: false; problem: CelProblem };

export interface CelProgram {
  readonly source: string;
  /** Never throws: a CEL runtime error (a missing field, a wrong type) comes back as a problem. */
  evaluate(bindings: Readonly<Record<string, CelInput>>): EvaluationResult;
}

export type CompileResult = { ok: true; program: CelProgram } | { ok: false; problem: CelProblem };

/** Long enough for any policy a person writes and reviews; short enough to keep a config readable. */
export const MAX_EXPRESSION_LENGTH = 4096;

/** Compiled patterns by source: the library compiles on every `matches()` call (~1 ms each). */
const PATTERNS = new Map<string, { test(text: string): boolean }>();
/** A pattern can come from the data (`name.matches(object.data.pattern)`): the cache stays bounded. */
const MAX_PATTERNS = 256;

const ENV = celEnv({
  funcs: strings,
  re2: {
    compile(pattern) {
      let compiled = PATTERNS.get(pattern);
      if (!compiled) {
        compiled = RE2JS.compile(pattern);
        if (PATTERNS.size >= MAX_PATTERNS) PATTERNS.clear();
        PATTERNS.set(pattern, compiled);
      }
      return compiled;
    },
  },
});
const FUNCTIONS = new Set([...ENV.funcs].map((func) => func.name));
/** Type names are identifiers in CEL (`type(x) == string`). */
const TYPE_NAMES = new Set([
  "bool",
  "bytes",
  "double",
  "duration",
  "dyn",
  "int",
  "list",
  "map",
  "null_type",
  "string",
  "timestamp",
  "type",
  "uint",
]);

type ParsedExpr = ReturnType<typeof parse>;
type Expr = ParsedExpr["expr"];

/**
 * Parses an expression and checks every name in it against `variables` and the functions the
 * environment has, so a typo is a configuration error with its position, not a runtime error on
 * every subject.
 */
export function compileExpression(source: string, variables: readonly string[]): CompileResult {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    return fail(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, null);
  }
  let parsed: ParsedExpr;
  try {
    parsed = parse(source);
  } catch (err) {
    return { ok: false, problem: syntaxProblem(source, err) };
  }
  const names = checkNames(parsed, source, new Set(variables));
  if (names) return { ok: false, problem: names };
  let run: ReturnType<typeof plan>;
  try {
    run = plan(ENV, parsed);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err), null);
  }
  return {
    ok: true,
    program: {
      source,
      evaluate(bindings) {
        let result: ReturnType<typeof run>;
        try {
          result = run(bindings as Record<string, CelInput>);
        } catch (err) {
          // The library returns errors as values; a throw is a bug there, still not a crash here.
          return {
            ok: false,
            problem: { message: err instanceof Error ? err.message : String(err), position: null },
          };
        }
        if (!isCelError(result)) return { ok: true, value: result };
        const offset =
          result.exprId === undefined ? undefined : parsed.sourceInfo?.positions[String(result.exprId)];
        return {
          ok: false,
          problem: {
            message: result.message,
            position: offset === undefined ? null : positionAt(source, offset),
          },
        };
      },
    },
  };
}

/** `line 1, column 18 (near "== 'x'"): found = but expecting end of input`. */
export function describeProblem(problem: CelProblem, source: string): string {
  if (!problem.position) return problem.message;
  const { line, column } = problem.position;
  const text = source.split("\n")[line - 1] ?? "";
  const near = text.slice(column - 1, column + 19).trimEnd();
  const excerpt = near ? ` (near ${JSON.stringify(near.length === 20 ? `${near}…` : near)})` : "";
  return `line ${line}, column ${column}${excerpt}: ${problem.message}`;
}

function fail(message: string, position: CelPosition | null): CompileResult {
  return { ok: false, problem: { message, position } };
}

function positionAt(source: string, offset: number): CelPosition {
  const before = source.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}

interface SyntaxErrorLike {
  rawMessage?: string;
  location?: { start?: { line?: number; column?: number } };
}

/**
 * The parser reports where it stopped understanding, which for an unclosed string or bracket is
 * the operator before it: those two are found here first, at the position a person would look.
 */
function syntaxProblem(source: string, err: unknown): CelProblem {
  const unbalanced = findUnbalanced(source);
  if (unbalanced) return unbalanced;
  const e = err as SyntaxErrorLike;
  const start = e.location?.start;
  const message = e.rawMessage ?? (err instanceof Error ? err.message : String(err));
  return {
    message: `syntax error: ${message}`,
    position: start?.line && start.column ? { line: start.line, column: start.column } : null,
  };
}

const CLOSING: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** An unterminated string, or a bracket that is never closed or closes the wrong one. */
function findUnbalanced(source: string): CelProblem | null {
  const open: { char: string; offset: number }[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (char === "/" && source[i + 1] === "/") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    if (char === "'" || char === '"') {
      const prefix = /[A-Za-z]{1,2}$/.exec(source.slice(Math.max(0, i - 2), i))?.[0] ?? "";
      const raw = /^(?:[bB]?[rR]|[rR][bB])$/.test(prefix);
      const end = endOfString(source, i, raw);
      if (end < 0) return { message: "unterminated string", position: positionAt(source, i) };
      i = end;
      continue;
    }
    if (char in CLOSING) open.push({ char, offset: i });
    else if (char === ")" || char === "]" || char === "}") {
      const last = open.pop();
      if (!last) return { message: `"${char}" closes nothing`, position: positionAt(source, i) };
      if (CLOSING[last.char] !== char) {
        return {
          message: `"${char}" where "${CLOSING[last.char]}" should close the "${last.char}" at column ${positionAt(source, last.offset).column}`,
          position: positionAt(source, i),
        };
      }
    }
    i++;
  }
  const last = open.pop();
  return last
    ? { message: `"${last.char}" is never closed`, position: positionAt(source, last.offset) }
    : null;
}

/** Offset just past the string starting at `start`, or -1 when it does not end. */
function endOfString(source: string, start: number, raw: boolean): number {
  const quote = source[start]!;
  const triple = source.startsWith(quote.repeat(3), start);
  const delimiter = triple ? quote.repeat(3) : quote;
  let i = start + delimiter.length;
  while (i < source.length) {
    if (!raw && source[i] === "\\") {
      i += 2;
      continue;
    }
    if (source.startsWith(delimiter, i)) return i + delimiter.length;
    if (!triple && source[i] === "\n") return -1;
    i++;
  }
  return -1;
}

/** The first unknown variable or function, walking comprehension scopes as the macros bind them. */
function checkNames(parsed: ParsedExpr, source: string, variables: ReadonlySet<string>): CelProblem | null {
  const at = (expr: Expr): CelPosition | null => {
    const offset = parsed.sourceInfo?.positions[String(expr.id)];
    return offset === undefined ? null : positionAt(source, offset);
  };
  const available = [...variables].sort().join(", ");
  const visit = (expr: Expr | undefined, scope: ReadonlySet<string>): CelProblem | null => {
    if (!expr) return null;
    const kind = expr.exprKind;
    switch (kind.case) {
      case "identExpr": {
        const name = kind.value.name;
        if (scope.has(name) || variables.has(name) || TYPE_NAMES.has(name)) return null;
        return { message: `unknown variable "${name}" (this rule has ${available})`, position: at(expr) };
      }
      case "selectExpr":
        return visit(kind.value.operand, scope);
      case "callExpr": {
        const name = kind.value.function;
        // Operators are `_==_`, `!_`, `@in`: only names a person types can be unknown.
        if (/^[A-Za-z]/.test(name) && !FUNCTIONS.has(name)) {
          return { message: `unknown function "${name}"`, position: at(expr) };
        }
        for (const child of [kind.value.target, ...kind.value.args]) {
          const problem = visit(child, scope);
          if (problem) return problem;
        }
        return null;
      }
      case "listExpr":
        for (const element of kind.value.elements) {
          const problem = visit(element, scope);
          if (problem) return problem;
        }
        return null;
      case "structExpr":
        if (kind.value.messageName) {
          return {
            message: `message types such as "${kind.value.messageName}" are not available`,
            position: at(expr),
          };
        }
        for (const entry of kind.value.entries) {
          const key = entry.keyKind.case === "mapKey" ? entry.keyKind.value : undefined;
          const problem = visit(key, scope) ?? visit(entry.value, scope);
          if (problem) return problem;
        }
        return null;
      case "comprehensionExpr": {
        const c = kind.value;
        const inner = new Set([...scope, c.iterVar, c.iterVar2, c.accuVar].filter((name) => name !== ""));
        return (
          visit(c.iterRange, scope) ??
          visit(c.accuInit, scope) ??
          visit(c.loopCondition, inner) ??
          visit(c.loopStep, inner) ??
          visit(c.result, new Set([...scope, c.accuVar]))
        );
      }
      default:
        return null;
    }
  };
  return visit(parsed.expr, new Set());
}

/** Re-exported so callers need not know the library. */
export type { CelInput };
