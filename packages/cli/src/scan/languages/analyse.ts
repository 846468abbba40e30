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
import { MAX_NOTEBOOK_CHARS, notebookPrograms } from "./notebookCells.js";

type Language = "python" | "csharp" | "java" | "go" | "shell" | "yaml" | "powershell";

/** Extensions (lower case) → front end: a `Map`, so no file name reaches an object's inherited properties. */
const EXTENSIONS: ReadonlyMap<string, Language> = new Map([
  ["py", "python"],
  ["pyw", "python"],
  ["cs", "csharp"],
  ["csx", "csharp"],
  ["java", "java"],
  ["kt", "java"],
  ["kts", "java"],
  ["go", "go"],
  ["sh", "shell"],
  ["bash", "shell"],
  ["zsh", "shell"],
  ["ksh", "shell"],
  ["yml", "yaml"],
  ["yaml", "yaml"],
  ["ps1", "powershell"],
  ["psm1", "powershell"],
]);
/** Jupyter notebooks: their code cells are read by their language's front end (see `notebookCells.ts`). */
const NOTEBOOK = /\.ipynb$/i;
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
  if (dot > slash + 1) return EXTENSIONS.get(file.slice(dot + 1).toLowerCase());
  const interpreter = SHEBANG.exec(text.slice(0, 200))?.[1];
  if (interpreter === undefined) return undefined;
  return interpreter === "pwsh" ? "powershell" : interpreter.startsWith("python") ? "python" : "shell";
}

/** The hits of the front end for `language` (none for undefined) and, unless `file` is excluded, assembled strings. */
function languageHits(file: string, text: string, language: Language | undefined): LanguageHit[] {
  const hits = language === undefined ? [] : FRONT_ENDS[language](text);
  if (!NOT_ASSEMBLED.test(file)) {
    const syntax: SourceSyntax | undefined =
      language === undefined ? undefined : SYNTAX[language === "yaml" ? "shell" : language];
    appendAll(hits, assembledConnectionStringHits(syntax === undefined ? text : maskSource(text, syntax).noComments));
  }
  return hits;
}

/** Findings for `hits`, each once, placed by `index` at the offsets `at` maps each hit's offsets to. */
function hitFindings(
  file: string,
  index: LineIndex,
  hits: LanguageHit[],
  at: (offset: number) => number,
): ScanFinding[] {
  const seen = new Set<string>();
  const out: ScanFinding[] = [];
  for (const hit of hits.sort((a, b) => a.index - b.index)) {
    const key = `${hit.ruleId}@${hit.index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const a = index.at(at(hit.index));
    const b = index.at(at(hit.index + Math.max(0, hit.length - 1)) + (hit.length > 0 ? 1 : 0));
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

/**
 * A notebook's code cells read by the front end of their language, as a file of that language would be, each finding
 * placed at the notebook's own line and column of the JSON string the code came from. A notebook that is not JSON
 * gets a parse-error finding (its text rules still run).
 */
function notebookFindings(file: string, text: string): ScanFinding[] {
  const read = notebookPrograms(text);
  if ("tooLarge" in read || "error" in read) {
    const why = "error" in read ? read.error : `larger than ${MAX_NOTEBOOK_CHARS} characters`;
    const message = `The notebook could not be read (${why}); only its text was searched.`;
    return [makeFinding("acs-baseline/parse-error", file, "at" in read ? read.at : { line: 1, column: 1 }, message)];
  }
  const index = new LineIndex(text);
  return read.programs.flatMap(({ language, code, offsets }) =>
    hitFindings(file, index, languageHits(file, code, language), (o) => offsets[Math.min(o, offsets.length - 1)] ?? 0),
  );
}

/**
 * Findings of the text front ends for one file (an empty list for files none of them reads); a parse-error finding
 * when a front end throws.
 */
export function languageFindings(file: string, text: string): ScanFinding[] {
  try {
    if (NOTEBOOK.test(file)) return notebookFindings(file, text);
    const hits = languageHits(file, text, languageOf(file, text));
    return hits.length === 0 ? [] : hitFindings(file, new LineIndex(text), hits, (o) => o);
  } catch {
    // One file's failure is its own parse-error finding (its text rules still ran), never the scan's end.
    const message = "The file could not be analysed (the analyser failed); only its text was searched.";
    return [makeFinding("acs-baseline/parse-error", file, { line: 1, column: 1 }, message)];
  }
}
