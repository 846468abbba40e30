/**
 * The text front ends' entry: picks the front end for a file by its extension (or shebang), runs it on the text,
 * and turns its hits into findings over the shared finding model. JavaScript/TypeScript (the ESLint rule) and
 * ARM/Bicep/Terraform (iac/) have their own front ends and are not read here.
 */
import { makeFinding } from "../finding.js";
import type { ScanFinding } from "../finding.js";
import { LineIndex } from "../text/textRules.js";
import type { LanguageHit } from "./acsClients.js";
import { assembledConnectionStringHits } from "./assembledConnectionString.js";
import { csharpHits } from "./csharp.js";
import { goHits } from "./go.js";
import { javaHits } from "./java.js";
import { keyFetchHits } from "./keyFetch.js";
import { LANGUAGE_RULE_IDS } from "./languageRules.js";
import { pythonHits } from "./python.js";
import { SYNTAX, maskSource } from "./sourceMask.js";
import type { SourceSyntax } from "./sourceMask.js";
import { appendAll } from "../appendAll.js";

type Language = "python" | "csharp" | "java" | "go" | "shell" | "yaml" | "powershell";

const EXTENSIONS: Record<string, Language> = {
  py: "python",
  pyw: "python",
  cs: "csharp",
  csx: "csharp",
  java: "java",
  kt: "java",
  kts: "java",
  go: "go",
  sh: "shell",
  bash: "shell",
  zsh: "shell",
  ksh: "shell",
  yml: "yaml",
  yaml: "yaml",
  ps1: "powershell",
  psm1: "powershell",
};
const SHEBANG = /^#!\s*\S*?(?:\/env\s+)?(bash|sh|zsh|ksh|dash|pwsh|python3?)\b/;
/** Front ends of other kinds, and prose: the assembled-connection-string rule does not read them. */
const NOT_ASSEMBLED = /\.(?:[cm]?[jt]sx?|bicep|bicepparam|tf|tf\.json|md|markdown|txt|rst|adoc|html?)$/i;
const FRONT_ENDS: Record<Language, (text: string) => LanguageHit[]> = {
  python: pythonHits,
  csharp: csharpHits,
  java: javaHits,
  go: goHits,
  shell: (text) => keyFetchHits(maskSource(text, SYNTAX.shell).noComments, LANGUAGE_RULE_IDS.shell, "\\"),
  yaml: (text) => keyFetchHits(maskSource(text, SYNTAX.shell).noComments, LANGUAGE_RULE_IDS.shell, "\\", true),
  powershell: (text) => keyFetchHits(maskSource(text, SYNTAX.powershell).noComments, LANGUAGE_RULE_IDS.powershell, "`"),
};

/** The text front end for a file name (and its first line, for extension-less scripts), or undefined. */
export function languageOf(file: string, text: string): Language | undefined {
  const dot = file.lastIndexOf(".");
  const slash = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  if (dot > slash + 1) return EXTENSIONS[file.slice(dot + 1).toLowerCase()];
  const interpreter = SHEBANG.exec(text.slice(0, 200))?.[1];
  if (interpreter === undefined) return undefined;
  return interpreter === "pwsh" ? "powershell" : interpreter.startsWith("python") ? "python" : "shell";
}

/** Findings of the text front ends for one file (an empty list for files none of them reads). */
export function languageFindings(file: string, text: string): ScanFinding[] {
  const language = languageOf(file, text);
  const hits = language === undefined ? [] : FRONT_ENDS[language](text);
  if (!NOT_ASSEMBLED.test(file)) {
    const syntax: SourceSyntax | undefined =
      language === undefined ? undefined : SYNTAX[language === "yaml" ? "shell" : language];
    appendAll(hits, assembledConnectionStringHits(syntax === undefined ? text : maskSource(text, syntax).noComments));
  }
  if (hits.length === 0) return [];
  const index = new LineIndex(text);
  const seen = new Set<string>();
  const out: ScanFinding[] = [];
  for (const hit of hits.sort((a, b) => a.index - b.index)) {
    const key = `${hit.ruleId}@${hit.index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const a = index.at(hit.index);
    const b = index.at(hit.index + hit.length);
    out.push(
      makeFinding(
        hit.ruleId,
        file,
        { line: a.line, column: a.column, endLine: b.line, endColumn: b.column },
        hit.message,
      ),
    );
  }
  return out;
}
