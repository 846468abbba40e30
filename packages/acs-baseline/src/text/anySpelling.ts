/**
 * Connection strings found with their places in every spelling the runtime refuses as written: the strict shape
 * ({@link findConnectionStrings}), whatever the ACS SDKs' own parser (`/endpoint=(.*);accesskey=(.*)/i`) takes on one
 * line (a `;`, a space or a quote inside the endpoint, text glued before `endpoint=`), quoted values (`.env` style)
 * and look-alikes (full-width letters, zero-width characters, soft hyphens). The scanner and the lint rule report
 * these, so a text the factory would refuse never passes them.
 */
import {
  LINE_BREAK,
  UPSTREAM_ENDPOINT,
  findConnectionStrings,
  isPlaceholderValue,
  maskConnectionString,
  plainForm,
  splitKeyEnd,
  type ConnectionStringMatch,
} from "./connectionString.js";
import { otherServiceJudge } from "./otherService.js";

const ENDPOINT_AT = new RegExp(UPSTREAM_ENDPOINT.source, "gi");
/** The runtime's `;accesskey=` (`UPSTREAM_KEY`), its quotes possibly escaped as source text writes them (`\"`). */
const KEY_AFTER = /;\s*(?:\\*["']\s*)?accesskey(?:\s*\\*["'])?\s*=/gi;
/** The key's value after `accesskey=`: an optional opening quote, then up to a separator, white space or quote. */
const KEY_VALUE = /\s*(?:\\*["'])?([^;\s"'\x60\\]*)/y;
/**
 * A quote inside the endpoint's value, not just around it: code or a template assembling the text
 * (`$"endpoint={config["Acs:Endpoint"]};AccessKey={key}"`, `concat('endpoint=https://', name, ';accesskey=', …)`).
 * With a placeholder key that is the assembled-connection-string and IaC rules' finding, not a template to fill in.
 */
function quotedInside(endpoint: string): boolean {
  return /["']/.test(
    endpoint
      .trim()
      .replace(/^\\*["']/, "")
      .replace(/\\*["']$/, ""),
  );
}
const LINES = new RegExp(LINE_BREAK.source, "g");
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The `;accesskey=` after `from` with a value (`";accesskey=" + key` and `';accesskey=', listKeys(…)` have none: code
 * or a template building a connection string, not one), its value and its end; undefined when there is none.
 */
function keyAfter(line: string, from: number): { value: string; keyAt: number; end: number } | undefined {
  KEY_AFTER.lastIndex = from;
  for (let k = KEY_AFTER.exec(line); k !== null; k = KEY_AFTER.exec(line)) {
    KEY_VALUE.lastIndex = k.index + k[0].length;
    const value = KEY_VALUE.exec(line)![1];
    if (value !== "") return { value, keyAt: k.index, end: KEY_VALUE.lastIndex };
    KEY_AFTER.lastIndex = Math.max(KEY_AFTER.lastIndex, KEY_VALUE.lastIndex);
  }
  return undefined;
}

/** The ACS SDKs' parser's spellings on one line (`start`: the line's offset in its text), left to right. */
function upstreamMatches(line: string, start: number, out: ConnectionStringMatch[]): void {
  ENDPOINT_AT.lastIndex = 0;
  for (let e = ENDPOINT_AT.exec(line); e !== null; e = ENDPOINT_AT.exec(line)) {
    const key = keyAfter(line, e.index + e[0].length);
    if (key === undefined) return; // no keyed `;accesskey=` after this endpoint, so none after a later one either
    let placeholder = isPlaceholderValue(key.value);
    ENDPOINT_AT.lastIndex = key.end;
    if (placeholder && quotedInside(line.slice(e.index + e[0].length, key.keyAt))) continue;
    // A key split by white space (see splitKeyEnd): the match covers its chunks, the masked text shows none of them.
    const split = placeholder ? splitKeyEnd(line, key.end - key.value.length, key.end) : undefined;
    if (split !== undefined) {
      placeholder = false;
      ENDPOINT_AT.lastIndex = split;
    }
    out.push({
      index: start + e.index,
      length: (split ?? key.end) - e.index,
      masked: maskConnectionString(line.slice(e.index, key.end)),
      placeholder,
    });
  }
}

/**
 * A key that is a regular expression's group or class (`accesskey=(.*)`, `accesskey=([^;]+)`, `accesskey=(\S+)`,
 * `accesskey=[A-Za-z0-9+/=]+`: a class with a range or an escape): a parser of connection strings (the ACS SDKs' own, quoted in a source map or a
 * string), not one.
 */
const PATTERN_KEY =
  /accesskey["']?\s*=\s*["']?(?:[([\\][^;\s]*?(?:\.[*+]|\[\^|\\[SsWwd])|\[[^\]\s;]{0,40}(?:[A-Za-z0-9]-[A-Za-z0-9]|\\[\w/])[^\]\s;]{0,40}\][+*{])/i;
const isPattern = (text: string, m: ConnectionStringMatch): boolean =>
  m.placeholder && PATTERN_KEY.test(text.slice(m.index, m.index + m.length + 8));

/** The strict and the SDK parser's spellings of one text, each place once (the strict match where both find one). */
function plainMatches(text: string): ConnectionStringMatch[] {
  if (!/accesskey/i.test(text)) return [];
  const strict = findConnectionStrings(text).filter((m) => !isPattern(text, m));
  const upstream: ConnectionStringMatch[] = [];
  let start = 0;
  LINES.lastIndex = 0;
  for (let br = LINES.exec(text); ; br = LINES.exec(text)) {
    const end = br === null ? text.length : br.index;
    const line = text.slice(start, end);
    if (/accesskey/i.test(line)) upstreamMatches(line, start, upstream);
    if (br === null) break;
    start = end + 1;
  }
  const chosen = realOverPlaceholder(strict, upstream);
  const merged = [...chosen, ...outside(upstream, chosen).filter((m) => !isPattern(text, m))];
  return merged.sort((a, b) => a.index - b.index);
}

/**
 * `strict` with each placeholder match that a real one of `upstream` overlaps replaced by that one: the SDKs'
 * parser reads a quoted key (`accesskey="KEY"`) that the strict shape sees as empty. Both in text order, one pass.
 */
function realOverPlaceholder(
  strict: ConnectionStringMatch[],
  upstream: ConnectionStringMatch[],
): ConnectionStringMatch[] {
  if (!strict.some((m) => m.placeholder) || !upstream.some((m) => !m.placeholder)) return strict;
  const out: ConnectionStringMatch[] = [];
  let j = 0;
  for (const m of strict) {
    while (j < upstream.length && upstream[j].index + upstream[j].length <= m.index) j++;
    const u = upstream[j];
    const overlaps = u !== undefined && u.index < m.index + m.length;
    out.push(m.placeholder && overlaps && !u.placeholder ? u : m);
  }
  return out;
}

/** The matches of `some` that overlap none of `others` (both in text order; one pass over each, for hostile text). */
function outside(some: ConnectionStringMatch[], others: ConnectionStringMatch[]): ConnectionStringMatch[] {
  const out: ConnectionStringMatch[] = [];
  let j = 0;
  for (const m of some) {
    while (j < others.length && others[j].index + others[j].length <= m.index) j++;
    // others[j] is the first that ends after m starts; it overlaps m when it starts before m ends.
    if (j < others.length && others[j].index < m.index + m.length) continue;
    out.push(m);
  }
  return out;
}

/**
 * Look-alikes: lines whose NFKC form, without format characters, holds more connection strings than the line as
 * written. Each is reported on its whole line, masked as its plain form reads.
 */
function lookAlikeMatches(text: string, found: ConnectionStringMatch[]): ConnectionStringMatch[] {
  const plainText = plainForm(text);
  if (!/accesskey/i.test(plainText)) return [];
  const out: ConnectionStringMatch[] = [];
  let start = 0;
  let first = 0; // the first of `found` (in text order) not before this line
  for (const line of text.split(LINE_BREAK)) {
    const end = start + line.length;
    while (first < found.length && found[first].index < start) first++;
    if (NON_ASCII.test(line)) {
      const plain = plainForm(line);
      const hidden = plainMatches(plain);
      let seen = 0;
      while (first + seen < found.length && found[first + seen].index < end) seen++;
      for (const m of hidden.slice(seen)) out.push({ ...m, index: start, length: line.length });
    }
    start = end + 1;
  }
  return out;
}

/**
 * Every ACS connection string in `text`, in every spelling the runtime refuses as written (see the module's TSDoc),
 * with offsets and a masked rendering; in text order. Linear in the text's length.
 */
export function findConnectionStringsInAnySpelling(text: string): ConnectionStringMatch[] {
  const found = plainMatches(text);
  if (!NON_ASCII.test(text)) return withoutOtherServices(text, found);
  const hidden = lookAlikeMatches(text, found);
  return withoutOtherServices(
    text,
    hidden.length === 0 ? found : [...found, ...hidden].sort((a, b) => a.index - b.index),
  );
}

/** `found` (in text order) without Azure SignalR and Web PubSub connection strings (see ./otherService.ts). */
function withoutOtherServices(text: string, found: ConnectionStringMatch[]): ConnectionStringMatch[] {
  // A cheap first look on the text as written (a look-alike spelling of these words is kept: the safe side).
  if (found.length === 0 || !/signalr|webpubsub|version/i.test(text)) return found;
  const judge = otherServiceJudge(text);
  const out: ConnectionStringMatch[] = [];
  for (const m of found) {
    const verdict = judge(m.index, m.length);
    if (verdict === "acs") out.push(m);
    if (typeof verdict !== "object") continue;
    // Only the match's first line is another service's string, which the shape ran on into the next lines
    // (`Endpoint=<signalr>;AccessKey=…;Version=1.0;` then `endpoint=<acs>;accesskey=…`): look again past it, to the
    // end of the match's last line; what starts after the match is a match of its own (or none) in `found`.
    const end = m.index + m.length;
    for (const inner of findConnectionStringsInAnySpelling(text.slice(verdict.from, verdict.to)))
      if (verdict.from + inner.index < end) out.push({ ...inner, index: inner.index + verdict.from });
  }
  return out;
}
