// Release consistency: every workspace package has the same version, every dependency between them is pinned to
// exactly that version, and (given a tag such as v0.3.0, or $GITHUB_REF_NAME on a tag push) the tag names it.
// Used by .github/workflows/release.yml before publishing and by .ci/publish-dry-run.sh on every CI run.
// Usage: node .ci/check-release-tag.mjs [vX.Y.Z]   (exit 1 with the mismatches listed)
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
/** Publish order: each package after the ones it depends on. */
const PUBLISH_ORDER = ["packages/acs-baseline", "packages/emulator", "packages/eslint-plugin", "packages/cli"];

const packages = PUBLISH_ORDER.map((dir) => ({
  dir,
  ...JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")),
}));
const names = new Set(packages.map((p) => p.name));
const version = packages[0].version;
const problems = [];
for (const p of packages) {
  if (p.version !== version) problems.push(`${p.name} is ${p.version}, ${packages[0].name} is ${version}`);
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [dep, range] of Object.entries(p[field] ?? {})) {
      if (names.has(dep) && range !== version)
        problems.push(`${p.name} ${field}.${dep} is "${range}", not "${version}"`);
    }
  }
}
const tag = process.argv[2] ?? (process.env.GITHUB_REF_TYPE === "tag" ? process.env.GITHUB_REF_NAME : undefined);
if (tag !== undefined && tag !== `v${version}`)
  problems.push(`tag ${tag} does not match the package version ${version} (expected v${version})`);
// The published packages depend on each other in this order: a later one may only depend on an earlier one.
for (const [i, p] of packages.entries()) {
  for (const dep of Object.keys({ ...p.dependencies, ...p.peerDependencies })) {
    const at = packages.findIndex((q) => q.name === dep);
    if (at > i) problems.push(`${p.name} depends on ${dep}, which is published after it`);
  }
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`release check: ${problem}`);
  process.exit(1);
}
console.log(
  `release check: ${packages.map((p) => p.name).join(", ")} all at ${version}${tag === undefined ? "" : `, tag ${tag}`}`,
);
