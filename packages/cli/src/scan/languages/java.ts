/**
 * Java and Kotlin front end: an ACS client builder given `.connectionString(…)` or `.credential(AzureKeyCredential)`,
 * in one chain or through a builder variable, and the management SDK's `communicationServices().listKeys(…)`.
 * Comments (`//`, `/* … *\/`, Javadoc) and strings are masked first.
 */
import { LANGUAGE_RULE_IDS } from "./languageRules.js";
import { ACS_CLIENT_ALTERNATION, listKeysHits, matches } from "./acsClients.js";
import type { LanguageHit } from "./acsClients.js";
import { SYNTAX, maskSource } from "./sourceMask.js";
import { appendAll } from "../appendAll.js";

const RULE = LANGUAGE_RULE_IDS.java;
const BUILDER = `(?:[\\w.]+\\.)?${ACS_CLIENT_ALTERNATION}Builder`;
const BUILDER_VARIABLE = [
  new RegExp(String.raw`\b(\w+)\s*=\s*(?:new\s+)?${BUILDER}\s*\(`, "g"),
  new RegExp(String.raw`\b${BUILDER}\s+(\w+)\s*=`, "g"),
  new RegExp(String.raw`\b(\w+)\s*:\s*${BUILDER}\b`, "g"),
];
const BUILDER_NAME = new RegExp(String.raw`\b${ACS_CLIENT_ALTERNATION}Builder\b`);
const KEY_VARIABLE = /\b(\w+)\s*=\s*(?:new\s+)?(?:[\w.]+\.)?AzureKeyCredential\s*\(/g;
const CONNECTION_STRING = /\.\s*connectionString\s*\(/g;
const CREDENTIAL = /\.\s*credential\s*\(\s*(?:new\s+)?(?:[\w.]+\.)?(\w+)/g;
const LIST_KEYS = /\bcommunicationServices\s*\(\s*\)\s*\.\s*listKeys(?:WithResponse)?\s*\(/g;

/** The statement (or Kotlin expression chain) around `index`: back to the previous `;`, `{` or `}`. */
function statementBefore(code: string, index: number): string {
  let i = index;
  while (i > 0 && !";{}".includes(code[i - 1])) i--;
  return code.slice(i, index);
}

/** Java/Kotlin findings (offsets into `text`). */
export function javaHits(text: string): LanguageHit[] {
  const { code } = maskSource(text, SYNTAX.java);
  const builders = new Set<string>();
  for (const re of BUILDER_VARIABLE) for (const m of matches(re, code)) builders.add(m[1]);
  const keyVariables = new Set([...matches(KEY_VARIABLE, code)].map((m) => m[1]));
  const onAcsBuilder = (index: number) => {
    const statement = statementBefore(code, index);
    return BUILDER_NAME.test(statement) || (statement.match(/\w+/g) ?? []).some((w) => builders.has(w));
  };
  const out: LanguageHit[] = [];
  for (const m of matches(CONNECTION_STRING, code)) {
    if (!onAcsBuilder(m.index)) continue;
    out.push({
      ruleId: RULE,
      index: m.index + 1,
      length: m[0].length - 1,
      message:
        "IM-1: an ACS client builder is given .connectionString(…): the client authenticates with the resource's access key. Use .endpoint(endpoint).credential(new DefaultAzureCredentialBuilder().build()) (azure-identity).",
    });
  }
  for (const m of matches(CREDENTIAL, code)) {
    if ((m[1] !== "AzureKeyCredential" && !keyVariables.has(m[1])) || !onAcsBuilder(m.index)) continue;
    out.push({
      ruleId: RULE,
      index: m.index + 1,
      length: m[0].length - 1,
      message:
        "IM-1: an ACS client builder is given an AzureKeyCredential (the resource's access key). Use .credential(new DefaultAzureCredentialBuilder().build()) or a ClientCertificateCredential (azure-identity).",
    });
  }
  const what = "the management SDK lists the ACS access keys (communicationServices().listKeys)";
  appendAll(out, listKeysHits(LIST_KEYS, code, RULE, what));
  return out;
}
