#!/usr/bin/env bash
# Runs a command against the real app's needs: a private X server (Xvfb) and
# a private D-Bus session (single-instance lock, notifications), so tests and
# benchmarks never touch the user's desktop.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
display=":$((90 + RANDOM % 100))"
Xvfb "$display" -screen 0 1366x860x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
trap 'kill $xvfb_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
export DISPLAY="$display"
# No accessibility bridge (noise only). WebKit's rendering env switches stay
# unset: with WEBKIT_DISABLE_COMPOSITING_MODE or WEBKIT_DISABLE_DMABUF_RENDERER
# the WebDriver screenshot hangs once the page re-renders (seen after
# switching the UI language).
export NO_AT_BRIDGE=1
dbus-run-session -- "$@"
