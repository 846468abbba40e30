import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** Starts bench/lib/emulatorProcess.mjs and resolves with its connection details and a stop function. */
export async function startEmulatorProcess() {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./emulatorProcess.mjs", import.meta.url))], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  return {
    ...JSON.parse(first),
    async stop() {
      child.stdin.end();
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
