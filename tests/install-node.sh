#!/usr/bin/env bash
# The README's two commands on a fresh Debian 12 / Ubuntu 24.04, whose Node.js
# (18.19) is too old for the UI build: with such a `node` first on PATH,
# scripts/install-deps.sh must bring a Node.js that builds the UI.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/old"
cat >"$tmp/old/node" <<'SH'
#!/bin/sh
# What Debian 12's nodejs package answers.
case "$1" in
  --version) echo v18.19.0 ;;
  -e) exit 1 ;;
  *) echo "node 18.19.0 cannot run this" >&2; exit 1 ;;
esac
SH
chmod +x "$tmp/old/node"
PATH="$tmp/old:$PATH" KIZUNA_TOOLS="$tmp/tools" bash scripts/install-deps.sh node
node="$tmp/tools/node/bin/node"
version="$("$node" --version)"
"$node" -e 'const [a, b] = process.versions.node.split(".").map(Number);
            if (!((a === 20 && b >= 19) || (a === 22 && b >= 12) || a >= 23)) process.exit(1)' ||
  { echo "FAIL: installed Node.js $version is still too old" >&2; exit 1; }
npm_version="$(PATH="$tmp/tools/node/bin:$PATH" npm --version)"
# And it builds the UI with the lock file's packages.
cp -r ui "$tmp/ui"
rm -rf "$tmp/ui/node_modules" "$tmp/ui/dist"
(cd "$tmp/ui" && PATH="$tmp/tools/node/bin:$tmp/old:$PATH" npm ci --no-audit --no-fund --loglevel=error >/dev/null && PATH="$tmp/tools/node/bin:$tmp/old:$PATH" npm run build >/dev/null)
[ -f "$tmp/ui/dist/index.html" ] || { echo "FAIL: the UI did not build with Node.js $version" >&2; exit 1; }
echo "ok: with node v18.19.0 first on PATH, install-deps brought Node.js $version (npm $npm_version), which builds the UI"
