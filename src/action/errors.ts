/** A problem the workflow's author can fix (a missing input, a shallow checkout): one clear line, exit 2. */
export class ActionError extends Error {}
