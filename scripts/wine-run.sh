#!/usr/bin/env bash
# Runs a Windows program under Wine in Kizuna's own Wine prefix. Cargo uses
# it as the runner for the x86_64-pc-windows-gnu target
# (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER), so `cargo test --target
# x86_64-pc-windows-gnu` runs the Windows test binaries here.
#
# The prefix (target/wine/prefix unless WINEPREFIX is set) is created on
# first use and given what the tests need:
# - bcryptprimitives.dll (tools/wine-shim): Rust's standard library needs
#   ProcessPrng, which Wine 8 lacks;
# - a network share and a mapped drive, the way Windows users reach the team
#   file: \\kizuna-nas\営業 部 (Wine's dosdevices/unc) and K: (dosdevices/k:),
#   both onto target/wine/share. The tests find them in KIZUNA_TEST_UNC and
#   KIZUNA_TEST_DRIVE.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
wine_dir="$root/target/wine"
export WINEPREFIX="${WINEPREFIX:-$wine_dir/prefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
# No desktop menu entries from Start-menu shortcuts (winemenubuilder), and no
# offer to download Mono or Gecko (there is no network for it).
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-winemenubuilder.exe=d;mscoree=d;mshtml=d}"
wine=/usr/lib/wine/wine64
[ -x "$wine" ] || wine="$(command -v wine64 || command -v wine)"
shim="$wine_dir/bcryptprimitives.dll"

if [ ! -f "$WINEPREFIX/system.reg" ]; then
  mkdir -p "$(dirname "$WINEPREFIX")"
  "$wine" wineboot --init >/dev/null 2>&1 || true
  "${wine%/*}/wineserver" -w 2>/dev/null || true
fi
system32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -f "$system32/bcryptprimitives.dll" ] || ! cmp -s "$shim" "$system32/bcryptprimitives.dll"; then
  if [ ! -f "$shim" ]; then
    echo "wine-run.sh: $shim is missing: run 'make wine-shim'" >&2
    exit 1
  fi
  cp "$shim" "$system32/bcryptprimitives.dll"
fi

share="$wine_dir/share"
mkdir -p "$share" "$WINEPREFIX/dosdevices/unc/kizuna-nas"
ln -sfn "$share" "$WINEPREFIX/dosdevices/unc/kizuna-nas/営業 部"
ln -sfn "$share" "$WINEPREFIX/dosdevices/k:"
export KIZUNA_TEST_UNC='\\kizuna-nas\営業 部'
export KIZUNA_TEST_DRIVE='K:'
export KIZUNA_TEST_SHARE_UNIX="$share"

exec "$wine" "$@"
