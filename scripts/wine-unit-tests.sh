#!/usr/bin/env bash
# Runs the engine's tests built for Windows under Wine (make windows-test):
#   bash scripts/wine-unit-tests.sh SUMMARY_FILE cargo test --target … -p kizuna-core
#
# Every test binary runs, even after one failed (--no-fail-fast), so one run
# names every failure. A test that failed is then run once more on its own:
# Wine on a busy two-core machine (the installer tests run beside these) is
# slower than any Windows desktop, and a test that waits on another process
# can miss its moment there. One that fails again fails the stage; one that
# passes is reported as flaky under Wine, with its first failure, and does
# not. A binary that crashes or does not build names no test: it fails the
# stage at once.
#
# What failed, and how it ended, is written to SUMMARY_FILE as well, which
# the Makefile prints last: a CI log cut in its middle keeps its end.
set -uo pipefail
summary="$1"
shift
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
: >"$summary"

"$@" --no-fail-fast -- --skip export_bindings 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && exit 0

mapfile -t failed < <(sed -n 's/^test \(.*\) \.\.\. FAILED$/\1/p' "$log" | sort -u)
{
  echo "==> the engine's tests under Wine failed (exit $status)"
  if [ ${#failed[@]} -eq 0 ]; then
    echo "no test failed by name: a test binary crashed or did not build. Its last lines:"
    grep -E "^error|exit code|panicked|Running" "$log" | tail -n 20
  else
    printf 'failed: %s\n' "${failed[@]}"
    for t in "${failed[@]}"; do
      sed -n "/^---- $t stdout ----$/,/^$/p" "$log" | head -n 30
    done
  fi
} | tee -a "$summary"
[ ${#failed[@]} -eq 0 ] && exit "$status"

echo "==> each failed test once more, on its own"
"$@" --no-fail-fast -- --skip export_bindings --exact "${failed[@]}" 2>&1 | tee "$log"
again=${PIPESTATUS[0]}
if [ "$again" -eq 0 ]; then
  echo "==> passed when run again: flaky under Wine, not failed: ${failed[*]}" | tee -a "$summary"
  exit 0
fi
echo "==> failed again: ${failed[*]}" | tee -a "$summary"
exit "$again"
