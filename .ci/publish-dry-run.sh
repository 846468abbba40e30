#!/usr/bin/env bash
# `npm publish --dry-run` for every workspace package, in publish order (runtime, emulator, eslint-plugin, cli), after
# the release consistency check. Needs the build (dist/). It reaches the npm registry at most for the dry run's
# notices: not being logged in is expected, and a version that is not published yet is the normal case. A version
# that is already published is reported, not failed (the release workflow skips it). Any other error fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

node .ci/check-release-tag.mjs

for pkg in packages/acs-baseline packages/emulator packages/eslint-plugin packages/cli; do
  if [ ! -d "$pkg/dist" ]; then
    echo "publish dry run: $pkg has no dist/ (run npm run build first)" >&2
    exit 1
  fi
  set +e
  json=$(npm publish --dry-run --json --workspace "$pkg" 2>"$pkg/.publish-dry-run.err")
  rc=$?
  set -e
  err=$(cat "$pkg/.publish-dry-run.err"); rm -f "$pkg/.publish-dry-run.err"
  if [ "$rc" -ne 0 ]; then
    if printf '%s' "$err" | grep -q "previously published versions"; then
      echo "publish dry run: $pkg: this version is already on the registry (not failed)"
      continue
    fi
    printf '%s\n' "$err" >&2
    echo "publish dry run: $pkg failed (exit $rc)" >&2
    exit 1
  fi
  printf '%s' "$json" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const r = Object.values(JSON.parse(s))[0];
      const files = r.files.map((f) => f.path);
      const missing = ["package.json", "README.md", "LICENSE"].filter((f) => !files.includes(f));
      if (!files.some((f) => f.startsWith("dist/esm/"))) missing.push("dist/esm/");
      if (missing.length > 0) { console.error(`publish dry run: ${r.id} lacks ${missing.join(", ")}`); process.exit(1); }
      console.log(`publish dry run: ${r.id} ok, ${files.length} files, ${(r.size / 1024).toFixed(0)} KiB packed`);
    });'
done
