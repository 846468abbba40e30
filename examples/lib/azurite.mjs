// Azurite (the official Azure Storage emulator, npm `azurite`, a dev dependency) for the demo and the benchmarks, as
// test/audit/helpers/azurite.ts starts it for the tests: its blob service only, a child process on 127.0.0.1 with an
// ephemeral port, HTTPS with a generated certificate, --oauth basic (a Bearer token is required: the same Entra-only
// rule as Azure), a temporary folder, telemetry off (Azurite's default is on), loose mode off, a clean environment.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServerTls } from "../../packages/emulator/dist/esm/certificates.js";

const require = createRequire(import.meta.url);

export async function startAzurite() {
  const dir = mkdtempSync(join(tmpdir(), "acs-azurite-"));
  const tls = await createServerTls();
  writeFileSync(join(dir, "cert.pem"), `${tls.serverCertificatePem.trimEnd()}\n${tls.caCertificatePem.trimEnd()}\n`);
  writeFileSync(join(dir, "key.pem"), tls.serverKeyPem, { mode: 0o600 });
  const args = [
    require.resolve("azurite/dist/src/blob/main.js"),
    ...["--blobHost", "127.0.0.1", "--blobPort", "0", "--location", join(dir, "data"), "--oauth", "basic"],
    ...[
      "--cert",
      join(dir, "cert.pem"),
      "--key",
      join(dir, "key.pem"),
      "--disableTelemetry",
      "--skipApiVersionCheck",
      "--silent",
    ],
  ];
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk) => {
      out += chunk.toString();
      const m = /successfully listens on https:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`Azurite exited with ${code}: ${out.slice(-300)}`)));
  });
  // If the caller dies first (an exception), Azurite must not outlive it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  return {
    accountUrl: `https://127.0.0.1:${port}/devstoreaccount1`,
    caCertificatePem: tls.caCertificatePem,
    async stop() {
      process.removeListener("exit", killOnExit);
      await new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill("SIGTERM");
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
