/**
 * The rule catalogue, sorted by id. A rule is active only when it is listed here; the catalogue
 * test fails for a rule folder that is not.
 */
import type { Rule } from "../src/engine/types.js";
import { rule as parseProblem } from "./parse-problem/rule.js";

export const rules: readonly Rule[] = [parseProblem];
