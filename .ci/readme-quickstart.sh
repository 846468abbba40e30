#!/usr/bin/env bash
# The README's quick start, exactly as written, on a clean checkout: takes the lines of the sh block between
# `<!-- quickstart` and `<!-- /quickstart -->` in README.md, clones this repository's HEAD into a temporary folder,
# runs each line there with bash (in order, stopping at the first failure), prints how long each took, and fails
# when `npm run demo` takes more than DEMO_LIMIT_SECONDS (default 30). Uses the Node.js on PATH (22 or later).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LIMIT="${DEMO_LIMIT_SECONDS:-30}"
work="$(mktemp -d "${TMPDIR:-/tmp}/acs-readme-quickstart.XXXXXX")"
trap 'rm -rf "$work"' EXIT

git clone --quiet --no-hardlinks "$ROOT" "$work/acs-baseline"
cd "$work/acs-baseline"
commands="$(awk '/^<!-- quickstart/ { on = 1; next } /^<!-- \/quickstart -->/ { on = 0 } on && /^```/ { fence = !fence; next } on && fence' README.md)"
if [ -z "$(printf '%s' "$commands" | tr -d '[:space:]')" ]; then
  echo "readme quickstart: README.md has no quickstart block" >&2
  exit 1
fi
echo "readme quickstart: $(git rev-parse --short HEAD) on Node $(node --version), in $work/acs-baseline"

failed=0
while IFS= read -r line; do
  [ -z "$(printf '%s' "$line" | tr -d '[:space:]')" ] && continue
  printf '\n$ %s\n' "$line"
  start=$(date +%s%N)
  bash -o errexit -o pipefail -c "$line" </dev/null
  seconds=$(awk -v ns="$(($(date +%s%N) - start))" 'BEGIN { printf "%.1f", ns / 1e9 }')
  echo "readme quickstart: ${seconds} s for: $line"
  case "$line" in
    *"npm run demo"*)
      if awk -v s="$seconds" -v l="$LIMIT" 'BEGIN { exit !(s > l) }'; then
        echo "readme quickstart: npm run demo took ${seconds} s, above the ${LIMIT} s limit" >&2
        failed=1
      fi
      ;;
  esac
done <<<"$commands"
exit "$failed"
