/**
 * IM-8 for what a service answers: an error a factory client throws carries the service's own words (the `RestError`
 * message, the response body that `@azure/core-client` turns into `error.details`) and the request's URL. A service,
 * proxy or firewall that echoes the request back would put the Bearer token, the message text or a full phone number
 * into the caller's logs. This policy, first in every factory client's pipeline, scrubs them before the error leaves.
 * A long-running operation's poller (@azure/core-lro) builds its error (and a log line) itself, from a status body
 * answered with 200: the policy scrubs such a body too, unless its status is one core-lro reads without doing so.
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
/** Ended operations whose start body is kept for the echoes of a result GET that fails. */
const MAX_RECENT = 8;
/** A start request's body is kept (by reference) for its echoes only up to this length. */
const MAX_KEPT_BODY = 256 * 1024;
/** The status of a polled operation that ended without success (lower case; core-lro's spellings). */
const UNSUCCESSFUL = new Set(["failed", "canceled", "cancelled"]);
/**
 * Statuses of an operation still under way that @azure/core-lro (2.x `transformStatus`) reads without building an
 * error or logging the service's words: its running spellings, and the `NotStarted` of Email (which core-lro logs as
 * unrecognised, a fixed word).
 */
const UNDER_WAY = new Set(["notstarted", "running", "accepted", "started", "canceling", "cancelling"]);
/** A status made of one plain word: it can hold no token, phone number or sentence of message text. */
const PLAIN_WORD = /^[A-Za-z]{1,32}$/;

type Response = PipelineResponse & { parsedBody?: unknown; parsedHeaders?: unknown };
/** An operation this client started: its start request's body (for its echoes) and the keys its polls match. */
interface Operation {
  body: string | undefined;
  keys: string[];
}
/** Poll key ({@link operationKey}) of each followed operation → the operation (a relative poll URL has two keys). */
type Operations = Map<string, Operation>;
/**
 * What a GET answer's body says of an operation, as core-lro reads it: no `status` member, a status still under way,
 * `Succeeded`, failed or canceled, an unrecognised plain word, or anything else (an unrecognised string core-lro logs,
 * or a value that is not a string, which core-lro writes into the error it throws).
 */
type Said = "none" | "underWay" | "succeeded" | "unsuccessful" | "word" | "odd";

/**
 * A policy that, when the call fails, scrubs the error: its message, stack and code, its request's URL (phone numbers
 * in the path are masked), and its response's body (text and parsed, from which `@azure/core-client` builds
 * `error.details`): everything {@link scrubText} redacts, and any content of the request body (an SMS or email text)
 * that the service echoed. A status poll of a long-running operation this client started (a 201 or 202 answer with a
 * poll URL) has its response scrubbed the same way, with the start request's content as the echoes, before the poller
 * reads it, unless its status is one core-lro reads without building an error or logging it (`Succeeded`, whose body
 * is the result, or a status under way). While an operation is followed, any other GET answer of the client whose
 * status failed, or is neither a string nor one plain word, is scrubbed too (with every followed operation's
 * content as the echoes). Other successful responses are left alone, unread.
 */
export function createErrorScrubPolicy(options: { followOperations?: boolean } = {}): PipelinePolicy {
  const operations: Operations = new Map();
  // Operations that ended lately: core-lro may still GET their result (`resourceLocation`), and that GET's error may
  // echo the start request.
  const recent: Operation[] = [];
  const follows = options.followOperations !== false;
  return {
    name: ERROR_SCRUB_POLICY_NAME,
    sendRequest(request, next): Promise<PipelineResponse> {
      const sent = next(request);
      if (!follows) {
        sent.then(undefined, (error: unknown) => scrubError(error, () => contentOf(request.body)));
        return sent;
      }
      // A reaction of its own, registered before the caller's (which are added to the same promise once it is
      // returned), so the error (or a failed operation's status) is scrubbed before anyone sees it, without one more
      // promise step on every call. A successful answer costs two comparisons unless an operation is being followed.
      sent.then(
        (response) => {
          if (response.status === 201 || response.status === 202 || operations.size !== 0)
            followOperation(operations, request, response, recent);
        },
        (error: unknown) =>
          scrubError(error, () =>
            (operations.size !== 0 || recent.length !== 0) && request.method === "GET"
              ? followedEchoes(operations, operationOf(operations, request.url), recent)
              : contentOf(request.body),
          ),
      );
      return sent;
    },
  };
}

/**
 * How a poll request is matched to the poll URL its operation's start answered: scheme, host (as WHATWG URL writes
 * it: lower case, IPv4 in full, no default port) and path (dot segments resolved, percent-encoded), without query or
 * fragment. `@azure/core-client` sends `new URL(url).toString()` of the poll URL, so both sides read the same.
 */
function operationKey(url: string, base?: string): string | undefined {
  try {
    const parsed = new URL(url, base);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return undefined;
  }
}

/** The followed operation `url` polls, if any. */
function operationOf(operations: Operations, url: string): Operation | undefined {
  const key = operationKey(url);
  return key === undefined ? undefined : operations.get(key);
}

/** The echoes of `operation`'s start body or, for a GET matched to none, of every followed operation's. */
function followedEchoes(
  operations: Operations,
  operation: Operation | undefined,
  recent: readonly Operation[] = [],
): string[] {
  if (operation !== undefined) return contentOf(operation.body);
  const all = new Set<string>();
  for (const followed of new Set([...operations.values(), ...recent]))
    for (const echo of contentOf(followed.body)) all.add(echo);
  return [...all].sort((a, b) => b.length - a.length);
}

/**
 * After a successful response: remembers the poll URL of an operation it starts; for a GET while an operation is
 * followed, scrubs the answer when core-lro would build an error or a log line from its status, and forgets the
 * operation it polls once that ended (never throws).
 */
function followOperation(
  operations: Operations,
  request: PipelineRequest,
  response: Response,
  recent: Operation[],
): void {
  try {
    if (request.method !== "GET") {
      if (response.status === 201 || response.status === 202) startFollowing(operations, request, response);
      return;
    }
    if (operations.size === 0) return;
    const operation = operationOf(operations, request.url);
    const said = statusOf(response);
    const failed = said === "unsuccessful" || (said === "none" && response.status >= 300);
    const ended = failed || said === "succeeded" || (said === "none" && response.status !== 202);
    if (operation !== undefined && ended) {
      for (const key of operation.keys) operations.delete(key);
      recent.push(operation);
      if (recent.length > MAX_RECENT) recent.shift();
    }
    // A GET matched to no operation may still be a poll spelled in a way not foreseen: scrubbed unless plainly good.
    if (failed || said === "odd" || (said === "word" && operation !== undefined))
      scrubStatusResponse(response, followedEchoes(operations, operation));
  } catch {
    // a poll's answer is the caller's; following it must never break it
  }
}

/**
 * Remembers the operation a 201 or 202 answer starts (if it names a poll URL). A relative poll URL is remembered
 * resolved against the start request's URL and as core-client appends it to the client's endpoint (whose origin is
 * the start request's: the factory refuses an endpoint with a path).
 */
function startFollowing(operations: Operations, request: PipelineRequest, response: Response): void {
  const { headers } = response;
  const poll =
    headers.get("operation-location") ??
    headers.get("azure-asyncoperation") ??
    (response.status === 202 ? headers.get("location") : undefined);
  if (poll === undefined) return;
  const keys = new Set<string>();
  const resolved = operationKey(poll, request.url);
  if (resolved !== undefined) keys.add(resolved);
  if (!poll.includes("://")) {
    const start = new URL(request.url);
    const appended = operationKey(`${start.protocol}//${start.host}/${poll.replace(/^\//, "")}`);
    if (appended !== undefined) keys.add(appended);
  }
  const body = typeof request.body === "string" && request.body.length <= MAX_KEPT_BODY ? request.body : undefined;
  const operation: Operation = { body, keys: [...keys] };
  for (const key of operation.keys) {
    const earlier = operations.get(key);
    if (earlier !== undefined) for (const old of earlier.keys) operations.delete(old);
  }
  for (const key of operation.keys) operations.set(key, operation);
  while (operations.size > MAX_OPERATIONS * 2) {
    const oldest = operations.values().next().value as Operation;
    for (const key of oldest.keys) operations.delete(key);
  }
}

/** What the `status` of a GET answer's body (parsed by core-client, or by us from a REST-level client's text) says. */
function statusOf(response: Response): Said {
  let body = response.parsedBody;
  if (body === undefined && typeof response.bodyAsText === "string" && response.bodyAsText.length <= MAX_KEPT_BODY) {
    try {
      body = JSON.parse(response.bodyAsText);
    } catch {
      return "none";
    }
  }
  const status = typeof body === "object" && body !== null ? (body as { status?: unknown }).status : undefined;
  if (status === undefined) return "none";
  if (typeof status !== "string") return "odd";
  const lower = status.toLowerCase();
  if (lower === "succeeded") return "succeeded";
  if (UNSUCCESSFUL.has(lower)) return "unsuccessful";
  if (UNDER_WAY.has(lower)) return "underWay";
  return PLAIN_WORD.test(status) ? "word" : "odd";
}

/**
 * A status response core-lro would build an error or a log line from, scrubbed in place before the poller reads it:
 * the parsed body, its text (kept JSON: a REST-level client parses the text after the pipeline), the parsed headers
 * and the headers. Echoes are the content of the start request's body.
 */
function scrubStatusResponse(response: Response, echoes: readonly string[]): void {
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
function scrubError(error: unknown, echoesOf: () => readonly string[]): void {
  if (typeof error !== "object" || error === null) return;
  const e = error as { message?: unknown; stack?: unknown; code?: unknown; request?: unknown; response?: unknown };
  try {
    if (e.request === undefined && e.response === undefined) return;
    const echoes = echoesOf();
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

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** `text` as JSON writers escape it: JSON.stringify's escapes, and every character outside printable ASCII (and HTML's
 * `&'<>+`) as `\uXXXX` (.NET's System.Text.Json default). */
function escapedForms(echo: string): string[] {
  const json = JSON.stringify(echo).slice(1, -1);
  const ascii = json.replace(/[^\x20-\x7e]|[&'<>+]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  // As an HTML writer escapes it (a proxy's or gateway's error page).
  const html = echo.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
  const htmlText = echo.replace(/[&<>]/g, (c) => HTML_ESCAPES[c] ?? c);
  const htmlHex = echo.replace(/[&<>"']/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`);
  const htmlDecimal = echo.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // Each also as it reads inside a JSON string (a response body quoting the message once more).
  return [
    ...new Set([
      echo,
      json,
      ascii,
      html,
      htmlText,
      htmlHex,
      htmlDecimal,
      JSON.stringify(json).slice(1, -1),
      JSON.stringify(ascii).slice(1, -1),
    ]),
  ];
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
