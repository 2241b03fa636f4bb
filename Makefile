# linernotes — one Makefile for both programs, the tests, the demo and the
# benchmarks.  `make` builds; `make test` and `make demo` install what they
# need first (see `make deps`).
#
# Variables a user may set on the command line:
#   PREFIX, DESTDIR   where `make install` puts things (/usr/local, empty)
#   WERROR=1          warnings are errors (CI sets it)
#   SANITIZE=1        AddressSanitizer + UBSan for every binary
#   CC                the compiler (cc; the fuzz target needs clang)

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
# Libraries, all through pkg-config.  libbsd-overlay makes <string.h> etc.
# carry strlcpy, reallocarray, strtonum, arc4random_buf and friends.  zlib
# (already libcurl's dependency) inflates the .zip downloads the importer
# reads, so no archive library or unzip(1) is needed.
PKGS     := lmdb fcgi libcurl libcjson libbsd-overlay zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# linernotes-history (the import and export commands on their own) links
# neither libcurl nor libfcgi: see HIST_BIN below.
HIST_PKGS := lmdb libbsd-overlay zlib
HIST_LIBS := $(shell pkg-config --libs $(HIST_PKGS) 2>/dev/null) -lm

# Warnings per STYLE.md; -MMD -MP writes header dependencies next to objects.
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wwrite-strings -Wpointer-arith
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE $(WARN) -MMD -MP -Ilib $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lm
ifeq ($(WERROR),1)
CFLAGS   += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

# Sources are found by directory: a new file in lib/, fcgi/ or collector/ is
# built without touching this file.  Each program's main.c holds main();
# every other object of a program is also linked into its unit tests.
# collector/history.c is the main() of linernotes-history, below.
LIB_SRC  := $(sort $(wildcard lib/*.c))
FCGI_SRC := $(sort $(wildcard fcgi/*.c))
COLL_SRC := $(filter-out collector/history.c,$(sort $(wildcard collector/*.c)))
LIB_OBJ  := $(LIB_SRC:.c=.o)
FCGI_OBJ := $(FCGI_SRC:.c=.o)
COLL_OBJ := $(COLL_SRC:.c=.o)
LIB_A    := lib/liblinernotes.a

FCGI_BIN := fcgi/linernotes-fcgi
COLL_BIN := collector/linernotes-collector
# The collector's import and export commands built without libcurl, which
# the collector execs for them when it finds this beside itself: libcurl's
# TLS, Kerberos and LDAP libraries would be 6.8 MB of the import's peak
# memory (docs/BENCHMARKS.md).  Installed beside the collector.
HIST_BIN := collector/linernotes-history
HIST_OBJ := collector/history.o collector/cmd.o collector/import.o \
            collector/import_list.o \
            collector/import_match.o collector/import_parse.o collector/zip.o \
            collector/export.o collector/import_job.o

# Unit tests (cmocka): tests/unit/lib_X.c links lib/ only; fcgi_X.c also
# links fcgi/'s objects but main.o; collector_X.c likewise for collector/.
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_BIN := $(UNIT_SRC:.c=_test)

all: $(COLL_BIN) $(HIST_BIN) $(FCGI_BIN) www

$(LIB_A): $(LIB_OBJ)
	$(AR) rcs $@ $^

$(FCGI_BIN): $(FCGI_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(COLL_BIN): $(COLL_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(HIST_BIN): $(HIST_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(HIST_LIBS)

tests/unit/lib_%_test: tests/unit/lib_%.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka
# fcgi_X.c tests include fcgi/'s headers.
tests/unit/fcgi_%.o: CFLAGS += -Ifcgi
tests/unit/fcgi_%_test: tests/unit/fcgi_%.o $(filter-out fcgi/main.o,$(FCGI_OBJ)) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka
tests/unit/collector_%_test: tests/unit/collector_%.o $(filter-out collector/main.o,$(COLL_OBJ)) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# A build made with other flags (SANITIZE, WERROR) must not reuse objects:
# the flags are remembered in .build-flags and every object depends on it.
BUILD_FLAGS := $(CC) $(CFLAGS) $(LDFLAGS)
.build-flags: FORCE
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' > $@
%.o: %.c .build-flags
	$(CC) $(CFLAGS) -c -o $@ $<

unit: $(UNIT_BIN)

# Test tools, not installed.  ln-fixture fills a store through lib/store
# for the API's integration tests and benchmarks (see its header).
TOOLS    := tests/tools/ln-fixture tests/tools/bench-insights \
            tests/tools/bench-reader tests/tools/fcgi-canned
tools: $(TOOLS)
tests/tools/ln-fixture: tests/tools/ln-fixture.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# bench-insights times every insight on a generated 10-year journal
# (tests/bench.sh insights; how in docs/BENCHMARKS.md).
tests/tools/bench-insights: tests/tools/bench-insights.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# bench-reader times route_handle() in one process, no FastCGI (the
# "inside the reader" figures of docs/BENCHMARKS.md).
tests/tools/bench-reader.o: CFLAGS += -Ifcgi
tests/tools/bench-reader: tests/tools/bench-reader.o \
    $(filter-out fcgi/main.o,$(FCGI_OBJ)) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# fcgi-canned answers every request with one file: the FastCGI hop's own
# ceiling, measured beside the real endpoints (tests/bench.sh api).
tests/tools/fcgi-canned: tests/tools/fcgi-canned.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The libFuzzer target of the API's request parsing, built by clang from
# the sources (instrumented), not from the objects above.  `make fuzz` runs
# it for FUZZ_TIME seconds on the seed corpus.
FUZZ_TIME ?= 30
FUZZ_BIN := tests/fuzz/request_fuzz
FUZZ_SRC := tests/fuzz/request_fuzz.c $(LIB_SRC) \
            $(filter-out fcgi/main.c fcgi/serve.c,$(FCGI_SRC))
$(FUZZ_BIN): $(FUZZ_SRC) $(wildcard lib/*.h fcgi/*.h)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
	    -D_GNU_SOURCE -Ilib -Ifcgi $(PKG_CFLAGS) -o $@ $(FUZZ_SRC) \
	    $(PKG_LIBS) -lm
fuzz: $(FUZZ_BIN)
	mkdir -p run/fuzz-corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -timeout=10 \
	    -print_final_stats=1 run/fuzz-corpus tests/fuzz/corpus

# --- the pages' libraries (www/vendor/, git-ignored) ----------------------
# Vue's runtime-only ES module build and Chart.js's single-file UMD build,
# copied from node_modules (installed by `npm ci` from package-lock.json)
# so that nginx serves them from our own origin: no CDN, CSP 'self'.  The
# runtime-only build because Vue's template compiler needs eval, which the
# pages' CSP forbids (the pages use render functions).  npm gives files
# 1985 mtimes, so the copies also depend on the lockfile: a new version
# is copied again.
VENDOR_SRC := node_modules/vue/dist/vue.runtime.esm-browser.prod.js \
              node_modules/chart.js/dist/chart.umd.min.js
WWW_VENDOR := $(addprefix www/vendor/,$(notdir $(VENDOR_SRC)))
www: $(WWW_VENDOR)
$(VENDOR_SRC) &: | package-lock.json
	npm ci --no-audit --no-fund
www/vendor/vue.runtime.esm-browser.prod.js: \
    node_modules/vue/dist/vue.runtime.esm-browser.prod.js package-lock.json
	@mkdir -p www/vendor
	cp $< $@
www/vendor/chart.umd.min.js: \
    node_modules/chart.js/dist/chart.umd.min.js package-lock.json
	@mkdir -p www/vendor
	cp $< $@

# Pictures of every page for README.md (docs/screenshots/), taken in
# headless Chromium from the demo's journal (a demo started and stopped in
# run/screenshots).
screenshots: deps
	@$(MAKE) --no-print-directory all tools
	node tests/browser/screenshots.mjs

# --- set-up, tests, demo, benchmarks --------------------------------------

deps:
	@sh tests/deps.sh

test: deps
	@$(MAKE) --no-print-directory all unit tools
	@sh tests/run.sh

# The integration and browser suites on many days (tests/days.sh): a test
# that depends on the day it runs shows up here.  DAYS="2026-02-28 ..."
# chooses the days.
test-days: deps
	@$(MAKE) --no-print-directory all tools
	@sh tests/days.sh $(DAYS)

# The unit tests alone (CI runs them again under SANITIZE=1).
test-unit: unit
	@sh tests/run.sh unit

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/stack.sh demo

stop:
	@sh tests/stack.sh stop

# The collector's kill -9 test at length (CI runs 50 rounds; this 500).
soak: all
	LINERNOTES_SOAK_KILLS=$${SOAK_KILLS:-500} node --test \
	    tests/integration/collector-kill.test.mjs

bench: deps
	@$(MAKE) --no-print-directory all tools
	@sh tests/bench.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/linernotes/www \
	    $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/linernotes/nginx
	install -m 755 $(COLL_BIN) $(HIST_BIN) $(FCGI_BIN) $(DESTDIR)$(PREFIX)/bin/
	cp -R www/. $(DESTDIR)$(PREFIX)/share/linernotes/www/
	cp -R nginx/. $(DESTDIR)$(PREFIX)/share/linernotes/nginx/
	install -m 644 docs/linernotes.conf.example \
	    $(DESTDIR)$(PREFIX)/share/linernotes/linernotes.conf.example
	for m in collector/*.8 fcgi/*.8; do [ -f "$$m" ] && install -m 644 "$$m" $(DESTDIR)$(PREFIX)/share/man/man8/ || true; done

clean:
	rm -f lib/*.o fcgi/*.o collector/*.o tests/unit/*.o tests/fuzz/*.o \
	    lib/*.d fcgi/*.d collector/*.d tests/unit/*.d tests/fuzz/*.d \
	    $(LIB_A) $(FCGI_BIN) $(COLL_BIN) $(HIST_BIN) $(UNIT_BIN) .build-flags \
	    tests/tools/*.o tests/tools/*.d $(TOOLS) $(FUZZ_BIN)
	rm -rf www/vendor

FORCE:
.PHONY: all www screenshots unit tools fuzz deps test test-days test-unit demo stop bench soak install clean FORCE
.SECONDARY:

-include $(wildcard lib/*.d fcgi/*.d collector/*.d tests/unit/*.d tests/tools/*.d)
