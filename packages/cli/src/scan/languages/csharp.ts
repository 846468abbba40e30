/**
 * C# front end: ACS clients constructed from a connection string (a literal, a variable, `configuration[…]`,
 * `GetConnectionString(…)`, `Environment.GetEnvironmentVariable(…)`: every one-argument constructor of an ACS client
 * takes a connection string) or with an `AzureKeyCredential`, target-typed `new(…)` included, and the management
 * SDK's `GetKeys()` / `ListKeys()`. Comments (`//`, `///` XML docs, `/* … *\/`) and strings are masked first.
 */
import { LANGUAGE_RULE_IDS } from "./languageRules.js";
import { ACS_CLIENT_ALTERNATION, callArguments, listKeysHits, matches, topLevelArguments } from "./acsClients.js";
import type { LanguageHit } from "./acsClients.js";
import { SYNTAX, maskSource } from "./sourceMask.js";
import { appendAll } from "../appendAll.js";

const RULE = LANGUAGE_RULE_IDS.csharp;
const NEW_CLIENT = new RegExp(String.raw`\bnew\s+(?:[\w.]+\.)?(${ACS_CLIENT_ALTERNATION})\s*(?:<[^>]*>)?\s*\(`, "g");
const TARGET_TYPED = new RegExp(String.raw`\b(${ACS_CLIENT_ALTERNATION})\??\s+\w+\s*=\s*new\s*\(`, "g");
const KEY_VARIABLE = /\b(\w+)\s*=\s*new\s+(?:[\w.]+\.)?AzureKeyCredential\s*\(/g;
const MANAGEMENT = /(?:ResourceManager|Management)\.Communication/;
const GET_KEYS = /\.\s*(?:GetKeys|ListKeys)(?:Async)?\s*\(/g;

function constructorHit(name: string, args: string[], keyVariables: Set<string>): string | undefined {
  const words = new Set(args.join(" ").match(/\w+/g) ?? []);
  if (words.has("AzureKeyCredential") || [...keyVariables].some((v) => words.has(v))) {
    return `IM-1: new ${name}(…) is given an AzureKeyCredential (the resource's access key). Pass new DefaultAzureCredential() or a ClientCertificateCredential (Azure.Identity) with the endpoint instead.`;
  }
  const first = args[0] ?? "";
  const connectionStringForm = args.length === 1 || (args.length === 2 && /Options\b/.test(args[1]));
  if (first === "" || !connectionStringForm || /^new\s+(?:System\.)?Uri\b/.test(first)) return undefined;
  return `IM-1: new ${name}(…) with one string is the connection-string constructor: it authenticates with the resource's access key. Use new ${name}(new Uri(endpoint), new DefaultAzureCredential()) (Azure.Identity) and keep only the endpoint in configuration.`;
}

/** C# findings (offsets into `text`). */
export function csharpHits(text: string): LanguageHit[] {
  const { code } = maskSource(text, SYNTAX.csharp);
  const keyVariables = new Set([...matches(KEY_VARIABLE, code)].map((m) => m[1]));
  const out: LanguageHit[] = [];
  for (const re of [NEW_CLIENT, TARGET_TYPED]) {
    for (const m of matches(re, code)) {
      const args = callArguments(code, m.index + m[0].length - 1);
      if (args === undefined) continue;
      const message = constructorHit(m[1], topLevelArguments(args.text), keyVariables);
      if (message !== undefined) out.push({ ruleId: RULE, index: m.index, length: m[0].length, message });
    }
  }
  if (MANAGEMENT.test(code)) {
    appendAll(
      out,
      listKeysHits(GET_KEYS, code, RULE, "the management SDK reads the ACS access keys (GetKeys/ListKeys)"),
    );
  }
  return out;
}
