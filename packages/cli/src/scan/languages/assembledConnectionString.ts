/**
 * Connection strings assembled in code or templates from an `accesskey=` part, without a literal
 * `endpoint=https://…` before it (so the connection-string finder cannot see them): `";accesskey=" + key`,
 * `f"…;accesskey={key}"`, `$"…;AccessKey={key}"`, `String.format("…accesskey=%s", key)`, `accesskey=${KEY}`,
 * `accesskey=<your key>`. A literal that is only searched for or compared with (`cs.Contains(";accesskey=")`) is not
 * one. Only in files that mention ACS ("communication"); SignalR and Web PubSub, whose connection
 * strings also have an `AccessKey=` part, are left out.
 */
import { findConnectionStrings } from "acs-baseline/internal/text";
import { LANGUAGE_RULE_IDS } from "./languageRules.js";
import { matches } from "./acsClients.js";
import type { LanguageHit } from "./acsClients.js";
import { onlySearchedFor } from "./searchedLiteral.js";

const RULE = LANGUAGE_RULE_IDS.assembled;
const ACCESS_KEY_PART = /(?<![A-Za-z0-9_])accesskey\s*=\s*/gi;
/** What follows `accesskey=` when the key is filled in later: the end of the literal, an interpolation, a placeholder. */
const FILLED_LATER = /^(?:["'`]|\$\{|\$\(|\$[A-Za-z_]|\{|%[sdv(]|<[^>\n]{1,60}>|\[|\+|\\?\n|$)/;
const OTHER_SERVICE = /signalr|webpubsub|web pubsub/i;
const ACS_CONTEXT = /communication/i;

/** Assembled connection strings in `view` (a comment-masked view of the file, or its text). */
export function assembledConnectionStringHits(view: string): LanguageHit[] {
  if (!ACS_CONTEXT.test(view) || !/accesskey\s*=/i.test(view)) return [];
  const covered = findConnectionStrings(view).map((c) => [c.index, c.index + c.length] as const);
  const out: LanguageHit[] = [];
  for (const m of matches(ACCESS_KEY_PART, view)) {
    const end = m.index + m[0].length;
    if (covered.some(([a, b]) => m.index >= a && m.index < b)) continue;
    if (!FILLED_LATER.test(view.slice(end, end + 64))) continue;
    // Code that parses a connection string (`cs.Contains(";accesskey=")`, `url.IndexOf("/;accesskey=")`) builds none.
    if (onlySearchedFor(view, m.index, end)) continue;
    const lineStart = view.lastIndexOf("\n", m.index) + 1;
    const lineEnd = view.indexOf("\n", m.index);
    if (OTHER_SERVICE.test(view.slice(lineStart, lineEnd === -1 ? view.length : lineEnd))) continue;
    out.push({
      ruleId: RULE,
      index: m.index,
      length: m[0].length,
      message:
        "IM-1, IM-8: an ACS connection string is assembled here from an accesskey= part: the app will authenticate with the resource's access key. Configure the endpoint only and use an Entra credential.",
    });
  }
  return out;
}
