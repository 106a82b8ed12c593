#!/usr/bin/env bash
# `make dist`: what an admin hands out, in one folder —
#   Kizuna-<version>-x64-setup.exe   Windows, per-user installer (make windows-installer)
#   kizuna_<version>_amd64.deb       Linux, from Tauri's own bundler
#   kizuna-update.json               versions, sizes and SHA-256 of both: copy the
#                                    folder's files into Kizuna-updates beside the
#                                    team file and older Kizunas offer the update
# usage: scripts/dist.sh DIST VERSION SETUP.exe
set -euo pipefail
cd "$(dirname "$0")/.."
dist="$1" version="$2" setup="$3"
tools="${KIZUNA_TOOLS:-$PWD/.tools}"

# Tauri's CLI from npm (the package carries its Linux binary), in .tools so the
# UI's dependencies stay as they are. Its .deb bundling needs nothing from
# the internet; its NSIS bundling would (see installer/windows/kizuna.nsi).
TAURI_CLI="@tauri-apps/cli@2.12.5"
if [ ! -x "$tools/tauri-cli/node_modules/.bin/tauri" ]; then
  echo "==> installing $TAURI_CLI into $tools/tauri-cli"
  mkdir -p "$tools/tauri-cli"
  npm install --prefix "$tools/tauri-cli" --no-audit --no-fund --loglevel=error "$TAURI_CLI"
fi

rm -rf "$dist"
mkdir -p "$dist"
cp "$setup" "$dist/Kizuna-$version-x64-setup.exe"

# The release build of the app, then Tauri bundles it as a .deb.
cargo build --release -p kizuna-desktop -p kizuna-core
(cd src-tauri && "$tools/tauri-cli/node_modules/.bin/tauri" bundle --bundles deb)
deb="$(ls -t target/release/bundle/deb/*.deb | head -n1)"
cp "$deb" "$dist/kizuna_${version}_amd64.deb"

# The manifest, written by the engine that checks it (kizuna_core::update).
target/release/kizuna update-manifest "$dist"
ls -l "$dist"
