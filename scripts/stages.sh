#!/usr/bin/env bash
# Runs `make <stage>` for each stage in turn and says how long each took, so
# a slow CI run shows where its minutes went (the whole run has 60).
set -uo pipefail
make_cmd="${MAKE:-make}"
start=$(date +%s)
summary=()
mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
report() {
  echo "==> stages (min:s):"
  printf '    %s\n' "${summary[@]}"
}
for stage in "$@"; do
  echo "==> $stage (at $(mmss $(($(date +%s) - start))))"
  t0=$(date +%s)
  $make_cmd --no-print-directory "$stage"
  rc=$?
  took=$(($(date +%s) - t0))
  summary+=("$(printf '%-12s %6s' "$stage" "$(mmss "$took")")")
  if [ $rc -ne 0 ]; then
    summary+=("$stage FAILED (exit $rc)")
    report
    exit $rc
  fi
done
summary+=("$(printf '%-12s %6s' total "$(mmss $(($(date +%s) - start)))")")
report
