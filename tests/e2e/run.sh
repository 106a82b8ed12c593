#!/usr/bin/env bash
# The end-to-end tests against the built app, one at a time (they share the
# private display and D-Bus session of tests/with-display.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
# In a session keyring of their own (keyctl): the app keeps the SMTP
# password in the kernel keyring, which a process started outside a login
# (CI, a container) lacks; without one saving the password is refused.
exec keyctl session - bash tests/with-display.sh node --test --test-concurrency=1 "$@" tests/e2e/*.test.mjs
