/**
 * The ACS data-plane client classes of the Python, .NET and Java SDKs (the same names in each), and the hit type
 * every text front end returns.
 */

/** ACS client class names (azure-communication-*, Azure.Communication.*, com.azure.communication.*). */
export const ACS_CLIENT_NAMES: readonly string[] = [
  "SmsClient",
  "CommunicationIdentityClient",
  "PhoneNumbersClient",
  "SipRoutingClient",
  "EmailClient",
  "CallAutomationClient",
  "CallingServerClient",
  "RoomsClient",
  "JobRouterClient",
  "JobRouterAdministrationClient",
  "RouterClient",
  "RouterAdministrationClient",
  "NotificationMessagesClient",
  "MessageTemplateClient",
  "CommunicationRelayClient",
  "ChatClient",
];

/** `(?:SmsClient|CommunicationIdentityClient|…)` */
export const ACS_CLIENT_ALTERNATION = `(?:${ACS_CLIENT_NAMES.join("|")})`;

/** One finding of a text front end, at an offset of the file's text. */
export interface LanguageHit {
  ruleId: string;
  index: number;
  length: number;
  message: string;
}

/** Every match of a global regular expression over `text`. */
export function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    yield m;
    if (m[0].length === 0) re.lastIndex++;
  }
}

/**
 * One hit per call of a management SDK that lists or reads the ACS access keys (`re`, global), past the leading `.`
 * of the match when it has one; `what` names the call in the message.
 */
export function listKeysHits(re: RegExp, code: string, ruleId: string, what: string): LanguageHit[] {
  const out: LanguageHit[] = [];
  for (const m of matches(re, code)) {
    const dot = m[0].startsWith(".") ? 1 : 0;
    out.push({
      ruleId,
      index: m.index + dot,
      length: m[0].length - dot,
      message: `IM-1: ${what}. Give the app an Entra identity with an ACS data-plane role instead of handing it a key.`,
    });
  }
  return out;
}

/** The argument list of the call whose `(` is at `open` (contents only, nesting and strings respected by the masked text), or undefined if unclosed. */
export function callArguments(code: string, open: number): { text: string; end: number } | undefined {
  let depth = 0;
  for (let i = open; i < code.length && i < open + 4000; i++) {
    const c = code[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) return { text: code.slice(open + 1, i), end: i + 1 };
    }
  }
  return undefined;
}

/** Splits an argument list at its top-level commas. */
export function topLevelArguments(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (c === "(" || c === "[" || c === "{" || c === "<") depth++;
    else if (c === ")" || c === "]" || c === "}" || c === ">") depth = Math.max(0, depth - 1);
    else if (c === "," && depth === 0) {
      out.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = args.slice(start).trim();
  if (last !== "" || out.length > 0) out.push(last);
  return out;
}
