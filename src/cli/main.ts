/**
 * `acs-baseline` command-line entry point: dispatches to one file per command. Each command is a thin shell over
 * library functions that tests call directly.
 */
import type { CliCommand, CliIo } from "./io.js";
import { EXIT_USAGE, println } from "./io.js";

const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  scan: {
    summary: "find key-based ACS authentication and connection strings in source and config files",
    load: async () => (await import("./scanCommand.js")).scanCommand,
  },
  doctor: {
    summary: "check the configuration exactly as AcsClientFactory.fromEnvironment() reads it",
    load: async () => (await import("./doctorCommand.js")).doctorCommand,
  },
  posture: {
    summary: "check the live ACS resource's posture (local auth, key access, roles, resource logs) through ARM, read only",
    load: async () => (await import("./postureCommand.js")).postureCommand,
  },
  report: {
    summary: "print the baseline control map (which control is enforced where, and which test proves it)",
    load: async () => (await import("./reportCommand.js")).reportCommand,
  },
  "verify-log": {
    summary: "verify the hash chain of an audit log file",
    load: async () => (await import("./verifyLogCommand.js")).verifyLogCommand,
  },
  emulator: {
    summary: "start the local Entra ID + ACS emulator and print the environment for another shell",
    load: async () => (await import("./emulatorCommand.js")).emulatorCommand,
  },
};

function usage(): string {
  const lines = ["Usage: acs-baseline <command> [options]", "", "Commands:"];
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${summary}`);
  lines.push("", "Run `acs-baseline <command> --help` for a command's options.");
  return lines.join("\n");
}

/** Runs the CLI with `argv` (without the node and script paths) and returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    println(name === undefined ? io.stderr : io.stdout, usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    println(io.stderr, `acs-baseline: unknown command "${name}"\n\n${usage()}`);
    return EXIT_USAGE;
  }
  return (await command.load())(rest, io);
}
