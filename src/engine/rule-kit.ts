/**
 * What rules share, in one import: finding the pairs they care about, locating a value on the right
 * side, naming subjects the way a reviewer reads them, walking values, and recognising Services,
 * Ingresses and what a release creates. Rules stay small and declarative.
 */
export { getIn, isRecord } from "../model/located.js";
export * from "./kit/subjects.js";
export * from "./kit/value-walk.js";
export * from "./kit/networking.js";
export * from "./kit/release-assets.js";
