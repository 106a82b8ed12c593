# What the Windows test scripts share: Wine in the test's own prefix, waiting
# for it to settle, and counting checks. Sourced, with WINEPREFIX set.
wine() { scripts/wine-run.sh "$@"; }
# Wine writes the registry and ends helper processes a moment after a
# program exits: wait for that before looking.
settle() { /usr/lib/wine/wineserver -w; }
passed=0 failed=0
check() {
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $what"
  else failed=$((failed + 1)); echo "not ok - $what"; fi
}
# The closing line test runners end with; the exit code says the same.
finish() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
