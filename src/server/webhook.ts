/**
 * The webhook route: size limit first, then the signature, then the event becomes a job and the
 * delivery is answered (202) without waiting for any work. Nothing of an unverified body is
 * logged; a verified one is logged by delivery id and event name only.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "probot";
import type { WebhookEvent } from "../queue/jobs.js";
import { BodyTooLargeError, readLimitedBody } from "./body.js";

export type Acceptance = "queued" | "duplicate" | "ignored";

export interface WebhookIntake {
  secret: string;
  maxBytes: number;
  log: Logger;
  /** False while draining: GitHub gets a 503 and redelivery goes to another replica. */
  accepting: () => boolean;
  accept: (event: WebhookEvent) => Promise<Acceptance>;
  count?: (event: string, result: string) => void;
}

/** `sha256=<hex>` of the exact body, compared in constant time. */
export function validSignature(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header?.startsWith("sha256=")) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function answer(
  response: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  close = false,
): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(json),
    ...(close ? { connection: "close" } : {}),
  });
  response.end(json);
}

export async function handleWebhook(
  request: IncomingMessage,
  response: ServerResponse,
  intake: WebhookIntake,
): Promise<void> {
  const name = String(request.headers["x-github-event"] ?? "");
  const id = String(request.headers["x-github-delivery"] ?? "");
  const count = intake.count ?? (() => undefined);
  if (request.method !== "POST") return answer(response, 405, { error: "POST only" });
  if (!intake.accepting()) {
    count(name, "draining");
    return answer(response, 503, { error: "shutting down" }, true);
  }
  let body: Buffer;
  try {
    body = await readLimitedBody(request, intake.maxBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    count(name, "too-large");
    intake.log.warn(
      { delivery: id, event: name, limit: intake.maxBytes },
      "webhook body over the size limit, refused",
    );
    // Stop reading: the socket closes once the answer is out.
    const socket = request.socket;
    answer(response, 413, { error: "payload too large" }, true);
    response.once("finish", () => socket?.destroy());
    return;
  }
  const signature = request.headers["x-hub-signature-256"];
  if (!validSignature(body, typeof signature === "string" ? signature : undefined, intake.secret)) {
    count(name, "rejected");
    intake.log.warn(
      { delivery: id, event: name, bytes: body.length },
      "webhook signature does not match WEBHOOK_SECRET, refused",
    );
    return answer(response, 400, { error: "signature does not match" });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    count(name, "rejected");
    return answer(response, 400, { error: "body is not JSON" });
  }
  if (!name || !id)
    return answer(response, 400, { error: "x-github-event and x-github-delivery are required" });
  const result = await intake.accept({ id, name, payload });
  count(name, result);
  answer(response, result === "queued" ? 202 : 200, { result });
}
