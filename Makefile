# cati: build, test and run. See README.md.
#   make          build bin/cati and bin/cati-store
#   make run      open the demo (installs missing Debian packages first: only what building needs)
#   make install  both programs, forms, demo, man pages, the store's unit (PREFIX, DESTDIR);
#                 make uninstall removes them
#   make deb      the Debian packages cati and cati-store in build/deb/, then lintian
#   make test     build and run every test
#   make check    the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench    benchmarks (print figures)
#   make fuzz     random keys into the workstation (1,000,000 keys; KEYS_MODEL_KEYS), then
#                 fuzz the form compiler, then the store's handlers (FUZZ_SECONDS each, default 300)

CC      ?= cc
# every core for the build (make test on a fresh clone builds everything first)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
BINDIR  ?= bin
SAN     ?=

# Install missing Debian packages before anything needs them (a no-op when all are there):
# building and running need only the compiler and the libraries; the test tools (pspp,
# PostgreSQL, clang, ...) only for the goals that run tests, benchmarks or build the package.
BUILD_GOALS := all run install uninstall pot $(BINDIR)/cati $(BINDIR)/cati-store
DEPS_KIND := $(if $(filter-out $(BUILD_GOALS),$(MAKECMDGOALS)),test,build)
ifeq ($(filter clean uninstall,$(MAKECMDGOALS)),)
DEPS_STATUS := $(shell scripts/install-deps $(DEPS_KIND) >&2 || echo failed)
ifeq ($(DEPS_STATUS),failed)
$(error missing Debian packages: run scripts/install-deps $(DEPS_KIND) as root)
endif
endif

# Where make install puts things (Debian's package: PREFIX=/usr, see debian/rules).
bindir     ?= $(PREFIX)/bin
sharedir   ?= $(PREFIX)/share/cati
mandir     ?= $(PREFIX)/share/man
docdir     ?= $(PREFIX)/share/doc/cati
unitdir    ?= $(PREFIX)/lib/systemd/system
localedir  ?= $(PREFIX)/share/locale
DEMO_FILES := $(wildcard forms/*.form) forms/demo-sample.csv

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
CLI_SRC    := $(filter-out src/cli/sharedir.c,$(wildcard src/cli/*.c)) $(wildcard src/tui/*.c)
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

# The message catalogues (po/LL.po, one per language; English is the source texts): compiled
# for both programs' text domains beside them in $(BINDIR)/locale, where an uncompiled cati finds
# them, and installed to $(localedir). make pot rewrites po/cati.pot and merges it into each
# po/LL.po (tests/cli/i18n.sh fails on any text missing from a catalogue).
.DEFAULT_GOAL := all
LINGUAS  := de nl
MO_FILES := $(foreach l,$(LINGUAS),$(BINDIR)/locale/$(l)/LC_MESSAGES/cati.mo \
                                   $(BINDIR)/locale/$(l)/LC_MESSAGES/cati-store.mo)
$(BINDIR)/locale/%/LC_MESSAGES/cati.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<
$(BINDIR)/locale/%/LC_MESSAGES/cati-store.mo: $(BINDIR)/locale/%/LC_MESSAGES/cati.mo
	cp $< $@
XGETTEXT := xgettext --from-code=UTF-8 --language=C -k_ -kN_ -kP_:1,2 --add-comments=TRANSLATORS \
            --package-name=cati --msgid-bugs-address="the cati team" --no-location --sort-output
pot:
	$(XGETTEXT) -o po/cati.pot $$(find src -name '*.c' | sort)
	for l in $(LINGUAS); do msgmerge --quiet --update --backup=none --no-fuzzy-matching --no-location --sort-output po/$$l.po po/cati.pot && msgattrib --no-obsolete --no-location --sort-output -o po/$$l.po po/$$l.po; done

.PHONY: all run test unit-test shell-test check bench fuzz fuzz-smoke install uninstall deb deb-test clean \
        valgrind pot FORCE
all: $(BINDIR)/cati $(BINDIR)/cati-store $(MO_FILES)


$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# the one object that knows the installed share directory, built once per value of it (so that
# make install with another PREFIX rebuilds this file only); the stamp relinks cati when it changes
# (the default /usr/local/share/cati, also sharedir.c's own, is the ordinary object)
SHAREDIR_OBJ := $(if $(filter /usr/local/share/cati,$(sharedir)),$(BUILD)/src/cli/sharedir.o,\
                $(BUILD)/sharedir$(sharedir)/sharedir.o)
$(BUILD)/sharedir/%/sharedir.o: src/cli/sharedir.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) '-DCATI_SHAREDIR="$(sharedir)"' $(ALL_CFLAGS) -c $< -o $@
$(BINDIR)/.sharedir: FORCE
	@mkdir -p $(dir $@)
	@echo '$(sharedir)' | cmp -s - $@ || echo '$(sharedir)' >$@
FORCE:

$(BINDIR)/cati: $(CLI_OBJ) $(SHAREDIR_OBJ) $(BINDIR)/.sharedir $(call obj,$(WS_SRC))
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

# the import benchmark times a year's sample on PostgreSQL too
$(BUILD)/bench/bench_import: $(BUILD)/bench/bench_import.o $(CORE_OBJ) $(TEST_SUPPORT) $(call obj,$(PG_SRC))
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
run: $(BINDIR)/cati $(MO_FILES)
	@rm -f build/demo.db build/demo.db-wal build/demo.db-shm
	$(BINDIR)/cati demo --db build/demo.db --form forms/demo.form --sample forms/demo-sample.csv

# Every test: unit tests (Check), then the command-line tests against the real binary.
KEYS_MODEL := $(BUILD)/tests/keys_model
$(KEYS_MODEL): $(BUILD)/tests/model/keys_model.o $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $$(pkg-config --libs $(PKGS_CLI)) -lpthread $(LDLIBS)

test: $(BINDIR)/cati $(BINDIR)/cati-store $(MO_FILES) $(UNIT_TESTS) $(BUILD)/tests/crash_driver $(KEYS_MODEL)
	@# the unit tests run beside the shell suites' first minute (one core would idle otherwise)
	@(for t in $(UNIT_TESTS); do echo "== $$t"; $$t || exit 1; done) >$(BUILD)/unit-tests.log 2>&1 & u=$$!; \
	CATI=$(BINDIR)/cati CATI_STORE=$(BINDIR)/cati-store BUILD=$(BUILD) tests/run-shell-tests; s=$$?; \
	if wait $$u; then grep -E '^(==|[0-9]+%)' $(BUILD)/unit-tests.log; else cat $(BUILD)/unit-tests.log; s=1; fi; \
	echo "unit tests: see $(BUILD)/unit-tests.log"; exit $$s
	@# (the fuzz smoke not beside them: a recipe line that calls make runs even under make -n, as install.sh uses it)
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

# Both programs, the forms and the demo, the man pages, the store's systemd unit and a sample
# configuration. cati-store goes to bin, not sbin: the operator runs its local commands (init,
# user, backup, report) without root, and Debian's PATH for users has no sbin.
install: $(BINDIR)/cati $(BINDIR)/cati-store $(MO_FILES)
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(sharedir)/forms $(DESTDIR)$(docdir) $(DESTDIR)$(unitdir) \
	  $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man8 \
	  $(foreach l,$(LINGUAS),$(DESTDIR)$(localedir)/$(l)/LC_MESSAGES)
	for l in $(LINGUAS); do for d in cati cati-store; do \
	  install -m 644 $(BINDIR)/locale/$$l/LC_MESSAGES/$$d.mo $(DESTDIR)$(localedir)/$$l/LC_MESSAGES/$$d.mo; done; done
	install -m 755 $(BINDIR)/cati $(BINDIR)/cati-store $(DESTDIR)$(bindir)
	install -m 644 $(DEMO_FILES) $(DESTDIR)$(sharedir)/forms
	install -m 644 dist/store.conf $(DESTDIR)$(sharedir)/store.conf
	install -m 644 README.md $(DESTDIR)$(docdir)/README.md
	install -m 644 forms/README.md $(DESTDIR)$(docdir)/form-language.md
	install -m 644 man/cati.1 $(DESTDIR)$(mandir)/man1
	install -m 644 man/cati-form.5 $(DESTDIR)$(mandir)/man5
	install -m 644 man/cati-store.8 $(DESTDIR)$(mandir)/man8
	sed 's|/usr/bin/cati-store|$(bindir)/cati-store|' dist/cati-store.service \
	  >$(DESTDIR)$(unitdir)/cati-store.service
	chmod 644 $(DESTDIR)$(unitdir)/cati-store.service

# Everything install put there, and the directories that are ours alone.
uninstall:
	rm -f $(DESTDIR)$(bindir)/cati $(DESTDIR)$(bindir)/cati-store \
	  $(addprefix $(DESTDIR)$(sharedir)/forms/,$(notdir $(DEMO_FILES))) $(DESTDIR)$(sharedir)/store.conf \
	  $(DESTDIR)$(docdir)/README.md $(DESTDIR)$(docdir)/form-language.md $(DESTDIR)$(unitdir)/cati-store.service \
	  $(DESTDIR)$(mandir)/man1/cati.1 $(DESTDIR)$(mandir)/man5/cati-form.5 $(DESTDIR)$(mandir)/man8/cati-store.8
	rm -f $(foreach l,$(LINGUAS),$(DESTDIR)$(localedir)/$(l)/LC_MESSAGES/cati.mo \
	  $(DESTDIR)$(localedir)/$(l)/LC_MESSAGES/cati-store.mo)
	-rmdir $(DESTDIR)$(sharedir)/forms $(DESTDIR)$(sharedir) $(DESTDIR)$(docdir)

# The Debian packages cati and cati-store (dpkg-buildpackage writes them beside the source tree,
# into ..; they are moved to $(BUILD)/deb/), unsigned, binary only; then what lintian says. The
# package builds in debian/build with Debian's flags (debian/rules), whatever this make was given.
deb:
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS dpkg-buildpackage -b -us -uc -j2
	@mkdir -p $(BUILD)/deb
	@for f in ../cati_*.deb ../cati-*.deb ../cati_*.buildinfo ../cati_*.changes; do \
	  if [ -e "$$f" ]; then mv "$$f" $(BUILD)/deb/; fi; done
	@env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS debian/rules clean >/dev/null
	@ls $(BUILD)/deb/*.deb
	-lintian --display-info --pedantic $(BUILD)/deb/cati_*.changes

# The packages built and taken apart in a throwaway root (as in make test), then, as root on a
# machine without cati, installed with dpkg -i and purged with dpkg -P.
deb-test:
	CATI=$(BINDIR)/cati BUILD=$(BUILD) CATI_DEB_INSTALL=1 sh tests/cli/deb.sh

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
