/**
 * `npm start`: the Probot server from environment variables (`.env` is read too).
 * Without APP_ID / PRIVATE_KEY it serves Probot's setup page, which registers the App from
 * `app.yml`; in production it exits with one line saying what is missing, never a stack trace.
 */
import { run } from "probot";
import app from "./index.js";

try {
  await run(app);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`gitops-review-bot: ${message.split("\n")[0]}`);
  process.exit(1);
}
