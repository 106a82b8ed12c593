# Kizuna — one entry point for running, testing and benchmarking.
# `make run` and `make test` install what they need on Debian/Ubuntu first.

SHELL := /bin/bash
# .tools/node/bin holds a Node.js of our own where the system's is too old
# for the UI build (scripts/install-deps.sh).
export PATH := $(CURDIR)/.tools/node/bin:$(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo
APP := target/debug/kizuna-desktop
GENERATED := ui/src/lib/generated

.PHONY: run test deps test-deps ui ui-deps app types types-check lint engine-test ui-test setup-test e2e e2e-encrypted e2e-encrypted-files bench clean cross-build \
	windows-deps windows windows-installer windows-lint windows-test wine-shim mac-deps mac-check dist

run: deps app
	./$(APP)

# Every stage in turn, each timed (scripts/stages.sh): a CI run has 60
# minutes. The Windows and macOS builds (`bg:cross-build`) start once the
# UI is built and compile in the background, at the lowest CPU and I/O
# priority, through the Linux build and the engine and UI tests; `wait`
# joins them before the Windows tests run under Wine. They are paused for
# the end-to-end tests, which run alone: with a compiler beside them they
# took 6 minutes longer and one missed its mark (docs/install.md, "CI
# time"; the compiler then had an equal share of the CPU, scripts/stages.sh). The few end-to-end files run again on
# an encrypted team file go after the UI tests, where the foreground
# otherwise only waits for the background build (a miss there is run
# again, tests/e2e/run.sh).
TEST_STAGES := test-deps setup-test ui bg:cross-build lint app pause e2e resume engine-test types-check ui-test e2e-encrypted-files wait windows-test mac-check
test:
	@MAKE="$(MAKE)" bash scripts/stages.sh $(TEST_STAGES)

# CI builds everything once per target, linted: clippy runs as the compiler
# of the workspace's own crates (RUSTC_WORKSPACE_WRAPPER is what `cargo
# clippy` itself sets, there in check mode), so the dependencies are not
# compiled a second time for a separate clippy pass, on Linux or for Windows.
# Developers keep warnings as warnings while they work and run `make lint`.
# Incremental compilation only costs time in a build that is never repeated.
ifeq ($(CI),true)
export RUSTC_WORKSPACE_WRAPPER := clippy-driver
export RUSTFLAGS := -D warnings
export CARGO_INCREMENTAL := 0
endif

deps:
	@bash scripts/install-deps.sh run

test-deps:
	@bash scripts/install-deps.sh test

ui-deps: ui/node_modules/.package-lock.json

ui/node_modules/.package-lock.json: ui/package-lock.json ui/package.json
	cd ui && npm ci --no-audit --no-fund --loglevel=error

# Built only when a UI source changed: a fresh ui/dist makes the shell's
# build script embed it again, which relinks the app (a minute for the
# Windows release build) for nothing.
UI_SOURCES := $(shell find ui/src ui/index.html ui/vite.config.ts ui/tsconfig.json ui/package.json -type f 2>/dev/null)
ui: ui/dist/index.html
ui/dist/index.html: ui/node_modules/.package-lock.json $(UI_SOURCES)
	cd ui && npm run build

app: ui
	$(CARGO) build -p kizuna-desktop -p kizuna-core

# The TypeScript mirror of the IPC comes from Rust, never by hand: the data
# types from the engine (ts-rs), then the commands and events from the
# shell's signatures (tools/ipc-bindings), which refer to those types.
types:
	rm -rf $(GENERATED)
	$(CARGO) test -q --workspace --lib export_bindings >/dev/null
	$(CARGO) run -q -p ipc-bindings -- src-tauri/src $(GENERATED)

# Fails when a Rust type changed but the committed TypeScript was not regenerated.
types-check:
	@tmp=$$(mktemp -d); \
	TS_RS_EXPORT_DIR=$$tmp $(CARGO) test -q --workspace --lib export_bindings >/dev/null && \
	$(CARGO) run -q -p ipc-bindings -- src-tauri/src $$tmp && \
	diff -r $$tmp $(GENERATED) >/dev/null || { echo "ui/src/lib/generated is stale: run 'make types'"; diff -r $$tmp $(GENERATED); rm -rf $$tmp; exit 1; }; \
	rm -rf $$tmp; echo "generated types are current"

# Clippy compiles the shell, whose build embeds ui/dist: build the UI first.
# In CI the build of every target is the lint (see above); `cargo test`
# builds the benches with the test profile, not an optimised second build.
lint: ui
	$(CARGO) fmt --all --check
ifeq ($(CI),true)
	$(CARGO) test --workspace --all-targets --no-run
else
	$(CARGO) clippy --workspace --all-targets -- -D warnings
endif

# In a session keyring of its own (keyctl): the mail tests keep a password
# in the kernel keyring, which a process started outside a login may lack.
# The whole workspace is selected, as the lint's build selects it: with one
# package selected cargo unifies the dependencies' features differently and
# compiles sixty of them again.
#
# ts-rs's export_bindings tests are left to types-check, which writes to a
# folder of its own: run here they rewrote ui/src/lib/generated (same text,
# new times), and every later stage rebuilt the UI and relinked the app.
ENCRYPTED_TEST_FILES := $(filter-out team_server layering,$(basename $(notdir $(wildcard src-tauri/core/tests/*.rs))))
# The unit tests of what only a team file has (its store's workings, the
# desktop's session and outbox, a person's erasure read in the file's
# bytes), which the run on a team server leaves to the file's run.
FILE_ONLY_UNIT_TESTS := app:: store::backup store::changes store::check store::cipher store::db store::locking store::queue store::recovery store::schema store::vfs privacy::
engine-test:
	keyctl session - $(CARGO) test --workspace --lib --bins --tests -- --skip on_a_slow_share_all_get_through --skip killed_while_it_holds_the_lock --skip export_bindings
	# The engine's unit tests again, each on a database of its own on a
	# PostgreSQL started for this run (docs/team-server.md, "Tests"); the
	# whole workspace, as above, so nothing is compiled again. Four at once:
	# a test there mostly waits for the server's answers.
	bash scripts/with-test-server.sh $(CARGO) test --workspace --lib -- --test-threads=4 $(FILE_ONLY_UNIT_TESTS:%=--skip %) --skip export_bindings
	# Colleagues saving at once on a slow share: their figures in the log.
	$(CARGO) test --workspace --test save_queue -- --nocapture --test-threads=1
	# The same process tests again on encrypted team files, with the unit
	# tests of what encryption touches (the store, the session, the outbox and
	# the passphrase in app, privacy's checks of the bytes on disk): every file
	# they create is encrypted (store/cipher.rs, TEST_KEY) and every process
	# they start gets the key from the environment. The domain's other unit
	# tests run once: plain files use SQLCipher's library too, so their SQL
	# already ran on it, and encryption only changes the pages on disk.
	KIZUNA_TEST_ENCRYPTED=1 keyctl session - $(CARGO) test --workspace --lib -- store:: app:: privacy:: --skip on_a_slow_share_all_get_through --skip killed_while_it_holds_the_lock --skip export_bindings
	# Each test file by name, not `--tests`: that also selects the library,
	# whose unit tests then ran a second time whole (466 tests, 2 minutes).
	# The server's tests and the source's layering have no team file to encrypt.
	KIZUNA_TEST_ENCRYPTED=1 keyctl session - $(CARGO) test --workspace --bins $(ENCRYPTED_TEST_FILES:%=--test %) -- --skip on_a_slow_share_all_get_through --skip killed_while_it_holds_the_lock --skip export_bindings

# The set-up itself: an old system Node.js is replaced by one that builds the UI.
setup-test:
	bash tests/install-node.sh

ui-test: ui-deps
	cd ui && npm run check && npm test

e2e: app
	bash tests/e2e/run.sh

# The files that exercise the team file itself (colleagues, a crashed writer
# rolled back, search, backups, the basics) again on an encrypted team file:
# the app and the CLI create and open it with the key from the environment.
# The whole suite encrypted is `make e2e-encrypted` (not in CI: its time).
E2E_ENCRYPTED := shared recovery search backups app
e2e-encrypted-files: app
	KIZUNA_TEST_ENCRYPTED=1 bash tests/e2e/run.sh $(E2E_ENCRYPTED:%=tests/e2e/%.test.mjs)

e2e-encrypted: app
	KIZUNA_TEST_ENCRYPTED=1 bash tests/e2e/run.sh

# Figures, not pass/fail: the engine's board time against the bare SQL on
# the same file, the dashboard's likewise, the real window's time from IPC call to cards painted, idle
# memory beside an empty Tauri window, the timeline and search timings, and
# reminder punctuality.
bench: test-deps app
	mkdir -p target/bench
	rm -f target/bench/board-10k.db
	KIZUNA_BENCH_KEEP=$(CURDIR)/target/bench/board-10k.db $(CARGO) bench -p kizuna-core --bench board
	bash tests/with-display.sh node tests/bench/board-paint.mjs
	# The whole dashboard on 10,000 open deals, 50,000 closed and 1,000,000
	# timeline entries: backend time against the bare SQL on the same file
	# (ratio), then the window's time from the IPC call to every chart
	# painted on that file (builds a ~0.5 GB file, a few minutes).
	rm -f target/bench/reports.db
	KIZUNA_BENCH_KEEP=$(CURDIR)/target/bench/reports.db $(CARGO) bench -p kizuna-core --bench reports
	bash tests/with-display.sh node tests/bench/dashboard-paint.mjs
	# Idle memory (app, web and network processes) with the sample data and
	# the board shown, beside an empty Tauri window built with the same
	# Tauri and plugins (built offline under target/; a few minutes).
	bash tests/bench/build-empty-window.sh
	bash tests/with-display.sh node tests/bench/memory.mjs
	# One timeline page in 10k- and 1M-entry files, and search over 1M texts
	# (writes a ~1.2 GB temporary file, about four minutes).
	$(CARGO) bench -p kizuna-core --bench timeline
	# The weekly meeting on 10,000 open and 50,000 closed deals and 1M
	# timeline entries: this week's whole report and a past week's, through
	# its own read-only connection (about two minutes to build the file).
	$(CARGO) bench -p kizuna-core --bench meeting
	# The support inbox on 200,000 cases: a page of each tab, a search and
	# the tab counts beside the bare SQL on the same file, ratio and query
	# plans (about a minute).
	$(CARGO) bench -p kizuna-core --bench support
	# The leads inbox on 100,000 leads: a page of each tab, searches and the
	# tab counts beside the bare SQL on the same file, ratio and query plans.
	$(CARGO) bench -p kizuna-core --bench leads
	# Customer health with 200,000 support cases: one customer's and the
	# customer list sorted by health, against the bare SQL (ratio).
	$(CARGO) bench -p kizuna-core --bench health
	# Possible duplicates over 50,000 companies with 2% planted as a second
	# spelling (and over their 100,000 contacts): median/p95 and pairs found.
	$(CARGO) bench -p kizuna-core --bench duplicates
	# Follow-up sequences: 100,000 contacts, 20,000 enrolled; one member's
	# next due steps after a change and a touch's stop checks against the
	# bare SQL (ratio).
	$(CARGO) bench -p kizuna-core --bench sequences
	# Import from Excel: 50,000 companies and 100,000 contacts from generated
	# workbooks; rows/s, the longest single save (must stay under 1 s) and
	# peak memory; undo of the contacts (about a minute).
	$(CARGO) bench -p kizuna-core --bench import
	# Reminder punctuality (p50/p99 delay after the due time), a colleague's
	# change reaching the scheduler, and its idle CPU (about a minute).
	$(CARGO) bench -p kizuna-core --bench reminders
	# One team file, 1 and 10 writers on their own connections: commits/s and
	# p50/p99 commit latency; a commit reaching another connection's change
	# feed polled every 500 ms and every 10 ms (about half a minute).
	$(CARGO) bench -p kizuna-core --bench shared_file
	# File-system calls of one save (a logged touch, a card move, a
	# follow-up done) beside a bare SQLite insert with the same journal and
	# sync settings, and the ratio: on a share each call is a round trip
	# (strace over 1 and 11 saves; a few seconds).
	$(CARGO) bench -p kizuna-core --bench save_calls
	# Colleagues saving at once on a FUSE share adding 0, 5 and 30 ms per
	# call: 1, 5 and 10 `kizuna stress` writers beside 20 idle desktops,
	# saves/s, p50/p99/max wait and save, writers that gave up; a save
	# reaching idle desktops at 5 ms per call (about seven minutes).
	$(CARGO) bench -p kizuna-core --bench save_queue

# ---------------------------------------------------------------------------
# Windows, cross-built on Linux with MinGW; tests run under Wine
# (docs/install.md). Windows and macOS share a target folder of their own:
# switching to and from the Linux build rebuilds neither, and the two share
# the host's build scripts and macros (a few minutes of a cold CI run).
CROSS_DIR := target/cross
WIN := x86_64-pc-windows-gnu
WIN_DIR := $(CROSS_DIR)
# What an admin hands out is the release build; the installer tests install
# the debug build, which shares its compiled dependencies with the Windows
# test build instead of adding an optimised build of all of them to CI.
WIN_PROFILE ?= release
WIN_BIN = $(WIN_DIR)/$(WIN)/$(WIN_PROFILE)
WIN_CARGO := CARGO_TARGET_DIR=$(WIN_DIR) CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$(CURDIR)/scripts/wine-run.sh $(CARGO)
SHIM := target/wine/bcryptprimitives.dll
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
SETUP := $(WIN_DIR)/Kizuna-$(VERSION)-x64-setup.exe

windows-deps:
	@bash scripts/install-deps.sh windows

# The desktop app (WebView2, which Windows 10/11 ship) and the CLI, release.
windows: windows-deps ui
	$(WIN_CARGO) build $(if $(filter release,$(WIN_PROFILE)),--release) --target $(WIN) -p kizuna-core -p kizuna-desktop
	@ls -l $(WIN_BIN)/kizuna-desktop.exe $(WIN_BIN)/kizuna.exe

# The per-user installer (installer/windows/kizuna.nsi), with Debian's makensis.
# The installers the tests install hold the debug build (230 MB): packed with
# zlib, not the release's solid LZMA, which took 148 s of one core for each of
# the two a CI run makes (34 s with zlib). What an admin hands out is LZMA.
# tests/windows/update.test.sh packs its newer installer the same way.
export KIZUNA_NSIS_COMPRESSOR = $(if $(filter debug,$(WIN_PROFILE)),zlib)
windows-installer: windows
	rm -rf $(WIN_DIR)/stage && mkdir -p $(WIN_DIR)/stage
	cp $(WIN_BIN)/kizuna-desktop.exe $(WIN_BIN)/kizuna.exe icons/icon.ico $(WIN_DIR)/stage/
	makensis -V2 -INPUTCHARSET UTF8 $(if $(KIZUNA_NSIS_COMPRESSOR),'-XSetCompressor /FINAL $(KIZUNA_NSIS_COMPRESSOR)') -DVERSION=$(VERSION) -DBIN_DIR=$(CURDIR)/$(WIN_DIR)/stage \
		-DOUT_FILE=$(CURDIR)/$(SETUP) installer/windows/kizuna.nsi
	@ls -l $(SETUP)

# Wine 8 lacks ProcessPrng, which Rust's std needs (tools/wine-shim).
wine-shim: windows-deps $(SHIM)
$(SHIM): tools/wine-shim/bcryptprimitives.c
	mkdir -p $(@D)
	x86_64-w64-mingw32-gcc -O2 -shared -Wl,--kill-at -o $@ $< -ladvapi32

# Clippy of the whole workspace as Windows compiles it (the cfg(windows) code).
# Not a stage of `make test`: there the Windows builds are linted as they
# compile (CI=true, above).
windows-lint: windows-deps ui
	$(WIN_CARGO) clippy --workspace --all-targets --target $(WIN) -- -D warnings

# The engine's and the CLI's tests built for Windows and run under Wine (the
# shell's would need a WebView2 runtime, which Wine lacks), then the
# installer installed and uninstalled in a fresh Wine prefix, and an
# installed Kizuna updated from the team folder by a newer build.
WIN_TESTS := $(WIN_CARGO) test --target $(WIN) -p kizuna-core
#
# The installer and update tests make Wine prefixes of their own, so they
# run beside the unit tests (mostly one busy core each); their output
# follows the unit tests', and what failed among the unit tests comes last
# (scripts/wine-unit-tests.sh, which also runs a failed test once more).
windows-test: WIN_PROFILE = debug
windows-test: wine-shim windows-installer
	@log=$$(mktemp); summary=$$(mktemp); \
	{ bash tests/windows/installer.test.sh $(SETUP) && bash tests/windows/update.test.sh $(SETUP); } >$$log 2>&1 & \
	setup=$$!; \
	bash scripts/wine-unit-tests.sh $$summary env $(WIN_TESTS); unit=$$?; \
	wait $$setup; installer=$$?; \
	echo "==> the installer and update tests:"; cat $$log; rm -f $$log; \
	cat $$summary; rm -f $$summary; \
	[ $$unit -eq 0 ] && [ $$installer -eq 0 ]

# What the Windows and macOS stages of `make test` compile, built ahead of
# them in the background (TEST_STAGES): the debug app in its installer, the
# tests, and the macOS check, which the stages then find done.
cross-build: WIN_PROFILE = debug
cross-build: wine-shim windows-installer mac-check
	$(WIN_TESTS) --no-run

# ---------------------------------------------------------------------------
# macOS: checked, not built (no Apple SDK here). SQLite's C is compiled with
# zig cc; the shell's Objective-C build steps are skipped (DOCS_RS, which
# mac-notification-sys and objc2-exception-helper honour): docs/install.md.
MAC := aarch64-apple-darwin
# SQLCipher's C on a Mac uses Apple's CommonCrypto, whose headers only
# Apple's SDK has; the check compiles it against OpenSSL's headers (Debian's
# libssl-dev, gathered in one folder as a Mac's OpenSSL would have them).
# Nothing is linked, so no OpenSSL for macOS is built. SQLCipher's log to
# the system console (os/log.h) is left out of the check for the same
# reason: the header is in Apple's SDK, not in zig's macOS libc.
MAC_OPENSSL := $(CROSS_DIR)/mac-openssl
MAC_CARGO := CARGO_TARGET_DIR=$(CROSS_DIR) CC_aarch64_apple_darwin=$(CURDIR)/scripts/zig-cc-macos \
	AR_aarch64_apple_darwin=$(CURDIR)/scripts/zig-ar AARCH64_APPLE_DARWIN_OPENSSL_DIR=$(CURDIR)/$(MAC_OPENSSL) \
	CFLAGS_aarch64_apple_darwin=-DSQLCIPHER_OMIT_LOG_DEVICE $(CARGO)

mac-deps:
	@bash scripts/install-deps.sh mac

mac-check: mac-deps ui
	rm -rf $(MAC_OPENSSL) && mkdir -p $(MAC_OPENSSL)/include/openssl
	ln -s /usr/include/openssl/*.h /usr/include/$$(gcc -print-multiarch)/openssl/*.h $(MAC_OPENSSL)/include/openssl/
	# One pass over both packages: two passes checked every shared dependency
	# twice (their features unify differently), four minutes of a CI run.
	DOCS_RS=1 $(MAC_CARGO) clippy -p kizuna-core -p kizuna-desktop --all-targets --target $(MAC) -- -D warnings

# ---------------------------------------------------------------------------
# What an admin hands out: the Windows setup.exe and the Linux .deb in one
# folder with the manifest an older Kizuna checks them against
# (docs/install.md, "Updating a team").
DIST := target/dist

dist: windows-installer
	bash scripts/dist.sh $(DIST) $(VERSION) $(SETUP)

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules .tools
