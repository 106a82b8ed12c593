# Kizuna — one entry point for running, testing and benchmarking.
# `make run` and `make test` install what they need on Debian/Ubuntu first.

SHELL := /bin/bash
# .tools/node/bin holds a Node.js of our own where the system's is too old
# for the UI build (scripts/install-deps.sh).
export PATH := $(CURDIR)/.tools/node/bin:$(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo
APP := target/debug/kizuna-desktop
GENERATED := ui/src/lib/generated

.PHONY: run test deps test-deps ui ui-deps app types types-check lint engine-test ui-test setup-test e2e bench clean

run: deps app
	./$(APP)

test: test-deps setup-test lint engine-test types-check ui-test app e2e

deps:
	@bash scripts/install-deps.sh run

test-deps:
	@bash scripts/install-deps.sh test

ui-deps: ui/node_modules/.package-lock.json

ui/node_modules/.package-lock.json: ui/package-lock.json ui/package.json
	cd ui && npm ci --no-audit --no-fund --loglevel=error

ui: ui-deps
	cd ui && npm run build

app: ui
	$(CARGO) build -p kizuna-desktop -p kizuna-core

# The TypeScript mirror of the IPC types comes from Rust (ts-rs), never by hand.
types:
	rm -rf $(GENERATED)
	$(CARGO) test -q -p kizuna-core --lib export_bindings >/dev/null

# Fails when a Rust type changed but the committed TypeScript was not regenerated.
types-check:
	@tmp=$$(mktemp -d); \
	TS_RS_EXPORT_DIR=$$tmp $(CARGO) test -q -p kizuna-core --lib export_bindings >/dev/null && \
	diff -r $$tmp $(GENERATED) >/dev/null || { echo "ui/src/lib/generated is stale: run 'make types'"; diff -r $$tmp $(GENERATED); rm -rf $$tmp; exit 1; }; \
	rm -rf $$tmp; echo "generated types are current"

# Clippy compiles the shell, whose build embeds ui/dist: build the UI first.
lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

engine-test:
	$(CARGO) test -p kizuna-core

# The set-up itself: an old system Node.js is replaced by one that builds the UI.
setup-test:
	bash tests/install-node.sh

ui-test: ui-deps
	cd ui && npm run check && npm test

e2e: app
	bash tests/e2e/run.sh

# Figures, not pass/fail: the engine's board time against the bare SQL on
# the same file, the real window's time from IPC call to cards painted, idle
# memory beside an empty Tauri window, the timeline and search timings, and
# reminder punctuality.
bench: test-deps app
	mkdir -p target/bench
	rm -f target/bench/board-10k.db
	KIZUNA_BENCH_KEEP=$(CURDIR)/target/bench/board-10k.db $(CARGO) bench -p kizuna-core --bench board
	bash tests/with-display.sh node tests/bench/board-paint.mjs
	# Idle memory (app, web and network processes) with the sample data and
	# the board shown, beside an empty Tauri window built with the same
	# Tauri and plugins (built offline under target/; a few minutes).
	bash tests/bench/build-empty-window.sh
	bash tests/with-display.sh node tests/bench/memory.mjs
	# One timeline page in 10k- and 1M-entry files, and search over 1M texts
	# (writes a ~1.2 GB temporary file, about four minutes).
	$(CARGO) bench -p kizuna-core --bench timeline
	# Reminder punctuality (p50/p99 delay after the due time), a colleague's
	# change reaching the scheduler, and its idle CPU (about a minute).
	$(CARGO) bench -p kizuna-core --bench reminders
	# One team file, 1 and 10 writers on their own connections: commits/s and
	# p50/p99 commit latency; a commit reaching another connection's change
	# feed polled every 500 ms and every 10 ms (about half a minute).
	$(CARGO) bench -p kizuna-core --bench shared_file

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules .tools
