import { escapeForTerminal } from "acs-baseline/internal/text";

/** What a CLI command may touch: the only place in acs-baseline that prints or decides exit codes. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** True when stderr is an interactive terminal (progress output is only shown then). */
  stderrIsTTY: boolean;
  /** Colour the output (stdout is a terminal and NO_COLOR is not set: see `shouldColour`). Default false. */
  colour?: boolean;
  /** Resolves when the user asks the command to stop (Ctrl-C / SIGTERM); long-running commands await it. */
  stopSignal?: Promise<string>;
}

/** A command: parses its own arguments, returns the process exit code (0 ok, 1 finding/failure, 2 bad usage). */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

/** Exit code for bad usage (unknown flag, missing argument). */
export const EXIT_USAGE = 2;

/** Writes one line. */
export function println(stream: NodeJS.WritableStream, line = ""): void {
  stream.write(`${line}\n`);
}

/** Terminal-safe text: the runtime's one escaper (control, bidi and format characters become `\\u{…}`). */
export { escapeForTerminal } from "acs-baseline/internal/text";

/**
 * Prints a usage error on stderr and returns {@link EXIT_USAGE}: `acs-baseline <command>: <message>` on one line,
 * escaped for the terminal (the message may quote the user's own arguments, e.g. an unknown flag, so a line break in
 * one is shown as `\\u{000a}`, not obeyed; `util.parseArgs`'s own line breaks become spaces, and the example its
 * unknown-option message ends with, `as in '-- "--bogus"` with an opening quote never closed, becomes
 * `as in: -- "--bogus"`), then, when given, the command's help as written (its own line breaks kept).
 */
export function usageError(io: Pick<CliIo, "stderr">, command: string, message: string, help?: string): number {
  const oneLine = message
    .replace(/\n(?=Did you forget |To specify )/g, " ")
    .replace(/(after '--'), as in '-- ("(?:[^"\\]|\\.)*")'?$/, "$1, as in: -- $2");
  const head = escapeForTerminal(`acs-baseline ${command}: ${oneLine}`);
  println(io.stderr, help === undefined ? head : `${head}\n\n${help}`);
  return EXIT_USAGE;
}

/** What JSON.stringify leaves raw that a terminal may act on: DEL, C1 controls (U+009B is CSI), separators, Cf. */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\p{Cf}]/gu;

/**
 * `value` as indented JSON, safe to print on a terminal and still the same JSON: `JSON.stringify` escapes C0 controls
 * and lone surrogates but writes DEL, the C1 controls, the line separators and the format characters (bidi overrides,
 * zero-width and tag characters) raw; each is written as its `\\uXXXX` escape (they occur only inside strings), so
 * the document parses to the same value.
 */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (c) =>
    Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""),
  );
}

const STYLES = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;

/**
 * Whether to colour output: only when stdout is a terminal, `NO_COLOR` is unset or empty (https://no-color.org) and
 * `TERM` is not `dumb`. `FORCE_COLOR` (non-empty, not `0`) turns it on for a non-terminal.
 */
export function shouldColour(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return isTTY && env.TERM !== "dumb";
}

/** Wraps `text` in an ANSI style when the command's output is coloured (see `shouldColour`). */
export function paint(io: Pick<CliIo, "colour">, style: keyof typeof STYLES, text: string): string {
  return io.colour === true ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text;
}
