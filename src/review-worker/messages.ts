import type { CustomRuleConfig } from "../engine/config.js";
import type { ReviewResult } from "../engine/types.js";
import type { ChangeSet, ContextFile } from "../source/change-set.js";

/** Main thread -> review thread. */
export type ToThread =
  | {
      type: "review";
      task: number;
      changeSet: ChangeSet;
      hasReader: boolean;
      customRules: readonly CustomRuleConfig[];
    }
  | { type: "files"; read: number; files: ContextFile[] };

/** Review thread -> main thread. */
export type FromThread =
  | { type: "read"; task: number; read: number; paths: string[] }
  | { type: "done"; task: number; result: ReviewResult }
  | { type: "failed"; task: number; message: string };
