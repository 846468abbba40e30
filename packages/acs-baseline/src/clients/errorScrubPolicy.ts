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
import { contentOf, MAX_DEPTH, MAX_NODES, withoutEchoes } from "./contentEchoes.js";
import { FollowedOperations, MAX_KEPT_BODY } from "./followedOperations.js";

/** Name of the policy in a client's pipeline. */
export const ERROR_SCRUB_POLICY_NAME = "acsBaselineErrorScrub";

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
 * poll URL) has its response scrubbed the same way, with the start request's content (of every operation whose poll
 * URL, query included, the GET's is) as the echoes, before the poller
 * reads it, unless its status is one core-lro reads without building an error or logging it (`Succeeded`, whose body
 * is the result, or a status under way). While an operation is followed, any other GET answer of the client whose
 * status failed, or is neither a string nor one plain word, is scrubbed too (with every followed operation's
 * content as the echoes), and a failed GET's error is scrubbed with the echoes of the operations it polls or, for
 * none (a result GET), of every operation under way or ended lately. Other successful responses are left alone, unread.
 */
export function createErrorScrubPolicy(options: { followOperations?: boolean } = {}): PipelinePolicy {
  // Operations under way, and those that ended lately: core-lro may still GET their result (`resourceLocation`),
  // and that GET's error may echo the start request.
  const operations = new FollowedOperations();
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
          if (response.status === 201 || response.status === 202 || operations.following)
            followOperation(operations, request, response);
        },
        (error: unknown) =>
          scrubError(error, () =>
            operations.remembering && request.method === "GET"
              ? operations.echoes(operations.matching(request.url).all)
              : contentOf(request.body),
          ),
      );
      return sent;
    },
  };
}

/**
 * After a successful response: remembers the poll URL of an operation it starts; for a GET while an operation is
 * followed, scrubs the answer when core-lro would build an error or a log line from its status, and counts the
 * operation it polls as ended once that ended (never throws). A poll that several operations share (the same poll
 * URL) ends the oldest of them, and is scrubbed with the echoes of them all.
 */
function followOperation(operations: FollowedOperations, request: PipelineRequest, response: Response): void {
  try {
    if (request.method !== "GET") {
      if (response.status === 201 || response.status === 202) startFollowing(operations, request, response);
      return;
    }
    if (!operations.following) return;
    const matched = operations.matching(request.url);
    const said = statusOf(response);
    const failed = said === "unsuccessful" || (said === "none" && response.status >= 300);
    const ended = failed || said === "succeeded" || (said === "none" && response.status !== 202);
    const own = matched.live[0];
    if (own !== undefined && ended) operations.end(own);
    // A GET matched to no operation may still be a poll spelled in a way not foreseen: scrubbed unless plainly good.
    if (failed || said === "odd" || (said === "word" && matched.all.length !== 0))
      scrubStatusResponse(response, operations.echoes(matched.all));
  } catch {
    // a poll's answer is the caller's; following it must never break it
  }
}

/** Remembers the operation a 201 or 202 answer starts, if it names a poll URL. */
function startFollowing(operations: FollowedOperations, request: PipelineRequest, response: Response): void {
  const { headers } = response;
  const poll =
    headers.get("operation-location") ??
    headers.get("azure-asyncoperation") ??
    (response.status === 202 ? headers.get("location") : undefined);
  if (poll !== undefined) operations.start(request, poll);
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
 * the parsed body, its text ({@link scrubBodyText}), the parsed headers and the headers. Echoes are the content of
 * the start request's body (of every operation the poll may belong to).
 */
function scrubStatusResponse(response: Response, echoes: readonly string[]): void {
  const clean = (text: string): string => scrubText(withoutEchoes(text, echoes));
  if (response.parsedBody !== undefined) response.parsedBody = scrubValue(response.parsedBody, clean);
  if (typeof response.bodyAsText === "string") response.bodyAsText = scrubBodyText(response.bodyAsText, clean);
  if (response.parsedHeaders !== undefined) response.parsedHeaders = scrubValue(response.parsedHeaders, clean);
  scrubHeaders(response.headers, clean);
}

/**
 * A response's body text, scrubbed: a JSON body is read, its strings cleaned (JSON escapes undone: a `\u`-escaped
 * token or echo is seen for what it is) and written again (still JSON: a REST-level client parses the text after the
 * pipeline); any other text, or JSON too long to read, is cleaned as it stands (echoes still found under escapes).
 */
function scrubBodyText(text: string, clean: (text: string) => string): string {
  if (text.length <= MAX_KEPT_BODY) {
    try {
      return JSON.stringify(scrubValue(JSON.parse(text), clean));
    } catch {
      // not JSON
    }
  }
  return clean(text);
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
      if (typeof response.bodyAsText === "string") response.bodyAsText = scrubBodyText(response.bodyAsText, clean);
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
