import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/**
 * Starts bench/lib/emulatorProcess.mjs and resolves with its connection details and a stop function.
 *
 * @param {{ estate?: { resources: number, subscriptions: number } }} [options] - `estate`: seed a generated estate
 *   (resources over subscriptions) that the test application may read, for the sweep benchmark
 */
export async function startEmulatorProcess({ estate } = {}) {
  const script = fileURLToPath(new URL("./emulatorProcess.mjs", import.meta.url));
  const seed = estate !== undefined ? [String(estate.resources), String(estate.subscriptions)] : [];
  const child = spawn(process.execPath, [script, ...seed], { stdio: ["pipe", "pipe", "inherit"] });
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
