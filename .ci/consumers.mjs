// Packs every workspace package and installs the tarballs into fresh consumer projects, as users would:
//   1. the runtime budget: `npm install --omit=dev acs-baseline` against the raw SDK set (at most 3 more packages,
//      none of the tools' dependencies);
//   2. ESM and CommonJS consumers: the refusal works and createSmsClient() returns the app's own SmsClient;
//   3. TypeScript consumers with node16, nodenext and bundler resolution;
//   4. the ESLint plugin with ESLint 9 and with ESLint 10, on .js and .ts files, from eslint.config.js and .cjs;
//   5. the CLI through npx from the tarballs, in a directory with no package.json.
// Any regression exits 1. Writes the measured numbers to .ci/.consumers.json (bench/RESULTS.md quotes them).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inventory, RAW_SDK_SET } from "../bench/lib/installInventory.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const TOOLS_ONLY = [
  /^eslint$/,
  /^@eslint\//,
  /^typescript$/,
  /^@typescript-eslint\//,
  /^jose$/,
  /^selfsigned$/,
  /^ignore$/,
  /^@azure\/arm-/,
  /^@azure\/storage-blob$/,
  /^azurite$/,
  /^acs-baseline-(cli|emulator)$/,
  /^eslint-plugin-acs-baseline$/,
  /^oxc-parser$/,
  /^@oxc-parser\//,
  /^@oxc-project\//,
];
const MAX_EXTRA_PACKAGES = 3;

const work = mkdtempSync(join(tmpdir(), "acs-baseline-consumers-"));
const failures = [];
const results = {};
const quiet = {
  npm_config_fund: "false",
  npm_config_audit: "false",
  npm_config_update_notifier: "false",
  npm_config_loglevel: "error",
};

function step(title) {
  console.log(`\n--- ${title}`);
}
function check(ok, message) {
  console.log(`${ok ? "ok  " : "FAIL"} ${message}`);
  if (!ok) failures.push(message);
}
function sh(cmd, args, cwd, options = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...quiet, ...options.env },
    timeout: 600_000,
  });
  if (options.allowFail !== true && r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}
function project(name, pkg = {}) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `consumer-${name}`, version: "1.0.0", private: true, ...pkg }, null, 2),
  );
  return dir;
}
try {
  step("pack every workspace package");
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--workspaces", "--json", "--pack-destination", work], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, ...quiet },
    }),
  );
  const tgz = Object.fromEntries(packed.map((p) => [p.name, join(work, p.filename)]));
  for (const p of packed)
    console.log(`${p.name}@${p.version}: ${p.files.length} files, ${(p.unpackedSize / 1024).toFixed(0)} KiB unpacked`);
  const rootVersion = JSON.parse(readFileSync(join(ROOT, "packages/acs-baseline/package.json"), "utf8")).version;

  step("1. runtime budget: npm install --omit=dev acs-baseline, against the raw SDK set");
  const raw = project("raw");
  sh("npm", ["install", "--omit=dev", "--no-package-lock", ...RAW_SDK_SET], raw);
  const ours = project("runtime-esm", { type: "module" });
  sh("npm", ["install", "--omit=dev", tgz["acs-baseline"]], ours);
  const rawInv = inventory(raw);
  const ourInv = inventory(ours);
  const extra = [...ourInv.names.keys()].filter((n) => !rawInv.names.has(n));
  results.install = {
    raw: { packages: rawInv.packages, megabytes: +(rawInv.bytes / 1e6).toFixed(1) },
    acsBaseline: { packages: ourInv.packages, megabytes: +(ourInv.bytes / 1e6).toFixed(1) },
    extraPackages: extra,
  };
  console.log(JSON.stringify(results.install));
  check(
    extra.length <= MAX_EXTRA_PACKAGES,
    `at most ${MAX_EXTRA_PACKAGES} packages beyond the raw SDK set (got ${extra.length}: ${extra.join(", ")})`,
  );
  const leaked = [...ourInv.names.keys()].filter((n) => TOOLS_ONLY.some((re) => re.test(n)));
  check(leaked.length === 0, `no tool dependency in the runtime install (found: ${leaked.join(", ") || "none"})`);
  for (const n of ["@azure/communication-sms", "@azure/identity"])
    check((ourInv.names.get(n) ?? 0) === 1, `one copy of ${n}`);

  step("2. ESM and CommonJS consumers");
  const probe = (kind) => `
const CS = "endpoint=https://contoso.communication.azure.com/;accesskey=" + "a2V5".repeat(22);
let code = "none";
try { new AcsClientFactory({ endpoint: "https://contoso.communication.azure.com", credential: CS }); } catch (e) { code = e.code; }
if (code !== "KEY_CREDENTIAL_REFUSED" && code !== "CONNECTION_STRING_REFUSED") { console.error("${kind}: refusal", code); process.exit(1); }
const factory = new AcsClientFactory({ endpoint: "https://contoso.communication.azure.com", credential: { getToken: async () => null } });
if (!(factory.createSmsClient() instanceof SmsClient)) { console.error("${kind}: not the app's SmsClient"); process.exit(1); }
if (!(factory.createIdentityClient() instanceof CommunicationIdentityClient)) { console.error("${kind}: not the app's identity client"); process.exit(1); }
console.log("${kind} ok");`;
  writeFileSync(
    join(ours, "esm.mjs"),
    `import { AcsClientFactory } from "acs-baseline";\nimport { SmsClient } from "@azure/communication-sms";\nimport { CommunicationIdentityClient } from "@azure/communication-identity";\n${probe("esm")}\nawait factory.close();`,
  );
  writeFileSync(
    join(ours, "cjs.cjs"),
    `const { AcsClientFactory } = require("acs-baseline");\nconst { SmsClient } = require("@azure/communication-sms");\nconst { CommunicationIdentityClient } = require("@azure/communication-identity");\n${probe("cjs")}\nfactory.close();`,
  );
  for (const file of ["esm.mjs", "cjs.cjs"]) {
    const r = sh(process.execPath, [file], ours, { allowFail: true });
    check(r.status === 0, `${file}: ${(r.stdout + r.stderr).trim().split("\n").pop()}`);
  }

  step("3. TypeScript consumers (node16, nodenext, bundler)");
  writeFileSync(
    join(ours, "app.ts"),
    `import { AcsClientFactory, BaselineViolationError, type AcsClientFactoryOptions } from "acs-baseline";
import { SmsClient } from "@azure/communication-sms";
import { CommunicationIdentityClient } from "@azure/communication-identity";
const options: AcsClientFactoryOptions = { endpoint: "https://contoso.communication.azure.com", tenantId: "t", clientId: "c", certificate: { path: "cert.pem" } };
const factory = new AcsClientFactory(options);
const sms: SmsClient = factory.createSmsClient();
const identity: CommunicationIdentityClient = factory.createIdentityClient();
export const used = [sms, identity, BaselineViolationError];
`,
  );
  const tsVariants = {
    node16: { module: "node16", moduleResolution: "node16" },
    nodenext: { module: "nodenext", moduleResolution: "nodenext" },
    bundler: { module: "esnext", moduleResolution: "bundler" },
  };
  for (const [name, opts] of Object.entries(tsVariants)) {
    const cfg = join(ours, `tsconfig.${name}.json`);
    writeFileSync(
      cfg,
      JSON.stringify({
        compilerOptions: {
          ...opts,
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [join(ROOT, "node_modules/@types")],
          types: ["node"],
        },
        files: ["app.ts"],
      }),
    );
    const r = sh(process.execPath, [TSC, "-p", cfg], ours, { allowFail: true });
    check(r.status === 0, `tsc ${name}${r.status === 0 ? "" : `:\n${r.stdout}${r.stderr}`}`);
  }
  const cjsProject = project("runtime-cjs");
  sh("npm", ["install", "--omit=dev", tgz["acs-baseline"]], cjsProject);
  writeFileSync(join(cjsProject, "app.cts"), readFileSync(join(ours, "app.ts"), "utf8"));
  writeFileSync(
    join(cjsProject, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "node16",
        moduleResolution: "node16",
        target: "es2022",
        strict: true,
        noEmit: true,
        typeRoots: [join(ROOT, "node_modules/@types")],
        types: ["node"],
      },
      files: ["app.cts"],
    }),
  );
  const rc = sh(process.execPath, [TSC, "-p", "tsconfig.json"], cjsProject, { allowFail: true });
  // Errors inside another package's own declaration files (e.g. @azure/msal-node's CommonJS types importing its ES
  // module types under node16) are upstream's: an app without acs-baseline gets them too. They are printed, and only
  // errors in acs-baseline's declarations or in the app fail the check.
  const diagnostics = `${rc.stdout}${rc.stderr}`.split("\n").filter((l) => /^\S.*\(\d+,\d+\): error /.test(l));
  const upstream = diagnostics.filter(
    (l) => l.startsWith("node_modules/") && !l.startsWith("node_modules/acs-baseline/"),
  );
  const ourErrors = diagnostics.filter((l) => !upstream.includes(l));
  if (upstream.length > 0)
    console.log(
      `note tsc node16 from a CommonJS project: upstream type errors, not acs-baseline's:\n${upstream.join("\n")}`,
    );
  check(
    rc.status === 0 || (ourErrors.length === 0 && diagnostics.length > 0),
    `tsc node16 from a CommonJS project${ourErrors.length === 0 ? "" : `:\n${ourErrors.join("\n")}`}`,
  );

  step("4. ESLint plugin with ESLint 9 and ESLint 10");
  const bad = `import { SmsClient } from "@azure/communication-sms";\nexport const c = new SmsClient("endpoint=https://contoso.communication.azure.com/;accesskey=" + process.env.K);\nexport const d = new SmsClient(process.env.ACS_CONNECTION_STRING);\n`;
  const badTs = bad.replace("export const d =", "export const d: SmsClient =");
  const good = `import { DefaultAzureCredential } from "@azure/identity";\nimport { SmsClient } from "@azure/communication-sms";\nexport const c: SmsClient = new SmsClient("https://contoso.communication.azure.com", new DefaultAzureCredential());\n`;
  results.eslint = {};
  for (const major of [9, 10]) {
    const dir = project(`eslint${major}`, { type: "module" });
    sh(
      "npm",
      ["install", "--no-package-lock", `eslint@${major}`, tgz["eslint-plugin-acs-baseline"], tgz["acs-baseline"]],
      dir,
    );
    writeFileSync(
      join(dir, "eslint.config.mjs"),
      `import acsBaseline from "eslint-plugin-acs-baseline";\nexport default [acsBaseline.configs.recommended];\n`,
    );
    writeFileSync(
      join(dir, "eslint.config.cjs"),
      `const acsBaseline = require("eslint-plugin-acs-baseline");\nmodule.exports = [acsBaseline.configs.recommended];\n`,
    );
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src/bad.js"), bad);
    writeFileSync(join(dir, "src/bad.ts"), badTs);
    writeFileSync(join(dir, "src/good.ts"), good);
    const version = JSON.parse(readFileSync(join(dir, "node_modules/eslint/package.json"), "utf8")).version;
    for (const config of ["eslint.config.mjs", "eslint.config.cjs"]) {
      const r = sh(
        process.execPath,
        [join(dir, "node_modules/eslint/bin/eslint.js"), "--config", config, "src", "--format", "json"],
        dir,
        { allowFail: true },
      );
      let report = [];
      try {
        report = JSON.parse(r.stdout);
      } catch {
        /* checked below */
      }
      const byFile = Object.fromEntries(
        report.map((f) => [f.filePath.split("/").pop(), f.messages.map((m) => m.ruleId)]),
      );
      const ours = (file) => byFile[file]?.filter((id) => id === "acs-baseline/no-key-auth").length ?? 0;
      const ok =
        r.status === 1 &&
        ours("bad.js") >= 2 &&
        ours("bad.ts") >= 2 &&
        byFile["bad.ts"].length === ours("bad.ts") &&
        byFile["good.ts"]?.length === 0;
      results.eslint[`${version} ${config}`] = ok;
      check(
        ok,
        `eslint ${version} with ${config}: findings in bad.js (${ours("bad.js")}) and bad.ts (${ours("bad.ts")}), none in good.ts${ok ? "" : `\n${r.stdout.slice(0, 2000)}${r.stderr}`}`,
      );
    }
  }

  step("5. the CLI through npx from the tarballs, in a directory with no package.json");
  const bare = join(work, "bare");
  mkdirSync(bare);
  writeFileSync(join(bare, "send.js"), bad);
  writeFileSync(
    join(bare, "main.bicep"),
    "resource acs 'Microsoft.Communication/communicationServices@2023-04-01' = {\n  name: 'acs'\n  location: 'global'\n  properties: { dataLocation: 'United States' }\n}\n",
  );
  const pkgs = ["acs-baseline-cli", "acs-baseline", "eslint-plugin-acs-baseline", "acs-baseline-emulator"].flatMap(
    (n) => ["--package", tgz[n]],
  );
  const npxEnv = { npm_config_yes: "true" };
  const version = sh("npx", [...pkgs, "--", "acs-baseline", "--version"], bare, { env: npxEnv, allowFail: true });
  check(
    version.status === 0 && version.stdout.trim() === rootVersion,
    `npx acs-baseline --version → ${version.stdout.trim() || version.stderr.trim()}`,
  );
  const scan = sh("npx", [...pkgs, "--", "acs-baseline", "scan", ".", "--format", "json"], bare, {
    env: npxEnv,
    allowFail: true,
  });
  let findings = [];
  try {
    findings = JSON.parse(scan.stdout).findings ?? [];
  } catch {
    /* checked below */
  }
  check(
    scan.status === 1 && findings.length >= 2,
    `npx acs-baseline scan . exits 1 with findings (exit ${scan.status}, ${findings.length} findings)`,
  );
  check(!scan.stdout.includes("a2V5"), "no key text in the scan output");
} catch (error) {
  failures.push(String(error instanceof Error ? error.message : error));
  console.error(error);
} finally {
  writeFileSync(
    join(ROOT, ".ci/.consumers.json"),
    JSON.stringify({ measuredAt: new Date().toISOString(), ...results }, null, 2),
  );
  if (failures.length === 0 || process.env.KEEP_CONSUMERS !== "1") rmSync(work, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`\nconsumer checks: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log("\nconsumer checks: all passed");
