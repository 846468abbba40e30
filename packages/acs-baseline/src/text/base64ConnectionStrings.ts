/**
 * Connection strings stored base64-encoded (a Kubernetes Secret's `data:`, a CI variable, a `.env` file encoded
 * whole, a `Buffer.from("…", "base64")` argument), found with the place of their run: a base64 run that holds the
 * encoding of `endpoint=`, of `https://` or `http://`, or of `accesskey` (in the usual spellings), at any of the three byte
 * alignments, is decoded,
 * and the connection strings with a real key in it are returned, masked. Placeholders are left out: an encoded template is
 * not a pattern anyone copies. Shared by the scanner's text rule and the lint rule's string checks.
 */
import { findConnectionStringsInAnySpelling } from "./anySpelling.js";
import type { ConnectionStringMatch } from "./connectionString.js";

/**
 * What every encoded connection string holds at one of the three byte alignments of its run (the characters every
 * encoding shares there, whatever precedes or follows): `endpoint=`, `Endpoint=`, `ENDPOINT=` or `EndPoint=`;
 * `https://` or `http://` (so any other casing of `endpoint`, or white space around its `=`, is found through its
 * URL); and `accesskey`, `AccessKey`, `ACCESSKEY`, `accessKey` or `Accesskey` (so an endpoint of any other form is
 * found through its key's name).
 */
const ENCODED_ENDPOINT = new RegExp(
  [
    ...["ZW5kcG9pbnQ9", "RW5kcG9pbnQ9", "RU5EUE9JTlQ9", "RW5kUG9pbnQ9"],
    ...["VuZHBvaW50P", "VORFBPSU5UP", "VuZFBvaW50P", "bmRwb2ludD1", "TkRQT0lOVD1", "bmRQb2ludD1"],
    ...["aHR0cHM6", "dHBzOi8v", "dHRwczov", "aHR0cDov", "h0dHA6Ly", "dHRwOi8v"],
    ...["YWNjZXNza2V5", "QWNjZXNzS2V5", "QUNDRVNTS0VZ", "YWNjZXNzS2V5", "QWNjZXNza2V5"],
    ...["FjY2Vzc2tleT", "FjY2Vzc0tleT", "FDQ0VTU0tFWT", "Y2Nlc3NrZXk", "Y2Nlc3NLZXk", "Q0NFU1NLRVk"],
  ].join("|"),
  "g",
);
const BASE64_CHAR = /[A-Za-z0-9+/_-]/;
/** An encoded connection string is a few hundred characters; a longer run than this either way is a blob, not decoded. */
const MAX_RUN = 65_536;

/** A base64 run and the connection strings with a real key its decoding holds. */
export interface EncodedConnectionStrings {
  /** Offset of the run's first character. */
  start: number;
  /** Offset just past the run. */
  end: number;
  /** The connection strings in the decoded run (offsets into the decoded text), masked; never placeholders. */
  found: ConnectionStringMatch[];
}

/** The base64 run around `at`: its start and end (at most {@link MAX_RUN} each way). */
function runAround(text: string, at: number): [number, number] {
  let start = at;
  while (start > 0 && at - start <= MAX_RUN && BASE64_CHAR.test(text[start - 1] ?? "")) start--;
  let end = at;
  while (end < text.length && end - at <= MAX_RUN && BASE64_CHAR.test(text[end] ?? "")) end++;
  while (text[end] === "=" && end - at <= MAX_RUN) end++;
  return [start, end];
}

/**
 * The connection strings with a real key in a base64 run. The run may begin with characters that are not part of
 * the encoding (a name glued to the value, a path), so each of the four alignments is decoded (Node's base64 decoder
 * takes the URL-safe alphabet too).
 */
function decodedConnectionStrings(run: string): ConnectionStringMatch[] {
  for (let shift = 0; shift < 4 && shift < run.length; shift++) {
    const decoded = Buffer.from(run.slice(shift), "base64").toString("latin1");
    const real = findConnectionStringsInAnySpelling(decoded).filter((c) => !c.placeholder);
    if (real.length > 0) return real;
  }
  return [];
}

/** Every base64 run of `text` that decodes to a connection string with a real key, in text order. */
export function findBase64ConnectionStrings(text: string): EncodedConnectionStrings[] {
  ENCODED_ENDPOINT.lastIndex = 0;
  if (!ENCODED_ENDPOINT.test(text)) return [];
  const out: EncodedConnectionStrings[] = [];
  let searchedTo = 0;
  ENCODED_ENDPOINT.lastIndex = 0;
  for (let m = ENCODED_ENDPOINT.exec(text); m !== null; m = ENCODED_ENDPOINT.exec(text)) {
    if (m.index < searchedTo) continue;
    const [start, end] = runAround(text, m.index);
    searchedTo = end;
    ENCODED_ENDPOINT.lastIndex = Math.max(ENCODED_ENDPOINT.lastIndex, end);
    if (m.index - start > MAX_RUN || end - m.index > MAX_RUN) continue; // a blob, not a value
    const found = decodedConnectionStrings(text.slice(start, end));
    if (found.length > 0) out.push({ start, end, found });
  }
  return out;
}
