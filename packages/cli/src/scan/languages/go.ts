/**
 * Go front end: ACS data-plane clients (packages under `…/communication/…`) built from a connection string or a key
 * (`NewClientFromConnectionString`, `NewClientWithHmacAuth`, `azcore.NewKeyCredential`), and
 * `armcommunication`'s `ListKeys`. Comments and strings are masked first.
 */
import { LANGUAGE_RULE_IDS } from "./languageRules.js";
import { listKeysHits, matches } from "./acsClients.js";
import type { LanguageHit } from "./acsClients.js";
import { SYNTAX, maskSource } from "./sourceMask.js";
import { appendAll } from "../appendAll.js";

const RULE = LANGUAGE_RULE_IDS.go;
const IMPORT = /(?:^|[\s(])(?:([A-Za-z_]\w*|\.)\s+)?"([^"\n]*\/(?:communication\/[^"\n]*|armcommunication))"/gm;
const KEY_CONSTRUCTOR =
  /\b(\w+)\s*\.\s*(New\w*(?:FromConnectionString|ConnectionString|HmacAuth|WithKey\w*|KeyCredential|SharedKey\w*))\s*\(/g;
const AZCORE_KEY = /\bazcore\s*\.\s*NewKeyCredential\s*\(/g;
const LIST_KEYS = /\.\s*ListKeys\s*\(/g;

/** Go findings (offsets into `text`). Import paths are read from the unmasked text (they are strings). */
export function goHits(text: string): LanguageHit[] {
  const { code, noComments } = maskSource(text, SYNTAX.go);
  const dataPlane = new Set<string>();
  let management = false;
  for (const m of matches(IMPORT, noComments)) {
    const path = m[2];
    if (path.includes("armcommunication")) management = true;
    else dataPlane.add(m[1] ?? path.split("/").pop() ?? "");
  }
  const out: LanguageHit[] = [];
  if (dataPlane.size > 0) {
    for (const m of matches(KEY_CONSTRUCTOR, code)) {
      if (!dataPlane.has(m[1])) continue;
      out.push({
        ruleId: RULE,
        index: m.index,
        length: m[0].length,
        message: `IM-1: ${m[1]}.${m[2]}(…) authenticates the ACS client with the resource's access key. Use azidentity.NewDefaultAzureCredential(nil) or azidentity.NewClientCertificateCredential(…) and NewClient(endpoint, cred, nil).`,
      });
    }
    for (const m of matches(AZCORE_KEY, code)) {
      out.push({
        ruleId: RULE,
        index: m.index,
        length: m[0].length,
        message:
          "IM-1: azcore.NewKeyCredential(…) in code that calls ACS: the client authenticates with the access key. Use an azidentity credential instead.",
      });
    }
  }
  if (management) {
    appendAll(out, listKeysHits(LIST_KEYS, code, RULE, "armcommunication lists the ACS access keys (ListKeys)"));
  }
  return out;
}
