/**
 * `npm start`: the Probot server from environment variables (`.env` is read too).
 * Without APP_ID / PRIVATE_KEY it serves Probot's setup page, which registers the App from
 * `app.yml`; in production it exits with one line saying what is missing, never a stack trace.
 */
import { run } from "probot";
import app from "./index.js";

const PREFIX = "gitops-review-bot:";
const KEY_ERROR = /^\[@probot\/get-private-key\]\s*/;

function firstLine(text: string): string {
  return text.split("\n")[0];
}

// Probot reports an unreadable private key (PRIVATE_KEY_PATH missing, PRIVATE_KEY not a PEM) with
// `console.error(error)`, a stack trace, and carries on without a key. Keep its message instead:
// it says more than Probot's later "Certificate is missing".
const keyErrors: string[] = [];
const consoleError = console.error;
console.error = (...args: unknown[]) => {
  const [first] = args;
  if (args.length === 1 && first instanceof Error && KEY_ERROR.test(first.message)) {
    keyErrors.push(firstLine(first.message.replace(KEY_ERROR, "")));
    return;
  }
  consoleError(...args);
};

try {
  await run(app);
  console.error = consoleError;
  // Development: Probot serves the setup page; say why the key was not used.
  for (const message of keyErrors) console.error(`${PREFIX} ${message}`);
} catch (error) {
  console.error = consoleError;
  const message = firstLine(error instanceof Error ? error.message : String(error));
  // "Certificate is missing" after a key Probot could not read: the reading error is the cause.
  console.error(`${PREFIX} ${(/^Certificate is missing/.test(message) && keyErrors[0]) || message}`);
  process.exit(1);
}
