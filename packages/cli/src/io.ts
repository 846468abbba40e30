/** What a CLI command may touch: the only place in acs-baseline that prints or decides exit codes. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** True when stderr is an interactive terminal (progress output is only shown then). */
  stderrIsTTY: boolean;
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
