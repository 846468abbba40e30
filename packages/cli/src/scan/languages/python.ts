/**
 * Python front end: ACS clients built with `from_connection_string(…)` or an `AzureKeyCredential`, including through
 * import aliases and class aliases, and the management SDK's `communication_services.list_keys(…)`. Comments and
 * docstrings are masked first (sourceMask.ts), so names that are only documented never match.
 */
import { LANGUAGE_RULE_IDS } from "./languageRules.js";
import { ACS_CLIENT_NAMES, callArguments, listKeysHits, matches } from "./acsClients.js";
import type { LanguageHit } from "./acsClients.js";
import { SYNTAX, maskSource } from "./sourceMask.js";
import { appendAll } from "../appendAll.js";

const RULE = LANGUAGE_RULE_IDS.python;
const FROM_IMPORT = /\bfrom\s+azure\.communication[\w.]*\s+import\s+(\([^)]*\)|[^\n]*)/g;
const CLASS_ALIAS = /^[ \t]*(\w+)[ \t]*=[ \t]*([\w.]+)[ \t]*$/gm;
const KEY_VARIABLE = /\b(\w+)\s*=\s*(?:[\w.]+\.)?AzureKeyCredential\s*\(/g;
const FROM_CONNECTION_STRING = /([A-Za-z_][\w.]*)\s*\.\s*from_connection_string\s*\(/g;
const CALL = /([A-Za-z_][\w.]*)\s*\(/g;
const LIST_KEYS = /\.\s*communication_services?\s*\.\s*list_keys\s*\(/g;

/** Names that stand for an ACS client class here: the SDK's names, what was imported from azure.communication, aliases. */
function clientNames(code: string): Set<string> {
  const classes = new Set(ACS_CLIENT_NAMES);
  for (const m of matches(FROM_IMPORT, code)) {
    for (const part of m[1].replace(/[()\\]/g, " ").split(",")) {
      const [name, alias] = part.trim().split(/\s+as\s+/);
      if (name !== undefined && /Client$/.test(name)) classes.add((alias ?? name).trim());
    }
  }
  for (const m of matches(CLASS_ALIAS, code)) if (classes.has(m[2].split(".").pop() ?? "")) classes.add(m[1]);
  return classes;
}

function isClient(receiver: string, classes: Set<string>): boolean {
  return classes.has(receiver.split(".").pop() ?? "");
}

/** Python findings (offsets into `text`). */
export function pythonHits(text: string): LanguageHit[] {
  const { code } = maskSource(text, SYNTAX.python);
  const names = clientNames(code);
  const keyVariables = new Set([...matches(KEY_VARIABLE, code)].map((m) => m[1]));
  const out: LanguageHit[] = [];
  for (const m of matches(FROM_CONNECTION_STRING, code)) {
    if (!isClient(m[1], names)) continue;
    const name = m[1].split(".").pop();
    out.push({
      ruleId: RULE,
      index: m.index,
      length: m[0].length,
      message: `IM-1: ${name}.from_connection_string(…) authenticates with the resource's access key. Build the client from the endpoint and DefaultAzureCredential or CertificateCredential (azure-identity).`,
    });
  }
  for (const m of matches(CALL, code)) {
    if (!isClient(m[1], names)) continue;
    const args = callArguments(code, m.index + m[0].length - 1);
    if (args === undefined) continue;
    const words = new Set(args.text.match(/\w+/g) ?? []);
    if (!words.has("AzureKeyCredential") && ![...keyVariables].some((v) => words.has(v))) continue;
    out.push({
      ruleId: RULE,
      index: m.index,
      length: m[0].length,
      message: `IM-1: ${m[1].split(".").pop()}(…) is given an AzureKeyCredential (the resource's access key). Pass DefaultAzureCredential or CertificateCredential (azure-identity) instead.`,
    });
  }
  const what = "the management SDK lists the ACS access keys (communication_services.list_keys)";
  appendAll(out, listKeysHits(LIST_KEYS, code, RULE, what));
  return out;
}
