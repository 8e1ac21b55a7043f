/**
 * A stand-in for the review process that misbehaves on purpose, to show the fuzz runner catches
 * each kind of failure: case 1 hangs, case 2 kills its process, case 3 reports a crash.
 */
import type { FuzzCase, FuzzCaseResult } from "./review-process.js";

process.on("message", (message: FuzzCase) => {
  if (message.index === 1) for (;;);
  if (message.index === 2) process.exit(3);
  const failures = message.index === 3 ? ["crash: probe"] : [];
  const result: FuzzCaseResult = {
    type: "done",
    index: message.index,
    failures,
    unreadable: false,
    changed: false,
    ms: 0,
  };
  process.send!(result);
});
