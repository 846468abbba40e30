/**
 * Azure SignalR and Web PubSub connection strings have the ACS shape (`Endpoint=…;AccessKey=…`) but are another
 * service's. The tools (scan, `no-key-auth`) leave them out; the runtime still refuses any connection string.
 *
 * A match is another service's only when every `endpoint=` on its lines (from the start of its first line to the end
 * of its last) is a URL whose host, as the WHATWG URL parser reads it (the parser the SDKs use: `\` is `/`, user info
 * is dropped), is SignalR's or Web PubSub's — or, with a `;Version=` pair on those lines, any host that is not ACS's
 * (a custom domain, the SignalR emulator's `Endpoint=http://localhost;Port=8999;AccessKey=…;Version=1.0;`). An
 * endpoint that does not parse, an ACS host anywhere on those lines, or no endpoint at all keeps the match: the safe
 * side.
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

/** Whether every endpoint in `lines` (plain form) is another service's (see the module's TSDoc). */
function allOtherService(lines: string): boolean {
  const versioned = VERSION_PAIR.test(lines);
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
 * A judge of the matches of one text, asked in text order (each search for a line's start or end goes on from the
 * last, and one line's verdict is kept for the next match on it): linear in the text's length however many matches a
 * line holds.
 */
export function otherServiceJudge(text: string): (index: number, length: number) => "other" | "acs" | number {
  const breakFrom = (at: number): number => {
    LINE_BREAK_GLOBAL.lastIndex = at;
    const found = LINE_BREAK_GLOBAL.exec(text);
    return found === null ? text.length : found.index;
  };
  let lineStart = 0; // the line holding the last match asked about: its start and its end (a break or the text's)
  let lineEnd = breakFrom(0);
  let judged = "";
  let verdict = false;
  const allOther = (from: number, to: number): boolean => {
    const key = `${from}:${to}`;
    if (key !== judged) [judged, verdict] = [key, allOtherService(plainForm(text.slice(from, to)))];
    return verdict;
  };
  return (index, length) => {
    while (lineEnd < index) [lineStart, lineEnd] = [lineEnd + 1, breakFrom(lineEnd + 1)];
    const end = index + length;
    if (end <= lineEnd) return allOther(lineStart, lineEnd) ? "other" : "acs";
    if (allOther(lineStart, breakFrom(end - 1))) return "other";
    return allOther(lineStart, lineEnd) ? lineEnd + 1 : "acs";
  };
}
