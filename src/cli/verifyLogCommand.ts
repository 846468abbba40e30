import type { CliCommand } from "./io.js";
import { EXIT_USAGE, println } from "./io.js";
/** Placeholder until implemented. */
export const verifyLogCommand: CliCommand = (_args, io) => {
  println(io.stderr, "acs-baseline verify-log: not implemented yet");
  return Promise.resolve(EXIT_USAGE);
};
