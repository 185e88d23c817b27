# cati: build, test and run. See README.md.
#   make          build bin/cati
#   make run      open the demo (installs missing Debian packages first)
#   make test     build and run every test
#   make check    the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench    benchmarks (print figures)
#   make fuzz     random keys into the workstation (1,000,000 keys; KEYS_MODEL_KEYS), then
#                 fuzz the form compiler, then the store's handlers (FUZZ_SECONDS each, default 300)

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
BINDIR  ?= bin
SAN     ?=

# Install missing Debian packages before anything needs them (a no-op when all are there).
ifeq ($(filter clean,$(MAKECMDGOALS)),)
DEPS_STATUS := $(shell scripts/install-deps >&2 || echo failed)
ifeq ($(DEPS_STATUS),failed)
$(error missing Debian packages: run scripts/install-deps as root)
endif
endif

PKGS_TEST := check
PKGS_CLI  := jansson sqlite3 libsodium libcurl
PKGS_TUI  := ncursesw
PKGS_SRV  := libmicrohttpd gnutls jansson sqlite3 libsodium libpq

CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -Iinclude -MMD -MP
ifneq ($(SAN),)
CFLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = $(WARN) $(CFLAGS)
LDLIBS  += -lreadstat -lm

UTIL_SRC   := $(wildcard src/util/*.c)
FORM_SRC   := $(wildcard src/form/*.c)
ENGINE_SRC := $(wildcard src/engine/*.c)
CALLS_SRC  := $(wildcard src/calls/*.c)
REPORT_SRC := $(wildcard src/report/*.c)
EXPORT_SRC := $(wildcard src/export/*.c)
DB_SRC     := src/db/db.c
PG_SRC     := src/db/db-pg.c
STORE_SRC  := $(wildcard src/store/*.c)
CENTRAL_SRC := $(wildcard src/central/*.c)
SYNC_SRC   := $(wildcard src/sync/*.c)
VIEW_SRC   := $(wildcard src/view/*.c)
SCREENS_SRC := $(wildcard src/screens/*.c)
TUI_SRC    := $(wildcard src/tui/*.c)
SERVER_SRC := $(wildcard src/server/*.c)
CLI_SRC    := $(wildcard src/cli/*.c) $(wildcard src/tui/*.c)
CORE_SRC   := $(UTIL_SRC) $(FORM_SRC) $(CALLS_SRC) $(REPORT_SRC)
CORE_SRC   += $(EXPORT_SRC) $(DB_SRC)
# the workstation's own layers, and the central store's
WS_SRC     := $(CORE_SRC) $(ENGINE_SRC) $(STORE_SRC) $(VIEW_SRC) $(SYNC_SRC) $(SCREENS_SRC)
CENTRAL_ALL_SRC := $(CORE_SRC) $(CENTRAL_SRC) $(PG_SRC)
obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

# tests and benchmarks reach both programs' layers (not PostgreSQL's driver: see below)
CORE_OBJ := $(call obj,$(WS_SRC) $(CENTRAL_SRC))
CLI_OBJ  := $(call obj,$(CLI_SRC))

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/check_*.c))
TEST_SUPPORT := $(call obj,tests/support/genform.c)
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/bench_*.c))

SERVER_OBJ := $(call obj,$(SERVER_SRC))

.PHONY: all run test unit-test shell-test check bench fuzz fuzz-smoke install clean valgrind
all: $(BINDIR)/cati $(BINDIR)/cati-store

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BINDIR)/cati: $(CLI_OBJ) $(call obj,$(WS_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $$(pkg-config --libs $(PKGS_CLI) $(PKGS_TUI)) -lpthread $(LDLIBS)

# the store links none of the workstation's layers
$(BINDIR)/cati-store: $(SERVER_OBJ) $(call obj,$(CENTRAL_ALL_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $$(pkg-config --libs $(PKGS_SRV)) -lpthread $(LDLIBS)

$(BUILD)/src/server/%.o: src/server/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $$(pkg-config --cflags $(PKGS_SRV)) $(ALL_CFLAGS) -c $< -o $@

# the PostgreSQL driver: only cati-store links libpq
$(BUILD)/src/db/db-pg.o: src/db/db-pg.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $$(pkg-config --cflags libpq) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/src/tui/%.o: src/tui/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $$(pkg-config --cflags $(PKGS_TUI)) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(CORE_OBJ) $(TEST_SUPPORT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $$(pkg-config --libs $(PKGS_TEST) $(PKGS_CLI)) $(LDLIBS)

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/support $$(pkg-config --cflags $(PKGS_TEST)) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/crash_driver: tests/crash/crash_driver.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $$(pkg-config --libs $(PKGS_CLI)) $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(CORE_OBJ) $(TEST_SUPPORT)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $$(pkg-config --libs $(PKGS_CLI)) $(LDLIBS)

# the sync and live benchmarks set up stores on PostgreSQL too
$(BUILD)/bench/bench_sync: $(BUILD)/bench/bench_sync.o $(CORE_OBJ) $(TEST_SUPPORT) $(call obj,$(PG_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $$(pkg-config --libs $(PKGS_CLI) libpq) $(LDLIBS)
$(BUILD)/bench/bench_live: $(BUILD)/bench/bench_live.o $(CORE_OBJ) $(TEST_SUPPORT) $(call obj,$(PG_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $$(pkg-config --libs $(PKGS_CLI) libpq) $(LDLIBS)

# the pull benchmark runs on PostgreSQL too
$(BUILD)/bench/bench_pull: $(BUILD)/bench/bench_pull.o $(CORE_OBJ) $(TEST_SUPPORT) $(call obj,$(PG_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $$(pkg-config --libs $(PKGS_CLI) libpq) $(LDLIBS)

# the report benchmark times the store on PostgreSQL too (BENCH_PG_URL)
$(BUILD)/bench/bench_report: $(BUILD)/bench/bench_report.o $(CORE_OBJ) $(TEST_SUPPORT) $(call obj,$(PG_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $$(pkg-config --libs $(PKGS_CLI) libpq) $(LDLIBS)

$(BUILD)/bench/%.o: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/support $(ALL_CFLAGS) -c $< -o $@

# The workstation on the demo survey (a fresh demo database each time).
run: $(BINDIR)/cati
	@rm -f build/demo.db build/demo.db-wal build/demo.db-shm
	$(BINDIR)/cati demo --db build/demo.db

# Every test: unit tests (Check), then the command-line tests against the real binary.
KEYS_MODEL := $(BUILD)/tests/keys_model
$(KEYS_MODEL): $(BUILD)/tests/model/keys_model.o $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $$(pkg-config --libs $(PKGS_CLI)) -lpthread $(LDLIBS)

test: $(BINDIR)/cati $(BINDIR)/cati-store $(UNIT_TESTS) $(BUILD)/tests/crash_driver $(KEYS_MODEL)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done
	@CATI=$(BINDIR)/cati CATI_STORE=$(BINDIR)/cati-store BUILD=$(BUILD) tests/run-shell-tests
	@$(MAKE) --no-print-directory fuzz-smoke

check:
	$(MAKE) BUILD=build/san BINDIR=build/san/bin SAN=1 test

valgrind: $(BINDIR)/cati $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do CK_FORK=no valgrind -q --error-exitcode=1 --leak-check=full $$t; done

$(BUILD)/bench/bench_tui: bench/bench_tui.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< -lutil

bench: $(BENCHES) $(BINDIR)/cati $(BINDIR)/cati-store
	@set -e; for b in $(BENCHES); do $$b $(BINDIR)/cati; done
	WORKSTATIONS=50 CATI=$(BINDIR)/cati CATI_STORE=$(BINDIR)/cati-store sh tests/cli/pg-scale.sh

# The fuzzer: clang's libFuzzer with ASan, seeded from forms/.
FUZZ_BIN := build/fuzz/fuzz_form
FUZZ_SECONDS ?= 300
$(FUZZ_BIN): tests/fuzz/fuzz_form.c $(UTIL_SRC) $(FORM_SRC) $(CALLS_SRC)
	@mkdir -p $(dir $@)
	clang -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc/form \
	  -fsanitize=fuzzer,address,undefined -o $@ $(filter %.c,$^) -lm

# The store's handlers (push, pull, login, forms, cases, lock, quotas) on a store in /dev/shm.
FUZZ_STORE := build/fuzz/fuzz_store
FUZZ_STORE_SRC := $(UTIL_SRC) $(FORM_SRC) $(CALLS_SRC) $(REPORT_SRC) $(EXPORT_SRC) \
                  $(DB_SRC) $(PG_SRC) $(CENTRAL_SRC)
$(FUZZ_STORE): tests/fuzz/fuzz_store.c $(FUZZ_STORE_SRC)
	@mkdir -p $(dir $@)
	clang -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -Iinclude $$(pkg-config --cflags $(PKGS_SRV)) \
	  -fsanitize=fuzzer,address,undefined -o $@ $(filter %.c,$^) \
	  $$(pkg-config --libs jansson sqlite3 libsodium libpq) -lpthread $(LDLIBS)

fuzz: $(FUZZ_BIN) $(FUZZ_STORE) $(KEYS_MODEL) $(BINDIR)/cati
	KEYS_MODEL_KEYS=$${KEYS_MODEL_KEYS:-1000000} CATI=$(BINDIR)/cati BUILD=$(BUILD) sh tests/cli/keys-model.sh
	@mkdir -p build/fuzz/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=2048 \
	  build/fuzz/corpus $(wildcard forms tests/forms)
	sh tests/fuzz/store-seeds.sh build/fuzz/store-seeds
	@mkdir -p build/fuzz/store-corpus
	$(FUZZ_STORE) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	  build/fuzz/store-corpus build/fuzz/store-seeds

fuzz-smoke: $(FUZZ_BIN) $(FUZZ_STORE)
	@mkdir -p build/fuzz/smoke
	@echo "== fuzz smoke (12 s)"
	@$(FUZZ_BIN) -max_total_time=12 -timeout=5 -rss_limit_mb=2048 -print_final_stats=0 \
	  build/fuzz/smoke $(wildcard forms tests/forms) 2>build/fuzz/smoke.log || { tail -40 build/fuzz/smoke.log; exit 1; }
	@grep -E "^Done|DONE" build/fuzz/smoke.log | tail -1
	@sh tests/fuzz/store-seeds.sh build/fuzz/store-seeds
	@mkdir -p build/fuzz/store-smoke
	@echo "== store fuzz smoke (10 s)"
	@$(FUZZ_STORE) -max_total_time=10 -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
	  build/fuzz/store-smoke build/fuzz/store-seeds 2>build/fuzz/store-smoke.log || { tail -40 build/fuzz/store-smoke.log; exit 1; }
	@grep -E "^Done|DONE" build/fuzz/store-smoke.log | tail -1

install: $(BINDIR)/cati $(BINDIR)/cati-store
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BINDIR)/cati $(DESTDIR)$(PREFIX)/bin/cati

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
