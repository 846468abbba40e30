// One process of bench/attribution.mjs: raw clients, the factory (audit on, chained, signed), the factory with
// timeoutMs 0 and without audit, and one factory per patched copy of this build (argv[2] JSON: rounds, batch,
// warmup, concurrency, seed, variants: name → entry). Prints CPU µs per request per round, by client name.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AcsClientFactory } from "acs-baseline";
import { emulatorFactoryOptions } from "acs-baseline-emulator";
import { ARMS } from "./profileArm.mjs";
import { cpuRounds } from "./cpuRounds.mjs";
import { signedAudit, signingKeyFile } from "./signingKey.mjs";
import { startEmulatorProcess } from "./startEmulatorProcess.mjs";

const { rounds, batch, warmup, concurrency, seed, variants, withoutFactory } = JSON.parse(process.argv[2]);
const emu = await startEmulatorProcess();
const dir = mkdtempSync(join(tmpdir(), "acs-attribution-"));
const key = signingKeyFile();
const tls = { tlsOptions: { ca: emu.caCertificatePem } };
let n = 0;
const signed = () => signedAudit(join(dir, `audit-${n++}.log`), key.path);
const factories = [];
const open = (Factory, extra) => {
  const f = new Factory(emulatorFactoryOptions(emu, emu, { clientOptions: tls, ...extra }));
  factories.push(f);
  return f.createSmsClient();
};
const subjects = [
  { name: "raw", client: ARMS.raw(emu, tls) },
  { name: "raw-2", client: ARMS.raw(emu, tls) },
];
if (withoutFactory !== true) {
  subjects.push(
    { name: "factory", client: open(AcsClientFactory, { audit: signed() }) },
    { name: "factory, timeoutMs 0", client: open(AcsClientFactory, { audit: signed(), timeoutMs: 0 }) },
    { name: "factory, no audit", client: open(AcsClientFactory, {}) },
  );
}
for (const [name, entry] of Object.entries(variants)) {
  const { AcsClientFactory: Variant } = await import(pathToFileURL(entry).href);
  subjects.push({ name, client: open(Variant, { audit: signed() }) });
}
try {
  const { cpu } = await cpuRounds(subjects, { rounds, batch, warmup, concurrency, seed });
  process.stdout.write(JSON.stringify({ names: subjects.map((s) => s.name), cpu }));
} finally {
  for (const f of factories) await f.close();
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
  key.remove();
}
