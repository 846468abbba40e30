/**
 * Email (`@azure/communication-email`, api-version 2025-09-01): `POST /emails:send` starts a long-running operation
 * (202, `operation-location`), `GET /emails/operations/{id}` reports it. The emulator delivers nothing: an accepted
 * message is kept for tests and its operation reports `Succeeded` from the first poll.
 */
import { randomUUID } from "node:crypto";
import type { DataPlaneRequest, Reply, Route } from "./route.js";
import { MAX_ITEMS, objectOf, problem, reply, textOf, withApiVersion } from "./route.js";

/** An email the emulator accepted (for test inspection). @public */
export interface EmulatorEmail {
  /** The operation ID (`beginSend`'s result `id`). */
  id: string;
  /** The `senderAddress`. */
  senderAddress: string;
  /** The `to` addresses. */
  to: string[];
  /** The `cc` addresses. */
  cc: string[];
  /** The `bcc` addresses. */
  bcc: string[];
  /** The subject (the body is not kept). */
  subject: string;
  /** The application (client) ID that sent it. */
  clientId: string;
}

/** Sent emails and their operations. */
export interface EmailStore {
  readonly emails: EmulatorEmail[];
  readonly operations: Map<string, { status: "Running" | "Succeeded" }>;
}

const ADDRESS = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const MAX_RECIPIENTS = 50;

/** The addresses of one recipient list, or an error message. */
function addresses(value: unknown, name: string): string[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return `recipients.${name} must be an array.`;
  const out: string[] = [];
  for (const entry of value) {
    const address = objectOf(entry)?.address;
    if (typeof address !== "string" || !ADDRESS.test(address)) return `recipients.${name} has an invalid address.`;
    out.push(address);
  }
  return out;
}

function send(store: EmailStore, request: DataPlaneRequest): Reply {
  const { senderAddress, content, recipients } = request.body;
  if (typeof senderAddress !== "string" || !ADDRESS.test(senderAddress)) {
    return problem(400, "InvalidSenderAddress", "senderAddress must be an email address of a connected domain.");
  }
  const subject = textOf(objectOf(content)?.subject, 998);
  if (subject === undefined) return problem(400, "InvalidContent", "content.subject is required.");
  const body = objectOf(content) ?? {};
  if (typeof body.plainText !== "string" && typeof body.html !== "string") {
    return problem(400, "InvalidContent", "content needs plainText or html.");
  }
  const lists = ["to", "cc", "bcc"].map((name) => addresses(objectOf(recipients)?.[name], name));
  const invalid = lists.find((list) => typeof list === "string");
  if (typeof invalid === "string") return problem(400, "InvalidRecipients", invalid);
  const [to, cc, bcc] = lists as string[][];
  const count = (to?.length ?? 0) + (cc?.length ?? 0) + (bcc?.length ?? 0);
  if (count === 0) return problem(400, "InvalidRecipients", "At least one recipient is required.");
  if (count > MAX_RECIPIENTS)
    return problem(400, "TooManyRecipients", `At most ${MAX_RECIPIENTS} recipients are allowed.`);
  if (store.operations.size >= MAX_ITEMS)
    return problem(429, "TooManyRequests", "The emulator keeps at most 10000 emails.");
  const id = randomUUID();
  store.operations.set(id, { status: "Running" });
  store.emails.push({
    id,
    senderAddress,
    to: to ?? [],
    cc: cc ?? [],
    bcc: bcc ?? [],
    subject,
    clientId: request.caller,
  });
  return reply(
    202,
    { id, status: "Running" },
    { "operation-location": withApiVersion(request, `/emails/operations/${id}`), "retry-after": "0" },
  );
}

function status(store: EmailStore, id: string | undefined): Reply {
  const operation = store.operations.get(id ?? "");
  if (operation === undefined) return problem(404, "OperationNotFound", "The email operation does not exist.");
  operation.status = "Succeeded";
  return reply(200, { id, status: operation.status }, { "retry-after": "0" });
}

/** The Email route table over one store. */
export function emailRoutes(store: EmailStore): Route[] {
  return [
    { method: "POST", path: /^\/emails:send$/, handle: (request) => send(store, request) },
    { method: "GET", path: /^\/emails\/operations\/([^/]+)$/, handle: (_r, [id]) => status(store, id) },
  ];
}
