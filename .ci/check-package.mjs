// Package hygiene: what `npm pack` would publish, for every workspace package. Fails on tests, fixtures,
// certificates, keys or env files, and on a package without its README, LICENSE, metadata or built entry points.
import { execFileSync } from "node:child_process";

const REQUIRED = {
  "acs-baseline": ["dist/esm/index.js", "dist/commonjs/index.js", "dist/esm/internal.js"],
  "eslint-plugin-acs-baseline": ["dist/esm/index.js", "dist/commonjs/index.js"],
  "acs-baseline-emulator": ["dist/esm/index.js", "dist/commonjs/index.js"],
  "acs-baseline-cli": [
    "dist/esm/bin.js",
    "dist/esm/main.js",
    "dist/esm/scan/portable/secretlintRule.js",
    "gitleaks-acs.toml",
  ],
};
const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^dist\/(esm|commonjs)\//, /^gitleaks-acs\.toml$/];
const forbidden = [
  /(^|\/)test\//,
  /fixtures?\//,
  /\.(pem|key|pfx|p12|crt|cer|der)$/i,
  /(^|\/)\.env/,
  /\.test\./,
  /(^|\/)bench\//,
];
const reports = JSON.parse(
  execFileSync("npm", ["pack", "--workspaces", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8" }),
);
const problems = [];
for (const report of reports) {
  const files = report.files.map((f) => f.path);
  for (const file of files) {
    if (!allowed.some((re) => re.test(file))) problems.push(`${report.name}: not expected in the package: ${file}`);
    if (forbidden.some((re) => re.test(file))) problems.push(`${report.name}: must never ship: ${file}`);
  }
  for (const required of ["package.json", "README.md", "LICENSE", ...(REQUIRED[report.name] ?? [])]) {
    if (!files.includes(required)) problems.push(`${report.name}: missing from the package: ${required}`);
  }
  const pkg = JSON.parse(
    execFileSync("npm", ["pkg", "get", "repository", "homepage", "bugs", "engines", "--json", "-w", report.name], {
      encoding: "utf8",
    }),
  )[report.name];
  for (const field of ["repository", "homepage", "bugs", "engines"])
    if (pkg[field] === undefined || Object.keys(pkg[field]).length === 0) problems.push(`${report.name}: no ${field}`);
  console.log(
    `${report.name}@${report.version}: ${files.length} files, ${(report.unpackedSize / 1024).toFixed(0)} KiB unpacked`,
  );
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("package contents ok");
