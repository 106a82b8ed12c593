#!/usr/bin/env bash
# Builds the empty Tauri window that `make bench` measures Kizuna's memory
# against (tests/bench/empty-window). The copy under target/ gets the
# workspace's Cargo.lock, so Tauri and every plugin have Kizuna's versions,
# and shares the workspace's target directory, so the crates Kizuna already
# compiled are reused. Offline: everything comes from the local registry cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=target/bench/empty-window
rm -rf "$work"
mkdir -p "$work/icons"
cp -r tests/bench/empty-window/. "$work/"
cp Cargo.lock "$work/"
cp icons/32x32.png icons/icon.png "$work/icons/"
CARGO_TARGET_DIR="$root/target" cargo build --offline --manifest-path "$work/Cargo.toml"
echo "$root/target/debug/kizuna-empty-window"
