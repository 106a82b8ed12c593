#!/usr/bin/env bash
# Runs `make <stage>` for each stage in turn and says how long each took, so
# a slow CI run shows where its minutes went (the whole run has 60).
#
# `bg:stage` starts a stage in the background at the lowest CPU and I/O
# priority and goes on; `wait` waits for the background stages, prints their
# output and fails if one failed. The Windows and macOS compilers run that
# way beside the Linux build and the engine and UI tests: those get the CPU
# when they want it, the compilers get what is left. `pause` stops the
# background stages (SIGSTOP) and `resume` lets them go on: the end-to-end
# tests run between the two, alone, because a compiler beside them made
# them minutes slower and their timing marks miss (Makefile, TEST_STAGES).
set -uo pipefail
make_cmd="${MAKE:-make}"
start=$(date +%s)
logs="${STAGES_LOGS:-target/stages}"
mkdir -p "$logs"
summary=()
background=()
mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
report() {
  echo "==> stages (min:s):"
  printf '    %s\n' "${summary[@]}"
}
fail() {
  summary+=("$1 FAILED (exit $2)")
  report
  # A background stage still running would outlive the run; a paused one
  # only takes the signal once it runs again.
  for b in "${background[@]}"; do
    kill -- "-${b%%:*}" 2>/dev/null
    kill -CONT -- "-${b%%:*}" 2>/dev/null
  done
  exit "$2"
}
for stage in "$@"; do
  now=$(($(date +%s) - start))
  case "$stage" in
  bg:*)
    name="${stage#bg:}"
    echo "==> $name, in the background (at $(mmss $now)): $logs/$name.log"
    # A result left by an earlier run must not pass for this one's.
    rm -f "$logs/$name.rc"
    # setsid: its own process group, so a failure elsewhere can stop it
    # whole. A new session is also a new scheduling group where the kernel
    # groups tasks by session (autogroup, on in Debian's kernel), and groups
    # share the CPU equally whatever their tasks' nice: the background build
    # took half of the cores from the Linux build (23:28 instead of 9:26).
    # The group's own nice value makes "lowest priority" true.
    setsid nice -n 19 ionice -c 3 bash -c '{ echo 19 >/proc/self/autogroup; } 2>/dev/null; started=$(date +%s); "$0" --no-print-directory "$1"; rc=$?; echo "$rc $(($(date +%s) - started))" >"$2.rc"' \
      "$make_cmd" "$name" "$logs/$name" >"$logs/$name.log" 2>&1 &
    background+=("$!:$name")
    ;;
  pause | resume)
    echo "==> $stage ${#background[@]} background stage(s) (at $(mmss $now))"
    [ "$stage" = pause ] && sig=STOP || sig=CONT
    for b in "${background[@]}"; do
      # Only those still running: a finished stage's group is gone.
      kill -0 -- "-${b%%:*}" 2>/dev/null && kill "-$sig" -- "-${b%%:*}"
    done
    ;;
  wait)
    echo "==> waiting for ${#background[@]} background stage(s) (at $(mmss $now))"
    for b in "${background[@]}"; do
      kill -CONT -- "-${b%%:*}" 2>/dev/null # never wait on a paused stage
      wait "${b%%:*}"
      name="${b#*:}"
      read -r rc took <"$logs/$name.rc" || { rc=1; took=0; }
      echo "==> $name (background) output:"
      cat "$logs/$name.log"
      summary+=("$(printf '%-12s %6s  (background)' "$name" "$(mmss "$took")")")
      [ "$rc" -eq 0 ] || { background=(); fail "$name" "$rc"; }
    done
    background=()
    ;;
  *)
    echo "==> $stage (at $(mmss $now))"
    t0=$(date +%s)
    $make_cmd --no-print-directory "$stage"
    rc=$?
    summary+=("$(printf '%-12s %6s' "$stage" "$(mmss $(($(date +%s) - t0)))")")
    [ $rc -eq 0 ] || fail "$stage" "$rc"
    ;;
  esac
done
summary+=("$(printf '%-12s %6s' total "$(mmss $(($(date +%s) - start)))")")
report
