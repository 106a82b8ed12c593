#!/usr/bin/env bash
# Updating a Windows desktop from the team folder, under Wine, with two
# builds of different versions: the setup.exe `make windows-installer` made
# (the version in Cargo.toml) is installed; the same files stamped one patch
# version higher by makensis are the "newer build" an admin drops into
# Kizuna-updates on the share, with the manifest the installed kizuna.exe
# writes. The installed (older) kizuna.exe must
#   - offer the newer one for this computer, found through the UNC path;
#   - refuse it when the file on the share no longer matches its manifest
#     (one byte changed), and when it is signed but was changed after signing
#     (with a manifest rewritten to match), installing nothing;
#   - check a good copy and run it: Apps & features then lists the new version.
# usage: tests/windows/update.test.sh SETUP.exe
set -uo pipefail
cd "$(dirname "$0")/../.."
setup="$(realpath "$1")"
stage="$(dirname "$setup")/stage"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)"
newer="$(awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }' <<<"$version")"
prefix="$(mktemp -d /tmp/kizuna-wine-update-XXXXXX)"
export WINEPREFIX="$prefix"
source tests/windows/lib.sh
trap '/usr/lib/wine/wineserver -k 2>/dev/null; rm -rf "$prefix" "$share"' EXIT
uninstall_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\jp.kizuna.desktop'
# `kizuna.exe …` under Wine: its output without Windows line ends in $out, its exit code in $code.
run() { out="$(wine "$@" 2>&1)"; code=$?; out="${out//$'\r'/}"; }
refused() { [ "$code" -ne 0 ] && grep -q "$1" <<<"$out" || { sed 's/^/  got: /' <<<"$out"; false; }; }
installed_version() { wine reg query "$uninstall_key" /v DisplayVersion 2>/dev/null | tr -d '\r' | awk '/DisplayVersion/ { print $3 }'; }

# The older build, installed as a user would.
wine reg add 'HKCU\Software\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}' \
  /v pv /d 120.0.2210.91 /f >/dev/null 2>&1
wine "$setup" /S; settle
check "Kizuna $version is installed" test "$(installed_version)" = "$version"
kizuna="$(wine cmd /c echo %LOCALAPPDATA% | tr -d '\r')\\Programs\\Kizuna\\kizuna.exe"

# The team file on the share (scripts/wine-run.sh maps \\kizuna-nas\営業 部).
name="update $$"
share="$PWD/target/wine/share/$name"
mkdir -p "$share/Kizuna-updates"
team="\\\\kizuna-nas\\営業 部\\$name\\kizuna.db"
wine "$kizuna" --db "$team" demo >/dev/null 2>&1; settle
check "a team file on the UNC share" test -s "$share/kizuna.db"

# The newer build, dropped into Kizuna-updates with its manifest.
newsetup="Kizuna-$newer-x64-setup.exe"
# Packed as the installer under test was (make windows-test: zlib, Makefile).
pack=()
[ -n "${KIZUNA_NSIS_COMPRESSOR:-}" ] && pack=("-XSetCompressor /FINAL $KIZUNA_NSIS_COMPRESSOR")
makensis -V1 -INPUTCHARSET UTF8 "${pack[@]}" -DVERSION="$newer" -DBIN_DIR="$stage" \
  -DOUT_FILE="$share/Kizuna-updates/$newsetup" installer/windows/kizuna.nsi
run "$kizuna" update-manifest "\\\\kizuna-nas\\営業 部\\$name\\Kizuna-updates" --version "$newer"
check "the installed kizuna.exe writes the manifest" grep -q "windows-x86_64 *$newsetup" <<<"$out"
run "$kizuna" --db "$team" update
check "Kizuna $version offers $newer from the team folder" grep -q "^offer: *$newer ($newsetup" <<<"$out"

# One byte changed on the share after the manifest was written.
cp "$share/Kizuna-updates/$newsetup" "$prefix/good.exe"
printf '\x00' | dd of="$share/Kizuna-updates/$newsetup" bs=1 seek=4096 conv=notrunc status=none
run "$kizuna" --db "$team" update --install; settle
check "a changed installer is refused (exit 1, checksum)" refused 'invalid installer: checksum'

check "... and nothing was installed" test "$(installed_version)" = "$version"

# Signed, then changed, and the manifest rewritten to match: what someone who
# may write the whole folder could do. The checksum passes; the signature
# does not. (Wine accepts a self-signed certificate as Windows would not, so
# the signature's own digest is what is shown failing here.)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Kizuna test" \
  -keyout "$prefix/key.pem" -out "$prefix/cert.pem" 2>/dev/null
osslsigncode sign -certs "$prefix/cert.pem" -key "$prefix/key.pem" -n Kizuna \
  -in "$prefix/good.exe" -out "$prefix/signed.exe" >/dev/null
cp "$prefix/signed.exe" "$share/Kizuna-updates/$newsetup"
wine "$kizuna" update-manifest "\\\\kizuna-nas\\営業 部\\$name\\Kizuna-updates" --version "$newer" >/dev/null 2>&1
printf '\x01' | dd of="$share/Kizuna-updates/$newsetup" bs=1 seek=8192 conv=notrunc status=none
wine "$kizuna" update-manifest "\\\\kizuna-nas\\営業 部\\$name\\Kizuna-updates" --version "$newer" >/dev/null 2>&1
run "$kizuna" --db "$team" update --install; settle
check "a signed installer changed after signing is refused (signature), though its manifest matches" refused 'invalid installer: signature'
check "... and nothing was installed" test "$(installed_version)" = "$version"

# The good copy again: checked, run, installed.
cp "$prefix/good.exe" "$share/Kizuna-updates/$newsetup"
wine "$kizuna" update-manifest "\\\\kizuna-nas\\営業 部\\$name\\Kizuna-updates" --version "$newer" >/dev/null 2>&1
run "$kizuna" --db "$team" update --install; settle
check "the checked installer is started (exit $code)" grep -q "^checked: *size and SHA-256 (not signed)" <<<"$out"
check "Apps & features now lists Kizuna $newer" test "$(installed_version)" = "$newer"
run "$kizuna" --db "$team" check
check "the team file is untouched by it all" grep -q "integrity ok" <<<"$out"

finish update
