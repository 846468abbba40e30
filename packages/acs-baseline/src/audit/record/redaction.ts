/**
 * Value scrubbing for audit records. The scrubber itself is plain text handling and lives in `text/scrub.ts` (the
 * guard and the tools use it too); this file keeps the audit log's name for it, and the rule for a record's path.
 */
export {
  GUID_SHAPE,
  MAX_TEXT_LENGTH,
  REDACTED,
  THUMBPRINT_SHAPE,
  keepIfShaped,
  maskPhoneNumber,
  scrubPath,
  scrubText,
} from "../../text/scrub.js";

/** Written in a record's path in place of a segment that is not shaped like an identifier or a route word. */
export const PATH_SEGMENT_MARKER = "[segment]";

/** Longest segment kept (an ACS user id percent-encoded is about 85 characters, a chat thread id about 60). */
export const MAX_PATH_SEGMENT_LENGTH = 128;

/**
 * 1 for the characters a kept segment may hold anywhere: ASCII letters and digits, `-`, `.`, `_`, `~`, `:`, `@`, and
 * the `*`, `[`, `]` of what the scrubber put there (`***0123`, `[REDACTED]`).
 */
const ID_CHAR = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:@*[]") ID_CHAR[c.charCodeAt(0)] = 1;

/** True when `path[from..to)` holds the escape `%XY` (X, Y as given, any case of a hex letter) at `at`. */
function escapeAt(path: string, at: number, to: number, x: number, y: number): boolean {
  return at + 3 <= to && path.charCodeAt(at + 1) === x && (path.charCodeAt(at + 2) | 0x20) === (y | 0x20);
}

/**
 * True when the segment `path[from..to)` is shaped like an identifier or a route word: at most
 * {@link MAX_PATH_SEGMENT_LENGTH} characters of {@link ID_CHAR}, `%3A` (`:`) and `%40` (`@`), as the SDKs encode ACS
 * user and chat thread ids, and a leading `+` or `%2B` (the scrubber has masked a phone number by then; a shorter
 * number is kept). No space, no other escape: message text, as URL encoding writes it, never has this shape.
 */
function isIdSegment(path: string, from: number, to: number): boolean {
  if (to - from > MAX_PATH_SEGMENT_LENGTH) return false;
  let i = from;
  if (path.charCodeAt(i) === 43) i++;
  else if (path.charCodeAt(i) === 37 && escapeAt(path, i, to, 50, 66)) i += 3;
  while (i < to) {
    const c = path.charCodeAt(i);
    if (c < 128 && ID_CHAR[c] === 1) i++;
    else if (c === 37 && (escapeAt(path, i, to, 51, 65) || escapeAt(path, i, to, 52, 48))) i += 3;
    else return false;
  }
  return true;
}

/**
 * A URL path as a record shows it, after {@link scrubPath} (which masks phone numbers in any spelling and redacts
 * keys, also across segments): each segment that is not shaped like an identifier or route word
 * ({@link isIdSegment}) is replaced by {@link PATH_SEGMENT_MARKER}. A path the service chose (a poll URL, a
 * redirect) so cannot carry message text into a record; SDK-built paths (`/sms`, `/identities/{id}/:issueAccessToken`,
 * `/emails/operations/{uuid}`) come back as they are, the same string, with one pass over its characters and nothing
 * allocated.
 *
 * @param path - the scrubbed path of a request URL, query and fragment already removed
 * @returns the path with every other segment replaced
 */
export function recordPath(path: string): string {
  let out: string | undefined;
  let from = 0;
  for (let to = 0; to <= path.length; to++) {
    if (to < path.length && path.charCodeAt(to) !== 47) continue;
    if (to > from && !isIdSegment(path, from, to)) {
      out = `${out ?? path.slice(0, from)}${PATH_SEGMENT_MARKER}`;
    } else if (out !== undefined) {
      out += path.slice(from, to);
    }
    if (out !== undefined && to < path.length) out += "/";
    from = to + 1;
  }
  return out ?? path;
}
