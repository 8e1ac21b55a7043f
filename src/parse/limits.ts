/** Bounds that keep one hostile or huge file from taking the review down. */
export interface ParseLimits {
  /** Largest file read, in bytes. Real values files are well under 200 KiB. */
  maxFileBytes: number;
  /** Alias expansions per document (YAML "billion laughs" bombs). */
  maxAliasCount: number;
  /** Deepest nesting of maps and lists. */
  maxDepth: number;
  /** Documents per file. */
  maxDocuments: number;
}

export const DEFAULT_LIMITS: ParseLimits = {
  maxFileBytes: 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 64,
  maxDocuments: 500,
};
