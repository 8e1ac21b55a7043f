import type { ParsedDocument, ParsedFile } from "../parse/types.js";
import type { Side } from "../source/change-set.js";

/**
 * One side of the repository as far as the review can see it: the changed files plus
 * unchanged files loaded as context. The model asks it for files by path; a path that is
 * not loaded yet is remembered as missing so the pipeline can fetch it and build again.
 */
export class RepoView {
  readonly missing = new Set<string>();

  constructor(
    readonly side: Side,
    /** Changed files on this side: these produce subjects. */
    readonly changed: readonly ParsedFile[],
    private readonly files: ReadonlyMap<string, ParsedFile | null>,
  ) {}

  /** A parsed file, or null when it does not exist or is not loaded (then it is recorded as missing). */
  get(path: string): ParsedFile | null {
    if (!this.files.has(path)) {
      this.missing.add(path);
      return null;
    }
    return this.files.get(path) ?? null;
  }

  /** The single document of a file (values files, kustomization.yaml, Chart.yaml). */
  firstDocument(path: string): ParsedDocument | null {
    return this.get(path)?.documents.find((doc) => doc.kind !== "empty") ?? null;
  }

  /** Every document on this side that is loaded, changed or context. */
  *allDocuments(): Generator<ParsedDocument> {
    for (const file of this.files.values()) if (file) yield* file.documents;
  }
}
