/**
 * The Probot entry point (`probot run dist/src/index.js`, or `npm start` through src/server.ts).
 */
import type { Probot } from "probot";
import { registerHandlers, type AppOptions } from "./github/handlers.js";

/** The App with options; tests use it to shorten rate-limit waits. */
export function createApp(options: AppOptions = {}): (app: Probot) => void {
  return (app: Probot) => {
    registerHandlers(app, options);
  };
}

export default createApp();
