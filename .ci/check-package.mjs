// Package hygiene: what `npm pack` would publish. Fails on tests, fixtures, certificates, keys or env files.
import { execFileSync } from "node:child_process";

const [report] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8" }));
const files = report.files.map((f) => f.path);
const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^dist\/(esm|commonjs)\//, /^docs\/[\w/.-]+\.md$/];
const forbidden = [/(^|\/)test\//, /fixtures?\//, /\.(pem|key|pfx|p12|crt|cer|der)$/i, /(^|\/)\.env/, /\.test\./, /(^|\/)bench\//];
const problems = [];
for (const file of files) {
  if (!allowed.some((re) => re.test(file))) problems.push(`not expected in the package: ${file}`);
  if (forbidden.some((re) => re.test(file))) problems.push(`must never ship: ${file}`);
}
for (const required of ["package.json", "README.md", "LICENSE", "dist/esm/index.js", "dist/commonjs/index.js", "dist/esm/cli/bin.js"]) {
  if (!files.includes(required)) problems.push(`missing from the package: ${required}`);
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`package contents ok: ${files.length} files, ${(report.unpackedSize / 1024).toFixed(0)} KiB unpacked`);
