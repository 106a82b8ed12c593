#!/usr/bin/env bash
# Installs what building, running and testing Kizuna needs on Debian/Ubuntu.
# Idempotent and quiet when everything is there, so `make run` / `make test`
# can call it every time without slowing down a developer's loop.
set -euo pipefail
want="${1:-run}"   # run | test

pkgs=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
      libxdo-dev build-essential file pkg-config curl fonts-noto-cjk)
if [ "$want" = test ]; then
  # Xvfb for a real window without a display; WebKitWebDriver for tauri-driver;
  # imagemagick for whole-screen screenshots; dbus for the notification tests.
  # python3-dbus and python3-gi run the test notification server (tests/notify-server.py).
  # fuse3 and python3-fusepy run tests/faultfs.py, the misbehaving share of the outage tests.
  pkgs+=(xvfb webkit2gtk-driver imagemagick dbus dbus-x11 at-spi2-core python3 python3-dbus python3-gi fuse3 python3-fusepy)
fi
if ! command -v node >/dev/null 2>&1; then pkgs+=(nodejs npm); fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$want" = test ] && ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "==> installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked --quiet
fi
