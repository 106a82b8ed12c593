#!/usr/bin/env bash
# The Windows installer as a user gets it, run under Wine in a fresh prefix:
#   1. without the WebView2 runtime a silent install stops (exit code 2) and
#      installs nothing;
#   2. with it, `setup.exe /S /AUTOSTART` installs per user: the exe and the
#      CLI, the uninstaller, the Start-menu shortcut to the exe with the
#      AppUserModelID set on it, the AppUserModelId key, the "Apps &
#      features" entry, the start-at-login value;
#   3. the installed kizuna.exe runs, and writes the user's data under %APPDATA%;
#   4. `uninstall.exe /S` removes the program and its registrations and
#      leaves the user's data byte for byte.
# usage: tests/windows/installer.test.sh SETUP.exe
set -uo pipefail
cd "$(dirname "$0")/../.."
setup="$(realpath "$1")"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)"
prefix="$(mktemp -d /tmp/kizuna-wine-install-XXXXXX)"
export WINEPREFIX="$prefix"
source tests/windows/lib.sh
trap '/usr/lib/wine/wineserver -k 2>/dev/null; rm -rf "$prefix"' EXIT
unix() { wine winepath -u "$1" 2>/dev/null; }
regq() { wine reg query "$@" 2>/dev/null | tr -d '\r'; }

appdata_w="$(wine cmd /c echo %APPDATA% | tr -d '\r')"
localappdata_w="$(wine cmd /c echo %LOCALAPPDATA% | tr -d '\r')"
instdir="$(unix "$localappdata_w\\Programs\\Kizuna")"
startmenu="$(unix "$appdata_w\\Microsoft\\Windows\\Start Menu\\Programs")"
userdata="$(unix "$appdata_w\\jp.kizuna.desktop")"
aumid_key='HKCU\Software\Classes\AppUserModelId\jp.kizuna.desktop'
uninstall_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\jp.kizuna.desktop'
run_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'

# 1. No WebView2 runtime (a fresh Wine prefix has none).
wine "$setup" /S; code=$?; settle
check "without WebView2 a silent install stops with exit code 2 (got $code)" test "$code" -eq 2
check "... and installs nothing" test ! -e "$instdir"

# 2. With the runtime registered per user, as its installer does.
wine reg add 'HKCU\Software\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}' \
  /v pv /d 120.0.2210.91 /f >/dev/null 2>&1
trace="$prefix/install-trace.log"
WINEDEBUG=-all,trace+shell,fixme+shell wine "$setup" /S /AUTOSTART 2>"$trace"; code=$?; settle
check "the silent per-user install succeeds (exit code $code)" test "$code" -eq 0
for f in kizuna-desktop.exe kizuna.exe uninstall.exe; do
  check "installed $f into %LOCALAPPDATA%\\Programs\\Kizuna" test -s "$instdir/$f"
done
check "the installed app is the one built" cmp -s "$instdir/kizuna-desktop.exe" "$(dirname "$setup")/stage/kizuna-desktop.exe"
lnk="$startmenu/Kizuna.lnk"
check "a Start-menu shortcut" test -s "$lnk"
check "... that opens the installed kizuna-desktop.exe" python3 - "$lnk" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
target = 'AppData\\Local\\Programs\\Kizuna\\kizuna-desktop.exe'
sys.exit(0 if target.encode() in data or target.encode('utf-16-le') in data else 1)
PY
# Wine stores no shortcut properties (its IPropertyStore on shell links is a
# stub that answers S_OK), so the AppUserModelID cannot be read back from the
# .lnk here. What can be seen is the installer setting it on that shortcut
# and saving it: the calls, in order, in Wine's trace of shell32.
check "the AppUserModelID is set on the shortcut's property store and saved" python3 - "$trace" <<'PY'
import re, sys
log = open(sys.argv[1], errors='replace').read()
steps = [r'IPersistFile_fnLoad .*Kizuna\.lnk', r'SHStrDupW L"jp\.kizuna\.desktop"',
         r'propertystore_SetValue', r'propertystore_Commit', r'IPersistFile_fnSave .*Kizuna\.lnk']
pos = 0
for s in steps:
    m = re.compile(s).search(log, pos)
    if not m:
        print(f'  missing after offset {pos}: {s}')
        sys.exit(1)
    pos = m.end()
PY
out="$(regq "$aumid_key" /v DisplayName)"
check "the AppUserModelId key names Kizuna for toasts" grep -q 'DisplayName.*Kizuna' <<<"$out"
out="$(regq "$uninstall_key" /v DisplayVersion)"
check "Apps & features lists Kizuna $version" grep -q "DisplayVersion.*$version" <<<"$out"
out="$(regq "$uninstall_key" /v UninstallString)"
check "... with its uninstaller" grep -qi 'uninstall.exe' <<<"$out"
out="$(regq "$run_key" /v Kizuna)"
check "/AUTOSTART starts Kizuna hidden at sign-in" grep -q 'kizuna-desktop.exe" --hidden' <<<"$out"

# 3. The installed CLI runs, and the user's data goes where the app keeps it.
mkdir -p "$userdata"
out="$(wine "$localappdata_w\\Programs\\Kizuna\\kizuna.exe" --db "$appdata_w\\jp.kizuna.desktop\\kizuna-local.db" demo 2>&1)"
settle
check "the installed kizuna.exe runs (demo into %APPDATA%\\jp.kizuna.desktop)" test -s "$userdata/kizuna-local.db"
mkdir -p "$userdata/backups"
printf '{"database":"\\\\\\\\kizuna-nas\\\\営業 部\\\\kizuna.db","first_run_done":true}' >"$userdata/config.json"
cp "$userdata/kizuna-local.db" "$userdata/backups/kizuna-daily-2026-11-30.db"
before="$(cd "$userdata" && find . -type f -exec sha256sum {} + | sort)"

# 4. Uninstall.
wine "$instdir/uninstall.exe" /S; settle
ls -la "$instdir" 2>/dev/null | sed 's/^/  left: /'
check "uninstalling removes the program folder" test ! -e "$instdir"
check "... and the shortcut" test ! -e "$lnk"
check "... and the Apps & features entry" bash -c "! scripts/wine-run.sh reg query '$uninstall_key' >/dev/null 2>&1"
check "... and the AppUserModelId key" bash -c "! scripts/wine-run.sh reg query '$aumid_key' >/dev/null 2>&1"
check "... and start at sign-in" bash -c "! scripts/wine-run.sh reg query '$run_key' /v Kizuna >/dev/null 2>&1"
after="$(cd "$userdata" 2>/dev/null && find . -type f -exec sha256sum {} + | sort)"
check "the user's settings, local database and backups are untouched" test "$before" = "$after"
check "... and there (3 files)" test "$(wc -l <<<"$after")" -eq 3

finish installer
