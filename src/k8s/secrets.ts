/**
 * Secrets: the one "is this a Kubernetes Secret", which values look secret (by key, inside a
 * Secret, or by shape), masking them in values, and the redactor that removes every collected
 * secret value from whole bodies. The pipeline builds the redactor once per review (`Report.redact`).
 */
import { apiGroup } from "../model/objects.js";
import type { Subject } from "../model/types.js";
import type { ParsedFile, PathSegment } from "../parse/types.js";

export const MASK = "••••••";

/** A core-group `Secret` (not a custom resource that happens to be called Secret). */
export function isSecretKind(group: string, kind: string): boolean {
  return group === "" && kind === "Secret";
}

/** Whether a subject is a Kubernetes Secret object. */
export function isKubernetesSecret(subject: Subject | null | undefined): boolean {
  return subject?.type === "object" && isSecretKind(subject.identity.group, subject.identity.kind);
}

/** Whether a parsed manifest (any document value) is a Kubernetes Secret. */
export function isSecretManifest(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const { apiVersion, kind } = value as Record<string, unknown>;
  return (
    typeof apiVersion === "string" &&
    typeof kind === "string" &&
    apiVersion === "v1" &&
    isSecretKind(apiGroup(apiVersion), kind)
  );
}

/** A key that holds a secret (`DB_PASSWORD`, `apiToken`, `clientKey`), not one that names it. */
const SECRET_WORD =
  /(pass(word|wd|phrase)|(^|[-_.])pass$|pwd|token|secret|credential|private.?key|bearer|cookie|salt|signature|dsn$|connection.?string|(api|access|secret|private|client|user|auth|encryption|master|signing|license|account|ssh|admin|webhook|shared|app|storage|service)[-_.]?key$)/i;
/** Keys that name or point to a secret rather than hold one: show them, reviewers need them. */
const SECRET_REFERENCE =
  /(name|names|ref|refs|selector|path|file|dir|mount|enabled|create|kind|type|annotations|labels|keys)$|^existing/i;
/** Containers whose whole content is secret: `secrets: { db: ... }`, `credentials: { ... }`. */
const SECRET_CONTAINER = /^(secrets?|credentials?|passwords?|tokens?|api.?keys?)$/i;
/** Where a Kubernetes manifest points at a secret by name and key: nothing in there is secret. */
const REFERENCE_CONTAINER =
  /^(secretKeyRef|configMapKeyRef|secretRef|configMapRef|valueFrom|envFrom|existingSecret.*|secretName)$/i;
/** Keys of a private key file, under a TLS-ish parent (`tls.key`, `ssh.key`). */
const KEY_FILE_PARENT = /^(tls|ssl|ssh|private|signing|server|client)$/i;

/**
 * Whether a value at this path looks secret. `path` is a list of keys or a readable diff path
 * (`env[name=DB_PASSWORD].value`); `inSecret` marks the `data`/`stringData` of a Kubernetes Secret.
 * The leaf key decides (an ancestor named `secretKeyRef` or `existingSecret` does not make
 * everything under it secret); a few container names make all their leaves secret.
 */
export function isSecretPath(path: readonly PathSegment[] | string, inSecret = false): boolean {
  const tokens = pathTokens(path);
  if (inSecret && (tokens[0] === "data" || tokens[0] === "stringData")) return tokens.length > 1;
  const last = tokens.at(-1);
  if (last === undefined || SECRET_REFERENCE.test(last)) return false;
  if (tokens.slice(0, -1).some((token) => REFERENCE_CONTAINER.test(token))) return false;
  if (SECRET_WORD.test(last)) return true;
  const parent = tokens.at(-2);
  // `key` is a secret only as a key file; elsewhere it names one (`{ name, key }` selectors).
  if (last.toLowerCase() === "key") return parent !== undefined && KEY_FILE_PARENT.test(parent);
  // `env[name=DB_PASSWORD].value`: the entry's name says what the value is.
  if (last === "value" && parent !== undefined && SECRET_WORD.test(parent)) return true;
  return tokens.slice(0, -1).some((token) => SECRET_CONTAINER.test(token));
}

function pathTokens(path: readonly PathSegment[] | string): string[] {
  const parts = typeof path === "string" ? path.split(/[.[\]=]+/) : path.map(String);
  return parts.filter((part) => part !== "" && !/^\d+$/.test(part));
}

/** Private keys, GitHub/Slack/AWS tokens, JWTs: secret whatever key holds them. */
const SECRET_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
];

function maskShapes(text: string): string {
  let result = text;
  for (const shape of SECRET_SHAPES) result = result.replace(shape, MASK);
  return result;
}

/**
 * A copy of `value` with every secret-looking leaf masked. `path` is where the value sits (its
 * own key decides for scalars); `{ name: DB_PASSWORD, value: ... }` env entries are masked too.
 */
export function maskValue(
  value: unknown,
  path: readonly PathSegment[] | string = [],
  inSecret = false,
): unknown {
  const base = typeof path === "string" ? pathTokens(path) : [...path];
  return maskAt(value, base, inSecret);
}

function maskAt(value: unknown, path: PathSegment[], inSecret: boolean): unknown {
  if (value === null || value === undefined || typeof value === "boolean") return value;
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    if (isSecretPath(path, inSecret)) return MASK;
    return typeof value === "string" ? maskShapes(value) : value;
  }
  if (Array.isArray(value)) return value.map((item, index) => maskAt(item, [...path, index], inSecret));
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    const envSecret = typeof record.name === "string" && SECRET_WORD.test(record.name);
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(record)) {
      out[key] = envSecret && key === "value" ? MASK : maskAt(child, [...path, key], inSecret);
    }
    return out;
  }
  return value;
}

/** Free text such as a parser error quoting a line: `password: x`, `token=x` lose their value. */
const INLINE_ASSIGNMENT =
  /(?<![/\w.-])([A-Za-z0-9_.-]*(?:pass(?:word|wd|phrase)?|pwd|token|secret|credential|api.?key|private.?key|access.?key)[A-Za-z0-9_.-]*)(["']?\s*[:=]\s*)(?!\s*(?:\||>|$))(["']?)([^\s"'`,}]+)/gim;

/**
 * Collects the values of secret-looking keys and of Kubernetes Secrets in every parsed file, so
 * a last pass can remove them from whole bodies even where a rule quoted one in its message.
 */
export function collectSecretValues(files: readonly ParsedFile[]): Set<string> {
  const found = new Set<string>();
  for (const file of files) {
    for (const document of file.documents) {
      collectFrom(document.value, [], isSecretManifest(document.value), found);
    }
  }
  return found;
}

function collectFrom(value: unknown, path: PathSegment[], inSecret: boolean, found: Set<string>): void {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    if (isSecretPath(path, inSecret)) addSecret(String(value), found);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => collectFrom(item, [...path, index], inSecret, found));
    return;
  }
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const envSecret = typeof record.name === "string" && SECRET_WORD.test(record.name);
    for (const [key, child] of Object.entries(record)) {
      if (envSecret && key === "value" && (typeof child === "string" || typeof child === "number")) {
        addSecret(String(child), found);
      } else {
        collectFrom(child, [...path, key], inSecret, found);
      }
    }
  }
}

/** Values too short or too common to remove from free text without mangling it. */
function addSecret(value: string, found: Set<string>): void {
  const trimmed = value.trim();
  if (trimmed.length < 4 || /^(true|false|null|changeme|none)$/i.test(trimmed)) return;
  // References to a secret (templates, substitution variables, SOPS ciphertext) are not secrets.
  if (/^(\{\{.*\}\}|\$\{[^}]*\}|\$\([^)]*\)|ENC\[.*\])$/s.test(trimmed)) return;
  // A file name (`tls.crt`, `config.json`) names where a secret is, it is not one.
  if (/^[\w.-]+\.(crt|key|pem|json|ya?ml|txt|conf|ini|env)$/i.test(trimmed)) return;
  found.add(trimmed);
  for (const line of trimmed.split(/\r?\n/)) if (line.trim().length >= 8) found.add(line.trim());
}

export type Redactor = (text: string) => string;

/** `secret.yaml:12` is a location, not an assignment. */
const FILE_NAME = /\.(ya?ml|json|tpl|txt|md)$/i;

/** Removes known secret values, `key: value` assignments of secret keys and token shapes. */
export function createRedactor(secrets: Iterable<string> = []): Redactor {
  const values = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let result = text;
    for (const secret of values) result = result.split(secret).join(MASK);
    result = result.replace(
      INLINE_ASSIGNMENT,
      (match, key: string, sep: string, quote: string, val: string) =>
        SECRET_REFERENCE.test(key) || FILE_NAME.test(key) || val === MASK
          ? match
          : `${key}${sep}${quote}${MASK}`,
    );
    return maskShapes(result);
  };
}
