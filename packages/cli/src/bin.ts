#!/usr/bin/env node
/**
 * The `acs-baseline` executable: checks the Node.js version against package.json's `engines` first, then loads
 * the CLI (a dynamic import, so an older Node gets the message before any module that needs a newer one loads)
 * and wires the process to `runCli` (from `runCli.ts`, not the package entry `main.ts`, whose library exports load
 * the Azure SDKs that only some commands need). It turns on Node.js's module compile cache first, where that is safe
 * (`compileCache.ts`).
 */
import { enableCompileCache } from "./compileCache.js";
import { unsupportedNodeMessage } from "./nodeVersion.js";
import { nodeRequire } from "./scan/nodeRequire.js";

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

enableCompileCache();

// A reader that stops early (`acs-baseline scan . | head`) closes the pipe: the rest of the output is dropped, and
// the command still runs to its end and exits with its own code (a scan that found keys still exits 1).
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

const { engines } = nodeRequire("acs-baseline-cli/package.json") as { engines: { node: string } };
const unsupported = unsupportedNodeMessage(process.versions.node, engines.node);
if (unsupported !== undefined) {
  process.stderr.write(`${unsupported}\n`);
  process.exitCode = 1;
} else {
  void import("./runCli.js").then(async ({ runCli }) => {
    const { escapeForTerminal, println, shouldColour } = await import("./io.js");
    try {
      let stop: Promise<string> | undefined;
      process.exitCode = await runCli(process.argv.slice(2), {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
        cwd: process.cwd(),
        stderrIsTTY: process.stderr.isTTY === true,
        colour: shouldColour(process.env, process.stdout.isTTY === true),
        // Listened for only when a command asks (`emulator`): a SIGINT or SIGTERM listener replaces Node.js's default
        // of ending the process, so listening from the start left every other command (a `readiness` waiting on a
        // stalled Entra, a `sweep --output` blocked on a FIFO) deaf to Ctrl-C and to a CI runner's SIGTERM.
        get stopSignal() {
          return (stop ??= stopSignal());
        },
      });
    } catch (error) {
      // An unexpected error's message may quote outside text (a path, a server's answer): escaped like everything else.
      const message = error instanceof Error ? error.message : String(error);
      println(process.stderr, `acs-baseline: ${escapeForTerminal(message)}`);
      process.exitCode = 1;
    }
  });
}
