/**
 * Who this App is, without asking GitHub: the installation Octokit mints the App's JWT locally
 * (@octokit/auth-app signs it with the private key, no request) and that authentication names the
 * App id. The slug is only known from a check run GitHub returned (created or listed).
 */
import type { AppIdentity } from "./check-run.js";

interface Authenticating {
  auth: (options?: Record<string, unknown>) => Promise<unknown>;
}

/**
 * `known` when GitHub already told us (it carries the slug too); else the id from the App JWT with
 * an empty slug. Null when the Octokit does not authenticate as an App (a plain token).
 */
export async function appIdentity(
  octokit: Authenticating,
  known: AppIdentity | null = null,
): Promise<AppIdentity | null> {
  if (known) return known;
  let authentication: unknown;
  try {
    authentication = await octokit.auth({ type: "app" });
  } catch {
    return null;
  }
  if (typeof authentication !== "object" || authentication === null) return null;
  const { type, appId } = authentication as { type?: unknown; appId?: unknown };
  if (type !== "app") return null;
  const id = typeof appId === "string" && /^\d+$/.test(appId) ? Number(appId) : appId;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? { id, slug: "" } : null;
}
