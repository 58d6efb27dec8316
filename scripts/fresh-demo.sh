#!/usr/bin/env bash
# Runs the README's first command, bin/demo, as a newcomer would: in a copy of this checkout
# holding only what a clean clone holds (tracked files plus new, not-ignored ones; no target/),
# with an empty local Maven repository. Fails when the demo fails or does not report every
# order event handled in order.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/lanes-fresh.XXXXXX")"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/clone" "$work/m2"
(cd "$root" && git ls-files -z --cached --others --exclude-standard \
  | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$work/clone"

echo "fresh-demo: bin/demo in a clean copy with an empty Maven repository ($work/m2)"
out="$work/demo.log"
if ! (cd "$work/clone" && MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=$work/m2" bin/demo) >"$out" 2>&1; then
  tail -40 "$out" >&2
  echo "fresh-demo: FAILED: bin/demo exited non-zero on a fresh checkout" >&2
  exit 1
fi
if ! grep -q '5000 order events for 200 orders handled, 0 out of order' "$out"; then
  tail -40 "$out" >&2
  echo "fresh-demo: FAILED: bin/demo did not report 5000 events handled in order" >&2
  exit 1
fi
echo "fresh-demo: passed"
