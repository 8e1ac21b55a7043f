/**
 * What rules share, in one import: finding the pairs they care about, locating a value on the right
 * side, naming subjects, walking values. Kubernetes and chart knowledge lives in `src/k8s/`, which
 * rules import directly.
 */
export { getIn, isRecord } from "../model/located.js";
export { describeSubject } from "../model/describe.js";
export { walkValue, type ValueNode } from "../model/value-walk.js";
export * from "./kit/subjects.js";
export * from "./kit/values.js";
