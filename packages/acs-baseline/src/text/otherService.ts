/**
 * Azure SignalR and Web PubSub connection strings have the ACS shape (`Endpoint=…;AccessKey=…`) but are another
 * service's. The tools (scan, `no-key-auth`) leave them out; the runtime still refuses any connection string.
 *
 * A match is another service's only when, on its lines (from the start of its first line to the end of its last),
 * both as written and in plain form (NFKC, format characters removed):
 * - nothing names an ACS host (`communication.azure.`, also percent-encoded or with full-width or ideographic dots);
 * - every `endpoint=` is a URL whose host, as the WHATWG URL parser reads it (the parser the SDKs use: `\` is `/`,
 *   user info is dropped), is SignalR's or Web PubSub's — or, with a `;Version=` pair on those lines, any host that is
 *   not ACS's (a custom domain, the SignalR emulator's `Endpoint=http://localhost;Port=8999;AccessKey=…;Version=1.0;`);
 *   each endpoint is read twice, up to the next `;` and as the ACS SDKs' parser reads it (from a line's first
 *   `endpoint=` to its last `;accesskey=`, so a `;` in user info cannot end it early);
 * - there is at least one endpoint.
 * Anything else (an endpoint that does not parse or is longer than 2 KiB, no endpoint) keeps the match: the safe side.
 */
import { LINE_BREAK, plainForm } from "./connectionString.js";

const OTHER_SERVICE_HOST = /\.(?:signalr\.net|signalr\.azure\.(?:us|cn)|webpubsub\.azure\.(?:com|us|cn))\.?$/i;
/** ACS's data-plane hosts (public cloud, Azure Government, Azure China). */
const ACS_HOST = /(?:^|\.)communication\.azure\.[a-z]+\.?$/i;
/**
 * Every `endpoint=` and its value (up to `;`, a line break or the end; read up to one character past
 * {@link MAX_ENDPOINT}, so values that hold `endpoint=` again cannot make the search quadratic), quotes and escapes
 * around it allowed.
 */
const ENDPOINTS = /endpoint\s*=\s*((?:\\*["'`])?)([^;\n\r\u2028\u2029]{0,2049})/gi;
/** A longer endpoint value is not judged (the match is kept). */
const MAX_ENDPOINT = 2048;
const VERSION_PAIR = /;\s*(?:\\*["'`]\s*)?version(?:\s*\\*["'`])?\s*=/i;
const LINE_BREAK_GLOBAL = new RegExp(LINE_BREAK.source, "g");

type Host = "other" | "acs" | "plain" | "unknown";

/** The host's kind as the URL parser reads the endpoint's value (with `https://` when it names no scheme). */
function hostOf(value: string): Host {
  const trimmed = value.replace(/\\*["'`]\s*$/, "").trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return "unknown";
  }
  if (url.hostname === "") return "unknown";
  if (ACS_HOST.test(url.hostname)) return "acs";
  return OTHER_SERVICE_HOST.test(url.hostname) ? "other" : "plain";
}

const SDK_ENDPOINT = /endpoint=/i;
const SDK_KEY = ";accesskey=";

/** Whether `lines` name an ACS host in any spelling the URL parser reads as one. */
function namesAcs(lines: string): boolean {
  const read = lines
    .replace(/%([0-7][0-9a-f])/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/[\u3002\uff0e\uff61]/g, ".");
  return /communication\.azure\./i.test(read);
}

/** Whether each line's endpoint as the ACS SDKs' parser reads it is another service's (see the module's TSDoc). */
function sdkEndpointsOther(lines: string, versioned: boolean): boolean {
  for (const line of lines.split(LINE_BREAK)) {
    const first = SDK_ENDPOINT.exec(line);
    const last = line.toLowerCase().lastIndexOf(SDK_KEY);
    if (first === null || last < first.index + first[0].length) continue;
    const value = line.slice(first.index + first[0].length, last);
    const host = value.length > MAX_ENDPOINT ? "unknown" : hostOf(value);
    if (host !== "other" && !(host === "plain" && versioned)) return false;
  }
  return true;
}

/** Whether `lines` are another service's, as written and in plain form (see the module's TSDoc). */
function allOtherService(lines: string): boolean {
  const plain = plainForm(lines);
  return otherAsRead(lines) && (plain === lines || otherAsRead(plain));
}

/** Whether every endpoint in `lines`, read as they stand, is another service's (see the module's TSDoc). */
function otherAsRead(lines: string): boolean {
  if (namesAcs(lines)) return false;
  const versioned = VERSION_PAIR.test(lines);
  if (!sdkEndpointsOther(lines, versioned)) return false;
  let endpoints = 0;
  ENDPOINTS.lastIndex = 0;
  for (let e = ENDPOINTS.exec(lines); e !== null; e = ENDPOINTS.exec(lines)) {
    // Look again right after `endpoint=`: an endpoint's value may hold another `endpoint=`.
    ENDPOINTS.lastIndex = e.index + e[0].length - e[2].length;
    endpoints++;
    const host = e[2].length > MAX_ENDPOINT ? "unknown" : hostOf(e[2]);
    if (host === "other" || (host === "plain" && versioned)) continue;
    return false;
  }
  return endpoints > 0;
}

/**
 * What a match is: another service's, ACS's, or (a match over several lines whose first line alone is another
 * service's, which the shape ran on into the next lines) the stretch to search again: from the next line to the end of
 * the match's last line, which may hold more of the ACS string than the match did (a key-first pair's endpoint).
 */
export type Verdict = "other" | "acs" | { readonly from: number; readonly to: number };

/**
 * A judge of the matches of one text, asked in text order (each search for a line's start or end goes on from the
 * last, and one line's verdict is kept for the next match on it): linear in the text's length however many matches a
 * line holds.
 */
export function otherServiceJudge(text: string): (index: number, length: number) => Verdict {
  const breakFrom = (at: number): number => {
    LINE_BREAK_GLOBAL.lastIndex = at;
    const found = LINE_BREAK_GLOBAL.exec(text);
    return found === null ? text.length : found.index;
  };
  let lineStart = 0; // the line holding the last match asked about: its start and its end (a break or the text's)
  let lineEnd = breakFrom(0);
  let [judgedFrom, judgedTo, verdict] = [-1, -1, false]; // the last stretch judged, and its verdict
  const allOther = (from: number, to: number): boolean => {
    if (from !== judgedFrom || to !== judgedTo)
      [judgedFrom, judgedTo, verdict] = [from, to, allOtherService(text.slice(from, to))];
    return verdict;
  };
  return (index, length) => {
    while (lineEnd < index) [lineStart, lineEnd] = [lineEnd + 1, breakFrom(lineEnd + 1)];
    const end = index + length;
    if (end <= lineEnd) return allOther(lineStart, lineEnd) ? "other" : "acs";
    const lastLineEnd = breakFrom(end - 1);
    if (allOther(lineStart, lastLineEnd)) return "other";
    return allOther(lineStart, lineEnd) ? { from: lineEnd + 1, to: lastLineEnd } : "acs";
  };
}
