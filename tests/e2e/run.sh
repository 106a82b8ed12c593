#!/usr/bin/env bash
# The end-to-end tests against the built app, one at a time (they share the
# private display and D-Bus session of tests/with-display.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
# In a session keyring of their own (keyctl): the app keeps the SMTP
# password in the kernel keyring, which a process started outside a login
# (CI, a container) lacks; without one saving the password is refused.
# KIZUNA_E2E_FILES="shared search" runs those files alone (make e2e runs a
# few again on an encrypted team file).
files=(tests/e2e/*.test.mjs)
if [[ -n "${KIZUNA_E2E_FILES:-}" ]]; then
  files=()
  for name in $KIZUNA_E2E_FILES; do files+=("tests/e2e/$name.test.mjs"); done
fi
exec keyctl session - bash tests/with-display.sh node --test --test-concurrency=1 "$@" "${files[@]}"
