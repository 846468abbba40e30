/**
 * {@link runCli}: dispatches to one file per command, each loaded only when it runs, so that a command (`scan` most of
 * all) loads nothing of the others (the estate commands' Azure SDKs take longer to load than a small scan takes).
 */
import type { CliCommand, CliIo } from "./io.js";
import { EXIT_USAGE, escapeForTerminal, println } from "./io.js";
import { CLI_VERSION } from "./version.js";

const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  scan: {
    summary: "find key-based ACS authentication and connection strings in source and config files",
    load: async () => (await import("./commands/scan.js")).scanCommand,
  },
  doctor: {
    summary: "check the configuration exactly as AcsClientFactory.fromEnvironment() reads it",
    load: async () => (await import("./commands/doctor.js")).doctorCommand,
  },
  posture: {
    summary:
      "check the live ACS resource's posture (local auth, key access, roles, resource logs) through ARM, read only",
    load: async () => (await import("./commands/posture.js")).postureCommand,
  },
  report: {
    summary: "print the baseline control map (which control is enforced where, and which test proves it)",
    load: async () => (await import("./commands/report.js")).reportCommand,
  },
  "verify-log": {
    summary: "verify audit log files (chain, canonical bytes, signed checkpoints, anchor)",
    load: async () => (await import("./commands/verifyLog.js")).verifyLogCommand,
  },
  sweep: {
    summary: "sweep every ACS resource through Azure Resource Graph: local auth, Azure Policy, key readers (read only)",
    load: async () => (await import("./commands/sweep.js")).sweepCommand,
  },
  readiness: {
    summary: "tell from the Activity Log who still lists or regenerates keys before local auth is switched off",
    load: async () => (await import("./commands/readiness.js")).readinessCommand,
  },
  emulator: {
    summary: "start the local Entra ID + ACS + ARM emulator and print the environment for another shell",
    load: async () => (await import("./commands/emulator.js")).emulatorCommand,
  },
};

function usage(): string {
  const lines = ["Usage: acs-baseline <command> [options]", "", "Commands:"];
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${summary}`);
  lines.push(
    "",
    "Options:",
    "  -h, --help     show this help (`acs-baseline <command> --help` or `acs-baseline help <command>` for a command)",
    "  -v, --version  print the version",
    "",
    "Exit codes: 0 ok, 1 findings or failures, 2 bad usage or configuration.",
  );
  return lines.join("\n");
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two short strings. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
    }
  }
  return d[a.length][b.length];
}

/** The command a mistyped name most likely meant: a unique prefix, or the nearest name within 2 edits. */
export function suggestCommand(name: string): string | undefined {
  const names = Object.keys(COMMANDS);
  const lower = name.toLowerCase();
  const prefixed = names.filter((n) => lower.length >= 2 && n.startsWith(lower));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = 3;
  for (const n of names) {
    const dist = distance(lower, n);
    if (dist < bestDistance) [best, bestDistance] = [n, dist];
  }
  return best;
}

/** Runs the CLI with `argv` (without the node and script paths) and returns the exit code. @public */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v" || name === "version") {
    println(io.stdout, CLI_VERSION);
    return 0;
  }
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    // `help <command>` is that command's --help; `help <typo>` is an unknown command (exit 2), not the general help.
    if (topic !== undefined)
      return Object.hasOwn(COMMANDS, topic)
        ? COMMANDS[topic].load().then((c) => c(["--help"], io))
        : unknownCommand(topic, io);
    println(name === undefined ? io.stderr : io.stdout, usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) return unknownCommand(name, io);
  return (await command.load())(rest, io);
}

/** The usage error for a command name that is not one, with the nearest command as a suggestion. */
function unknownCommand(name: string, io: CliIo): number {
  const suggestion = suggestCommand(name);
  const hint = suggestion === undefined ? "" : ` Did you mean "${suggestion}"?`;
  println(io.stderr, `acs-baseline: unknown command "${escapeForTerminal(name)}".${hint}\n\n${usage()}`);
  return EXIT_USAGE;
}
