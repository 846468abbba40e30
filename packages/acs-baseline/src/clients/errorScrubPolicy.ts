/**
 * IM-8 for what a service answers: an error a factory client throws carries the service's own words (the `RestError`
 * message, the response body that `@azure/core-client` turns into `error.details`) and the request's URL. A service,
 * proxy or firewall that echoes the request back would put the Bearer token, the message text or a full phone number
 * into the caller's logs. This policy, first in every factory client's pipeline, scrubs them before the error leaves.
 * A long-running operation's poller (@azure/core-lro) builds its error itself, from a status body answered with 200:
 * the policy scrubs such a body too, when the operation it polls failed or was canceled.
 */
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { REDACTED, scrubPath, scrubText } from "../text/scrub.js";

/** Name of the policy in a client's pipeline. */
export const ERROR_SCRUB_POLICY_NAME = "acsBaselineErrorScrub";

/** Request body members whose values are content (message text, email subject and body, chat text). */
const CONTENT_KEYS = /^(message|content|subject|plaintext|html|text|body|displayname|metadata|topic)$/i;
/** Content shorter than this is not looked for in error text (it would match ordinary words). */
const MIN_ECHO = 4;
/** Bounds of the walk over a JSON body or an error's details. */
const MAX_NODES = 2_000;
const MAX_DEPTH = 16;
/** Operations started and not yet seen to end, per client (the oldest is forgotten first). */
const MAX_OPERATIONS = 32;
/** A start request's body is kept (by reference) for its echoes only up to this length. */
const MAX_KEPT_BODY = 256 * 1024;
/** The status of a polled operation that ended without success (lower case; core-lro's spellings). */
const UNSUCCESSFUL = new Set(["failed", "canceled", "cancelled"]);

type Response = PipelineResponse & { parsedBody?: unknown; parsedHeaders?: unknown };

/**
 * A policy that, when the call fails, scrubs the error: its message, stack and code, its request's URL (phone numbers
 * in the path are masked), and its response's body (text and parsed, from which `@azure/core-client` builds
 * `error.details`): everything {@link scrubText} redacts, and any content of the request body (an SMS or email text)
 * that the service echoed. A status poll of a long-running operation this client started (a 201 or 202 answer with a
 * poll URL) that reports `Failed` or `Canceled` has its response scrubbed the same way, with the start request's
 * content as the echoes, before the poller reads it; other successful responses are left alone, unread.
 */
export function createErrorScrubPolicy(options: { followOperations?: boolean } = {}): PipelinePolicy {
  // Poll URL (without query) of each operation started through this client → its start request's body.
  const operations = new Map<string, string | undefined>();
  const follows = options.followOperations !== false;
  return {
    name: ERROR_SCRUB_POLICY_NAME,
    sendRequest(request, next): Promise<PipelineResponse> {
      const sent = next(request);
      if (!follows) {
        sent.then(undefined, (error: unknown) => scrubError(error, request.body));
        return sent;
      }
      // A reaction of its own, registered before the caller's (which are added to the same promise once it is
      // returned), so the error (or a failed operation's status) is scrubbed before anyone sees it, without one more
      // promise step on every call. A successful answer costs two comparisons unless an operation is being followed.
      sent.then(
        (response) => {
          if (response.status === 201 || response.status === 202 || operations.size !== 0)
            followOperation(operations, request, response);
        },
        (error: unknown) =>
          scrubError(error, (operations.size !== 0 && operations.get(pollKey(request.url))) || request.body),
      );
      return sent;
    },
  };
}

/** The URL without query or fragment: how a poll request is matched to the poll URL its operation's start answered. */
function pollKey(url: string): string {
  const query = url.indexOf("?");
  const hash = url.indexOf("#");
  const end = query < 0 ? hash : hash < 0 ? query : Math.min(query, hash);
  return end < 0 ? url : url.slice(0, end);
}

/**
 * After a successful response: remembers the poll URL of an operation it starts; for a poll of a remembered
 * operation, forgets the operation once it ended and scrubs the response when it failed or was canceled (never throws).
 */
function followOperation(operations: Map<string, string | undefined>, request: PipelineRequest, response: Response) {
  try {
    if (response.status === 201 || response.status === 202) {
      const { headers } = response;
      const poll =
        headers.get("operation-location") ??
        headers.get("azure-asyncoperation") ??
        (response.status === 202 ? headers.get("location") : undefined);
      if (poll === undefined || request.method === "GET") return;
      const key = pollKey(/^https?:\/\//i.test(poll) ? poll : new URL(poll, request.url).href);
      const body = typeof request.body === "string" && request.body.length <= MAX_KEPT_BODY ? request.body : undefined;
      operations.delete(key);
      operations.set(key, body);
      if (operations.size > MAX_OPERATIONS) operations.delete(operations.keys().next().value as string);
      return;
    }
    if (request.method !== "GET") return;
    const key = pollKey(request.url);
    if (!operations.has(key)) return;
    const status = statusOf(response);
    if (status === "succeeded") operations.delete(key);
    else if (status !== undefined && UNSUCCESSFUL.has(status)) {
      const started = operations.get(key);
      operations.delete(key);
      scrubStatusResponse(response, started);
    }
  } catch {
    // a poll's answer is the caller's; following it must never break it
  }
}

/** The lower-case `status` of a status body (parsed by core-client, or by us from a REST-level client's text). */
function statusOf(response: Response): string | undefined {
  let body = response.parsedBody;
  if (body === undefined && typeof response.bodyAsText === "string" && response.bodyAsText.length <= MAX_KEPT_BODY) {
    try {
      body = JSON.parse(response.bodyAsText);
    } catch {
      return undefined;
    }
  }
  const status = typeof body === "object" && body !== null ? (body as { status?: unknown }).status : undefined;
  return typeof status === "string" ? status.toLowerCase() : undefined;
}

/**
 * A failed or canceled operation's status response, scrubbed in place before the poller builds its error (and its
 * result, and its log line) from it: the parsed body, its text (kept JSON: a REST-level client parses the text after
 * the pipeline), the parsed headers and the headers. Echoes are the content of the start request's body.
 */
function scrubStatusResponse(response: Response, startBody: string | undefined): void {
  const echoes = contentOf(startBody);
  const clean = (text: string): string => scrubText(withoutEchoes(text, echoes));
  if (response.parsedBody !== undefined) response.parsedBody = scrubValue(response.parsedBody, clean);
  if (typeof response.bodyAsText === "string") {
    let text: string;
    try {
      text = JSON.stringify(scrubValue(JSON.parse(response.bodyAsText), clean));
    } catch {
      text = clean(response.bodyAsText);
    }
    response.bodyAsText = text;
  }
  if (response.parsedHeaders !== undefined) response.parsedHeaders = scrubValue(response.parsedHeaders, clean);
  scrubHeaders(response.headers, clean);
}

/**
 * Scrubs `error` in place (never throws). `RestError` pins its `request` and `response` members, so those objects are
 * scrubbed themselves: the call has failed, nothing sends them again.
 */
function scrubError(error: unknown, body: unknown): void {
  if (typeof error !== "object" || error === null) return;
  const e = error as { message?: unknown; stack?: unknown; code?: unknown; request?: unknown; response?: unknown };
  try {
    if (e.request === undefined && e.response === undefined) return;
    const echoes = contentOf(body);
    const clean = (text: string): string => scrubText(withoutEchoes(text, echoes));
    if (typeof e.message === "string") {
      const message = clean(e.message);
      if (typeof e.stack === "string") e.stack = e.stack.split(e.message).join(message);
      e.message = message;
    }
    if (typeof e.code === "string") e.code = clean(e.code);
    scrubRequestUrl(e.request);
    const response = e.response as (PipelineResponse & { parsedBody?: unknown; parsedHeaders?: unknown }) | undefined;
    if (typeof response === "object" && response !== null) {
      scrubRequestUrl(response.request);
      if (typeof response.bodyAsText === "string") response.bodyAsText = clean(response.bodyAsText);
      if (response.parsedBody !== undefined) response.parsedBody = scrubValue(response.parsedBody, clean);
      // core-client builds `details` from the parsed headers too (Rooms and Email map x-ms-error-code, Email all).
      if (response.parsedHeaders !== undefined) response.parsedHeaders = scrubValue(response.parsedHeaders, clean);
      scrubHeaders(response.headers, clean);
    }
  } catch {
    // the caller's error matters more than its scrubbing
  }
}

/** The response's header values, cleaned in place (an echoing service writes the request into any of them). */
function scrubHeaders(headers: PipelineResponse["headers"] | undefined, clean: (text: string) => string): void {
  if (headers === undefined) return;
  for (const [name, value] of [...headers]) {
    const cleaned = clean(value);
    if (cleaned !== value) headers.set(name, cleaned);
  }
}

/** Masks phone numbers and secrets in a failed request's URL (the path by segment, the query as text). */
function scrubRequestUrl(request: unknown): void {
  if (typeof request !== "object" || request === null) return;
  const r = request as { url?: unknown };
  if (typeof r.url !== "string") return;
  const url = r.url;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start < 0) return;
  const q = url.indexOf("?", start);
  const path = q < 0 ? url.slice(start) : url.slice(start, q);
  const scrubbed = `${url.slice(0, start)}${scrubPath(path)}${q < 0 ? "" : scrubText(url.slice(q))}`;
  if (scrubbed !== url) r.url = scrubbed;
}

/** The content strings of a JSON request body (at least {@link MIN_ECHO} characters), longest first. */
function contentOf(body: unknown): string[] {
  if (typeof body !== "string" || body.length === 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const found = new Set<string>();
  let nodes = 0;
  const visit = (value: unknown, content: boolean, depth: number): void => {
    if (nodes++ > MAX_NODES || depth > MAX_DEPTH) return;
    if (typeof value === "string") {
      if (content && value.trim().length >= MIN_ECHO) found.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, content, depth + 1);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) visit(item, content || CONTENT_KEYS.test(key), depth + 1);
    }
  };
  visit(parsed, false, 0);
  return [...found].sort((a, b) => b.length - a.length);
}

/** Echoes at least this long are also found cut short (a service that quotes only the start of the text). */
const PREFIX = 12;

/** `text` as JSON writers escape it: JSON.stringify's escapes, and every character outside printable ASCII (and HTML's
 * `&'<>+`) as `\uXXXX` (.NET's System.Text.Json default). */
function escapedForms(echo: string): string[] {
  const json = JSON.stringify(echo).slice(1, -1);
  const ascii = json.replace(/[^\x20-\x7e]|[&'<>+]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  // Each also as it reads inside a JSON string (a response body quoting the message once more).
  return [...new Set([echo, json, ascii, JSON.stringify(json).slice(1, -1), JSON.stringify(ascii).slice(1, -1)])];
}

/** `text` with `form` replaced by {@link REDACTED} wherever it (or, when long enough, its start) occurs. */
function withoutEcho(text: string, form: string): string {
  if (form.length < PREFIX) return text.includes(form) ? text.split(form).join(REDACTED) : text;
  const head = form.slice(0, PREFIX);
  let out = "";
  let from = 0;
  for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, from)) {
    let length = PREFIX;
    while (length < form.length && text[at + length] === form[length]) length++;
    out += `${text.slice(from, at)}${REDACTED}`;
    from = at + length;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * `text` with every echoed content string replaced by {@link REDACTED}: as it is, as JSON writers escape it, and cut
 * short (at least its first {@link PREFIX} characters).
 */
function withoutEchoes(text: string, echoes: readonly string[]): string {
  let out = text;
  for (const echo of echoes) for (const form of escapedForms(echo)) out = withoutEcho(out, form);
  return out;
}

/** A copy of a parsed body or details with every string cleaned (bounded; what is beyond the bounds is dropped). */
function scrubValue(value: unknown, clean: (text: string) => string): unknown {
  let nodes = 0;
  const copy = (v: unknown, depth: number): unknown => {
    if (nodes++ > MAX_NODES || depth > MAX_DEPTH) return REDACTED;
    if (typeof v === "string") return clean(v);
    if (v instanceof Date) return v;
    if (Array.isArray(v)) return v.map((item) => copy(item, depth + 1));
    if (typeof v === "object" && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) out[key] = copy(item, depth + 1);
      return out;
    }
    return v;
  };
  return copy(value, 0);
}
