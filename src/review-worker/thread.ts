/**
 * A review thread: runs the engine on a change set sent by the pool; unchanged files the model asks
 * for are read by the main thread (it holds the GitHub client) and sent back.
 */
import { parentPort } from "node:worker_threads";
import { rules } from "../../rules/index.js";
import { withCustomRules } from "../custom-rules/custom-rule.js";
import type { CustomRuleConfig } from "../engine/config.js";
import { reviewChangeSet } from "../engine/review.js";
import type { ChangeSet, ContextFile } from "../source/change-set.js";
import type { FromThread, ToThread } from "./messages.js";

const port = parentPort;
if (!port) throw new Error("review thread started outside a worker");

let nextRead = 0;
const reads = new Map<number, (files: ContextFile[]) => void>();

port.on("message", (message: ToThread) => {
  if (message.type === "files") {
    reads.get(message.read)?.(message.files);
    reads.delete(message.read);
    return;
  }
  void review(message.task, message.changeSet, message.hasReader, message.customRules);
});

async function review(
  task: number,
  changeSet: ChangeSet,
  hasReader: boolean,
  customRules: readonly CustomRuleConfig[],
): Promise<void> {
  const send = (message: FromThread) => port?.postMessage(message);
  try {
    const contextReader = hasReader
      ? {
          read: (paths: readonly string[]) =>
            new Promise<ContextFile[]>((resolve) => {
              const read = nextRead++;
              reads.set(read, resolve);
              send({ type: "read", task, read, paths: [...paths] });
            }),
        }
      : undefined;
    // Rules are code and cannot cross threads: each thread runs the catalogue it imports itself.
    const result = await reviewChangeSet(changeSet, {
      rules: withCustomRules(rules, { customRules }),
      ...(contextReader ? { contextReader } : {}),
    });
    send({ type: "done", task, result });
  } catch (error) {
    send({ type: "failed", task, message: error instanceof Error ? error.message : String(error) });
  }
}
