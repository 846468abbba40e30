/**
 * Key fetches in scripts, shared by the shell and PowerShell front ends: `az communication list-key`,
 * `Get-AzCommunicationServiceKey`, and any command line (continuations joined) that calls `listKeys` on a
 * `Microsoft.Communication/communicationServices` resource (`az rest`, `az resource invoke-action`, `curl`,
 * `Invoke-AzRestMethod`, `Invoke-RestMethod`). Comments are masked first; strings are kept (URLs live in them).
 */
import { matches } from "./acsClients.js";
import type { LanguageHit } from "./acsClients.js";

const AZ_LIST_KEY = /\baz\s+communication\s+(?:service\s+)?list-keys?\b/gi;
const PS_GET_KEY = /\bGet-AzCommunicationServiceKey\b/gi;
const LIST_KEYS = /\blistKeys\b/gi;
const RESOURCE_TYPE = /Microsoft\.Communication\/communicationServices/i;
/** In YAML (pipelines, but also API descriptions), a listKeys path counts only on a line that runs a command. */
const COMMAND = /\b(?:az|curl|wget|http|armclient|Invoke-AzRestMethod|Invoke-RestMethod|Invoke-WebRequest)\b/i;

/** The logical line around `index`: physical lines joined while they end with the continuation character. */
function logicalLine(text: string, index: number, continuation: string): string {
  let start = text.lastIndexOf("\n", index - 1) + 1;
  while (
    start > 1 &&
    text
      .slice(0, start - 1)
      .trimEnd()
      .endsWith(continuation)
  )
    start = text.lastIndexOf("\n", start - 2) + 1;
  let end = text.indexOf("\n", index);
  while (end !== -1 && text.slice(0, end).trimEnd().endsWith(continuation)) end = text.indexOf("\n", end + 1);
  return text.slice(start, end === -1 ? text.length : end);
}

/**
 * Key fetches in a comment-masked script (`continuation`: `\` for shell, a backtick for PowerShell). With
 * `requireCommand` (YAML), a `listKeys` path must share its line with a command (`az`, `curl`, `Invoke-AzRestMethod`…).
 */
export function keyFetchHits(
  view: string,
  ruleId: string,
  continuation: string,
  requireCommand = false,
): LanguageHit[] {
  const out: LanguageHit[] = [];
  for (const m of matches(AZ_LIST_KEY, view)) {
    out.push({
      ruleId,
      index: m.index,
      length: m[0].length,
      message:
        "IM-1, IM-8: az communication list-key fetches the ACS access keys and connection strings. Pass the endpoint only and give the app an Entra identity with an ACS data-plane role.",
    });
  }
  for (const m of matches(PS_GET_KEY, view)) {
    out.push({
      ruleId,
      index: m.index,
      length: m[0].length,
      message:
        "IM-1, IM-8: Get-AzCommunicationServiceKey fetches the ACS access keys and connection strings. Pass the endpoint only and give the app an Entra identity with an ACS data-plane role.",
    });
  }
  for (const m of matches(LIST_KEYS, view)) {
    const line = logicalLine(view, m.index, continuation);
    if (!RESOURCE_TYPE.test(line) || (requireCommand && !COMMAND.test(line))) continue;
    out.push({
      ruleId,
      index: m.index,
      length: m[0].length,
      message:
        "IM-1, IM-8: this command calls listKeys on an ACS resource (Microsoft.Communication/communicationServices): it fetches the access keys. Pass the endpoint only and give the app an Entra identity with an ACS data-plane role.",
    });
  }
  return out;
}
