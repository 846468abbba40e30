import type { CliCommand } from "./io.js";
import { EXIT_USAGE, println } from "./io.js";
/** Placeholder until implemented. */
export const reportCommand: CliCommand = (_args, io) => {
  println(io.stderr, "acs-baseline report: not implemented yet");
  return Promise.resolve(EXIT_USAGE);
};
