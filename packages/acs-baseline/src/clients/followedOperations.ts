/**
 * The long-running operations one client's error scrub follows: each operation's start request body (for its
 * echoes) and the poll URL its start answered, while it is under way and for a while after it ended (core-lro may
 * still GET its result). A poll is matched to its operation by URL, query included; operations a poll cannot tell
 * apart are all matched, so none of their echoes is ever dropped.
 */
import type { PipelineRequest } from "@azure/core-rest-pipeline";
import { contentOf } from "./contentEchoes.js";

/** Operations started and not yet seen to end, per client (beyond it, the oldest is counted as ended). */
const MAX_OPERATIONS = 32;
/** Ended operations keep their start body this long (ms) for the echoes of a result GET that fails… */
const RECENT_MS = 60_000;
/** …and no more of them than this, nor more start body text in all than {@link MAX_RECENT_CHARS} (oldest first). */
const MAX_RECENT = 256;
const MAX_RECENT_CHARS = 8 * 1024 * 1024;
/** A start request's body is kept (by reference) for its echoes only up to this length. */
export const MAX_KEPT_BODY = 256 * 1024;

/** Query parameters left out of the match: core-client sets `api-version` on a poll URL it appends to the endpoint. */
const IGNORED_PARAMETER = /^api-version=/i;

/** Where a poll goes: the URL without query (`path`), and the query's `name=value` pairs but `api-version`. */
interface PollKey {
  path: string;
  query: string[];
}
/** An operation this client started: its start request's body (for its echoes) and the keys its polls match. */
interface Operation {
  readonly body: string | undefined;
  readonly keys: readonly PollKey[];
  /** When it was seen to end (`performance.now()`), if it was. */
  ended?: number;
}
/** The operations a poll request matches, those still under way first (oldest first). */
export interface Matched {
  live: readonly Operation[];
  all: readonly Operation[];
}

/**
 * How a poll request is matched to the poll URL its operation's start answered: scheme, host (as WHATWG URL writes
 * it: lower case, IPv4 in full, no default port), path (dot segments resolved, percent-encoded) and the query's
 * pairs, without fragment. `@azure/core-client` sends `new URL(url).toString()` of the poll URL (adding parameters it
 * sets), so both sides read the same.
 */
export function operationKey(url: string, base?: string): PollKey | undefined {
  try {
    const parsed = new URL(url, base);
    const query = parsed.search
      .slice(1)
      .split("&")
      .filter((pair) => pair !== "" && !IGNORED_PARAMETER.test(pair));
    return { path: `${parsed.protocol}//${parsed.host}${parsed.pathname}`, query };
  } catch {
    return undefined;
  }
}

/** Whether a poll to `sent` goes where `key` says (its query may carry more parameters). */
const pathMatches = (key: PollKey, sent: PollKey): boolean => key.path === sent.path;
const queryMatches = (key: PollKey, sent: PollKey): boolean => key.query.every((pair) => sent.query.includes(pair));

/** The operations one client follows (see the file's comment). */
export class FollowedOperations {
  private readonly live: Operation[] = [];
  private readonly recent: Operation[] = [];
  private recentChars = 0;

  /** Whether an operation is under way. */
  get following(): boolean {
    return this.live.length !== 0;
  }

  /** Whether an operation is under way or ended lately. */
  get remembering(): boolean {
    return this.live.length !== 0 || this.recent.length !== 0;
  }

  /**
   * Remembers the operation `request` started, polled at `poll`. A relative poll URL is remembered resolved against
   * the start request's URL and as core-client appends it to the client's endpoint (whose origin is the start
   * request's: the factory refuses an endpoint with a path).
   */
  start(request: PipelineRequest, poll: string): void {
    const keys: PollKey[] = [];
    const resolved = operationKey(poll, request.url);
    if (resolved !== undefined) keys.push(resolved);
    if (!poll.includes("://")) {
      const start = new URL(request.url);
      const appended = operationKey(`${start.protocol}//${start.host}/${poll.replace(/^\//, "")}`);
      if (appended !== undefined) keys.push(appended);
    }
    if (keys.length === 0) return;
    const body = typeof request.body === "string" && request.body.length <= MAX_KEPT_BODY ? request.body : undefined;
    this.live.push({ body, keys });
    for (let oldest = this.live[0]; oldest !== undefined && this.live.length > MAX_OPERATIONS; oldest = this.live[0])
      this.end(oldest);
  }

  /**
   * The operations a GET of `url` polls: those whose poll URL it is, query and all; when none is, those whose poll
   * URL differs from it only in the query (never fewer than every operation it may poll).
   */
  matching(url: string): Matched {
    const sent = operationKey(url);
    if (sent === undefined) return { live: [], all: [] };
    this.forget();
    const candidates = [...this.live, ...this.recent].filter((op) => op.keys.some((key) => pathMatches(key, sent)));
    const exact = candidates.filter((op) => op.keys.some((key) => pathMatches(key, sent) && queryMatches(key, sent)));
    const all = exact.length !== 0 ? exact : candidates;
    return { live: all.filter((op) => op.ended === undefined), all };
  }

  /** Counts `operation` as ended: its start body is kept a while ({@link RECENT_MS}) for the echoes of its result. */
  end(operation: Operation): void {
    const at = this.live.indexOf(operation);
    if (at < 0) return;
    this.live.splice(at, 1);
    operation.ended = performance.now();
    this.recent.push(operation);
    this.recentChars += operation.body?.length ?? 0;
    this.forget();
  }

  /** The echoes of `operations`' start bodies or, for none, of every operation under way or ended lately. */
  echoes(operations: readonly Operation[]): string[] {
    this.forget();
    const all = new Set<string>();
    for (const op of operations.length !== 0 ? operations : [...this.live, ...this.recent])
      for (const echo of contentOf(op.body)) all.add(echo);
    return [...all].sort((a, b) => b.length - a.length);
  }

  /** Forgets ended operations beyond the bounds: older than {@link RECENT_MS}, or too many, or too much text. */
  private forget(): void {
    const now = performance.now();
    for (let oldest = this.recent[0]; oldest !== undefined; oldest = this.recent[0]) {
      const stale = now - (oldest.ended ?? now) > RECENT_MS;
      if (!stale && this.recent.length <= MAX_RECENT && this.recentChars <= MAX_RECENT_CHARS) return;
      this.recent.shift();
      this.recentChars -= oldest.body?.length ?? 0;
    }
  }
}
