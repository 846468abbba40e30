/**
 * C# front end: ACS clients constructed from a connection string (a literal, a variable, `configuration[…]`,
 * `GetConnectionString(…)`, `Environment.GetEnvironmentVariable(…)`: every one-argument constructor of an ACS client,
 * and every one with client options beside it, takes a connection string; with more arguments, one named
 * `connectionString:` or whose name says so, as CallAutomationClient's `(pmaEndpoint, connectionString)`) or with an
 * `AzureKeyCredential`, target-typed `new(…)` included, and the management
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

/** `arg` without a C# argument name (`connectionString: cs` → `cs`), and the name (empty when there is none). */
function namedArgument(arg: string): { name: string; value: string } {
  const m = /^(\w+)\s*:(?!:)\s*/.exec(arg);
  return m === null ? { name: "", value: arg } : { name: m[1], value: arg.slice(m[0].length) };
}

/** The last name of a plain (qualified) name (`settings.AcsConnectionString` → `AcsConnectionString`), else "". */
const lastName = (value: string): string => (/^[\w.]+$/.test(value) ? (value.split(".").pop() ?? "") : "");

/** Client options, by type or by name: `new SmsClientOptions()`, `options`, `opts`, `emailClientOptions`, `options: o`. */
function isOptions(arg: string): boolean {
  const { name, value } = namedArgument(arg);
  if (name === "options" || /^new\s+[\w.]*Options\s*[({]/.test(value)) return true;
  return /(?:options|opts)$/i.test(lastName(value));
}

/** An argument that names a connection string: `connectionString: x`, `acsConnectionString`, `cs`, `GetConnectionString(…)`. */
function namesConnectionString(arg: string): boolean {
  const { name, value } = namedArgument(arg);
  if (name === "connectionString" || /\bGetConnectionString\s*\(/.test(value)) return true;
  return /^(?:\w*conn(?:ection)?_?str(?:ing)?\w*|cs)$/i.test(lastName(value));
}

function constructorHit(name: string, args: string[], keyVariables: Set<string>): string | undefined {
  const words = new Set(args.join(" ").match(/\w+/g) ?? []);
  if (words.has("AzureKeyCredential") || [...keyVariables].some((v) => words.has(v))) {
    return `IM-1: new ${name}(…) is given an AzureKeyCredential (the resource's access key). Pass new DefaultAzureCredential() or a ClientCertificateCredential (Azure.Identity) with the endpoint instead.`;
  }
  const fix = `Use new ${name}(new Uri(endpoint), new DefaultAzureCredential()) (Azure.Identity) and keep only the endpoint in configuration.`;
  const first = args[0] ?? "";
  const connectionStringForm = args.length === 1 || (args.length === 2 && isOptions(args[1]));
  if (first !== "" && connectionStringForm && !/^new\s+(?:System\.)?Uri\b/.test(first))
    return `IM-1: new ${name}(…) with one string is the connection-string constructor: it authenticates with the resource's access key. ${fix}`;
  // Beside an endpoint (CallAutomationClient's `(Uri pmaEndpoint, string connectionString, options)`), or named.
  if (args.some(namesConnectionString))
    return `IM-1: new ${name}(…) is given a connection string: it authenticates with the resource's access key. ${fix}`;
  return undefined;
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
