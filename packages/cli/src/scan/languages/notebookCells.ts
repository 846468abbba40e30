/**
 * The code cells of a Jupyter notebook (`.ipynb`, nbformat 4: JSON), read with the scan's JSON parser, as one program
 * per cell language, with each character's offset in the notebook's text, so the text front ends can read a notebook's
 * code as they read a `.py` file and findings point into the `.ipynb`.
 */
import { JsonSyntaxError, parseJsonTree } from "../iac/armJson.js";
import type { JsonTree } from "../iac/armJson.js";
import { entryOf } from "../iac/armSinks.js";
import type { IacPosition } from "../iac/model.js";

/** The languages a notebook's cells are read as (the text front ends' names). */
export type NotebookLanguage = "python" | "csharp" | "java" | "go" | "shell" | "powershell";

/** The code of one language's cells, joined (each cell ends with a line break), and where each character came from. */
export interface NotebookProgram {
  language: NotebookLanguage;
  code: string;
  /** `offsets[i]`: the offset in the notebook's text of `code[i]` (its escape's `\` when written as one). */
  offsets: number[];
}

/** Most characters of a notebook read as one: the scan's default `--max-file-size` (2 MiB). */
export const MAX_NOTEBOOK_CHARS = 2 * 1024 * 1024;

/**
 * Kernel and cell language names (lower case) → front end; a name not here is not read. A `Map`: a notebook names any
 * string it likes (`constructor`, `__proto__`), and none of them may reach an object's inherited properties.
 */
const LANGUAGES: ReadonlyMap<string, NotebookLanguage> = new Map([
  ["python", "python"],
  ["python3", "python"],
  ["ipython", "python"],
  ["c#", "csharp"],
  ["csharp", "csharp"],
  ["java", "java"],
  ["kotlin", "java"],
  ["go", "go"],
  ["bash", "shell"],
  ["sh", "shell"],
  ["shell", "shell"],
  ["powershell", "powershell"],
  ["pwsh", "powershell"],
]);

const leafString = (tree: JsonTree | undefined): string | undefined =>
  tree?.kind === "leaf" && typeof tree.expr === "string" ? tree.expr : undefined;

/** A language named at `path` (object keys) under `tree`, lower case, or undefined. */
function named(tree: JsonTree | undefined, ...path: string[]): string | undefined {
  let at = tree;
  for (const key of path) at = entryOf(at, key);
  return leafString(at)?.toLowerCase();
}

/** The notebook's own language: its kernel's, else its `language_info`'s; Python when it names none. */
function notebookLanguage(root: JsonTree): string {
  const metadata = entryOf(root, "metadata");
  return named(metadata, "kernelspec", "language") ?? named(metadata, "language_info", "name") ?? "python";
}

/** A cell's own language (VS Code, Polyglot and .NET Interactive notebooks name it per cell), or undefined. */
function cellLanguage(cell: JsonTree): string | undefined {
  const metadata = entryOf(cell, "metadata");
  return (
    named(metadata, "vscode", "languageId") ??
    named(metadata, "polyglot_notebook", "kernelName") ??
    named(metadata, "dotnet_interactive", "language")
  );
}

/**
 * Decodes the JSON string whose opening quote is at `quote` in `text`, with each decoded character's offset; undefined
 * when no string starts there.
 */
function decodeAt(text: string, quote: number): { value: string; offsets: number[] } | undefined {
  if (text[quote] !== '"') return undefined;
  const chars: string[] = [];
  const offsets: number[] = [];
  const SIMPLE: Record<string, string> = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    b: "\b",
    f: "\f",
    n: "\n",
    r: "\r",
    t: "\t",
  };
  for (let i = quote + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return { value: chars.join(""), offsets };
    offsets.push(i);
    if (c !== "\\") chars.push(c);
    else if (text[i + 1] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      chars.push(String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)));
      i += 5;
    } else {
      const simple = SIMPLE[text[i + 1] ?? ""];
      if (simple === undefined) return undefined;
      chars.push(simple);
      i++;
    }
  }
  return undefined;
}

/** Offsets of each line's start in `text`, to turn the parser's positions into offsets. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** The source strings of a cell (`source` is a string or a list of strings), as positioned leaves. */
function sourceLeaves(cell: JsonTree): { expr: string; at: IacPosition }[] {
  const source = entryOf(cell, "source");
  const leaves = source?.kind === "array" ? source.items : source === undefined ? [] : [source];
  return leaves.flatMap((l) => (l.kind === "leaf" && typeof l.expr === "string" ? [{ expr: l.expr, at: l.at }] : []));
}

/** A cell's code and where each character came from (see {@link NotebookProgram}). */
interface CellCode {
  code: string;
  offsets: number[];
}

/** The decoded source of `cell`, each character's offset in `text` (`starts`: its line starts), ending with a line break. */
function cellCode(text: string, starts: number[], cell: JsonTree): CellCode {
  const chars: string[] = [];
  const offsets: number[] = [];
  let last = 0;
  for (const leaf of sourceLeaves(cell)) {
    const decoded = decodeAt(text, (starts[leaf.at.line - 1] ?? 0) + leaf.at.column - 1);
    if (decoded === undefined || decoded.value !== leaf.expr) continue;
    chars.push(decoded.value);
    for (const o of decoded.offsets) offsets.push(o);
    last = decoded.offsets.at(-1) ?? last;
  }
  // A cell ends its last line: the next cell's first line is a line of its own.
  chars.push("\n");
  offsets.push(last);
  return { code: chars.join(""), offsets };
}

/** IPython's cell magics that run the cell as a shell script (`%%bash`, `%%sh`, `%%script bash`), on its first line. */
const SHELL_CELL = /^[ \t]*%%(?:bash|sh|script[ \t]+(?:bash|sh|zsh|ksh|dash))\b[^\n]*/;
/** IPython's shell escape: a line `!command` (`!az communication list-key …`), its `!` and what precedes it. */
const SHELL_LINE = /^[ \t]*!(?!=)/gm;

/**
 * A Python cell's code split by what runs it: a `%%bash` cell is shell (its magic line blanked), and each `!` line of
 * another is shell too (its `!` blanked), blanked to spaces in the Python code; positions are kept.
 */
function ipythonShell(cell: CellCode): { python?: CellCode; shell?: CellCode } {
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  const magic = SHELL_CELL.exec(cell.code);
  if (magic !== null)
    return { shell: { code: blank(magic[0]) + cell.code.slice(magic[0].length), offsets: cell.offsets } };
  const python: string[] = [];
  const shell: string[] = [];
  let at = 0; // what is before `at` is in both lists
  for (const m of cell.code.matchAll(SHELL_LINE)) {
    const end = cell.code.indexOf("\n", m.index);
    const before = cell.code.slice(at, m.index);
    const line = cell.code.slice(m.index + m[0].length, end);
    python.push(before, blank(m[0]), blank(line));
    shell.push(blank(before), blank(m[0]), line);
    at = end;
  }
  if (at === 0) return { python: cell };
  python.push(cell.code.slice(at));
  shell.push(blank(cell.code.slice(at)));
  return {
    python: { code: python.join(""), offsets: cell.offsets },
    shell: { code: shell.join(""), offsets: cell.offsets },
  };
}

/**
 * The code cells of notebook `text`, one program per language (a Python cell's shell, `%%bash` cells and `!` lines,
 * read as shell); `{ error }` when the text is not JSON (the parser's message: fixed words and a position),
 * `{ tooLarge }` over {@link MAX_NOTEBOOK_CHARS}.
 */
export function notebookPrograms(
  text: string,
): { programs: NotebookProgram[] } | { error: string; at: IacPosition } | { tooLarge: true } {
  if (text.length > MAX_NOTEBOOK_CHARS) return { tooLarge: true };
  let root: JsonTree;
  try {
    root = parseJsonTree(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { error: error.message.slice(0, 160), at: error.at };
    return { error: "nested too deep to read", at: { line: 1, column: 1 } };
  }
  const cells = entryOf(root, "cells");
  const byLanguage = new Map<NotebookLanguage, { chars: string[]; offsets: number[] }>();
  const add = (language: NotebookLanguage, cell: CellCode) => {
    const program = byLanguage.get(language) ?? { chars: [], offsets: [] };
    byLanguage.set(language, program);
    program.chars.push(cell.code);
    for (const o of cell.offsets) program.offsets.push(o);
  };
  const starts = lineStarts(text);
  const fallback = notebookLanguage(root);
  for (const cell of cells?.kind === "array" ? cells.items : []) {
    if (named(cell, "cell_type") !== "code") continue;
    const language = LANGUAGES.get(cellLanguage(cell) ?? fallback);
    if (language === undefined) continue;
    const code = cellCode(text, starts, cell);
    if (language !== "python") add(language, code);
    else {
      const { python, shell } = ipythonShell(code);
      if (python !== undefined) add("python", python);
      if (shell !== undefined) add("shell", shell);
    }
  }
  return {
    programs: [...byLanguage].map(([language, p]) => ({ language, code: p.chars.join(""), offsets: p.offsets })),
  };
}
