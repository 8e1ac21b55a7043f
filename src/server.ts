/**
 * `npm start`: with credentials, the App as a service (src/server/service.ts: queued webhooks,
 * workers, health and metrics) from environment variables (`.env` is read too). Without APP_ID /
 * PRIVATE_KEY it serves Probot's setup page, which registers the App from `app.yml`; in production
 * it exits with one line saying what is missing, never a stack trace.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { run } from "probot";
import app from "./index.js";
import { startService } from "./server/service.js";

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

/** `.env` in the working directory, without overriding the environment (as Probot's `run` does). */
function loadDotEnv(): void {
  if (!existsSync(".env")) return;
  for (const [name, value] of Object.entries(parseEnv(readFileSync(".env", "utf8"))))
    process.env[name] ??= value;
}

/** The credentials Probot would find: an App id and a key (inline, by path, or a lone .pem file). */
function hasCredentials(env: NodeJS.ProcessEnv): boolean {
  if (!env.APP_ID) return false;
  if (env.PRIVATE_KEY) return true;
  if (env.PRIVATE_KEY_PATH) return existsSync(env.PRIVATE_KEY_PATH);
  return readdirSync(".").filter((name) => name.endsWith(".pem")).length === 1;
}

async function serve(): Promise<void> {
  const service = await startService(process.env);
  const shutdown = (signal: string) => {
    console.error(`${PREFIX} ${signal}: draining`);
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${PREFIX} drain failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

try {
  loadDotEnv();
  if (hasCredentials(process.env)) await serve();
  else await run(app);
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
