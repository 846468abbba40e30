import { verifyLogCommand } from "../../packages/cli/src/commands/verifyLog.js";
import { runCaptured } from "./captureOutput.js";

/** `acs-baseline verify-log <args>` run in `cwd` with an empty environment and stderr not a terminal. */
export function verifyLogCli(args: string[], cwd: string): ReturnType<typeof runCaptured> {
  return runCaptured((io) => verifyLogCommand(args, { ...io, env: {}, cwd, stderrIsTTY: false }));
}
