#!/usr/bin/env node
/** The `acs-baseline` executable: wires the process to {@link runCli}. */
import { println, shouldColour } from "./io.js";
import { runCli } from "./main.js";

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stderrIsTTY: process.stderr.isTTY === true,
  colour: shouldColour(process.env, process.stdout.isTTY === true),
  stopSignal: stopSignal(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    println(process.stderr, `acs-baseline: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
