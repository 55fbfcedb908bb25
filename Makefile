# magsim - parallel Monte Carlo supply-disruption scenario simulator.
#
#   make            build libmagsim.a and magsim
#   make deps       install the Debian packages magsim needs (apt-get)
#   make run        build and run the default scenario
#   make check      unit (cmocka), end-to-end (backtest included), report and golden-output tests, lint
#   make lint       docs/architecture.md names only what exists; no function in sim/ over 150 lines
#   make browser-check  the report in headless Chromium (CI)
#   make bench      benchmarks (paths per second, scaling, memory)
#   make bench-hpc  sweep scaling in MPI ranks, merge and checkpoint overheads
#   make memcheck   valgrind: no memory error or leak on a run and a failed validation
#   make fuzz       build and run the scenario-loader fuzzer (clang, libFuzzer), FUZZ_TIME s
#   make fuzz-smoke the fuzzer for 60 s (CI)
#   make install    PREFIX=/usr/local DESTDIR=
#
#   SANITIZER=address|undefined|thread   build everything under a sanitizer
#   MPI=1           build with mpicc (Open MPI: libopenmpi-dev) for `mpirun -n N magsim sweep|run`
#   make check-mpi  MPI=1 build, then the sweep and run tests under mpirun (tests/mpi.sh)
#
# Objects go to $(BUILDDIR)/<variant>/ (BUILDDIR defaults to build), so a sanitizer build never mixes with a plain
# one, and every object is rebuilt when the compiler flags change.

PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
PKG_CONFIG ?= pkg-config
PKGS      := gsl yaml-0.1 libcrypto cairo fontconfig
SANITIZER ?=
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifeq ($(CC),cc)
  CC := gcc
endif
# MPI=1: the same program built with Open MPI's compiler wrapper; only
# sim/cli/par.c includes mpi.h (MAGSIM_MPI), so the serial build needs none.
MPI ?=
ifeq ($(MPI),1)
  MPICC ?= mpicc
  CC := $(MPICC)
endif

OPT       ?= -O2
CFLAGS_BASE := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Wshadow \
               -Wno-unused-parameter -Wno-psabi -ffp-contract=off -fopenmp -g -Iinclude $(OPT) \
               -DMAGSIM_VERSION=\"$(VERSION)\"
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
LDLIBS    = $(PKG_LIBS) -fopenmp -lm

VARIANT := release
ifeq ($(SANITIZER),address)
  CFLAGS_BASE += -fsanitize=address -fno-omit-frame-pointer
  LDLIBS += -fsanitize=address
  VARIANT := asan
else ifeq ($(SANITIZER),undefined)
  CFLAGS_BASE += -fsanitize=undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
  LDLIBS += -fsanitize=undefined
  VARIANT := ubsan
else ifeq ($(SANITIZER),thread)
  # ThreadSanitizer needs an OpenMP runtime it understands: GCC's libgomp is
  # not instrumented (its barriers look like races), LLVM's libomp is.  So the
  # thread variant builds with clang (TSAN_CC) and links libomp.
  TSAN_CC ?= clang
  CC := $(TSAN_CC)
  CFLAGS_BASE += -fsanitize=thread -fno-omit-frame-pointer
  LDLIBS += -fsanitize=thread
  VARIANT := tsan
  # libomp's own lock hand-over is suppressed (tests/tsan.supp); any report
  # fails the test that triggers it.
  export TSAN_OPTIONS ?= suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 exitcode=66
else ifneq ($(SANITIZER),)
  $(error SANITIZER must be address, undefined or thread, not '$(SANITIZER)')
endif

ifeq ($(MPI),1)
  CFLAGS_BASE += -DMAGSIM_MPI
  VARIANT := $(VARIANT)-mpi
endif

CFLAGS  += $(CFLAGS_BASE) $(PKG_CFLAGS)
BUILDDIR ?= build
B       := $(BUILDDIR)/$(VARIANT)

# libmagsim: the engine and everything it needs (sim/*.c, sim/policy/*.c); the program: the
# command line (sim/cli/*.c), a thin front end over the library.
LIB_SRC  := $(sort $(wildcard sim/*.c sim/policy/*.c))
LIB_OBJ  := $(LIB_SRC:sim/%.c=$(B)/sim/%.o)
# On x86-64 the month steps are also built for x86-64-v4 (AVX-512) and
# picked at run time on machines that have it (sim/engine_int.h: the same
# bits either way; MAGSIM_ISA=baseline forces the baseline).
ISA_V4_SRC := sim/path.c sim/steps.c $(wildcard sim/policy/*.c)
ifeq ($(shell uname -m),x86_64)
  ISA_V4_OBJ := $(ISA_V4_SRC:sim/%.c=$(B)/sim/%_v4.o)
  CFLAGS_BASE += -DMS_HAVE_V4
endif
LIB_OBJ  += $(ISA_V4_OBJ)
CLI_SRC  := $(sort $(wildcard sim/cli/*.c))
CLI_OBJ  := $(CLI_SRC:sim/%.c=$(B)/sim/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(B)/tests/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

.PHONY: all deps run check check-mpi check-slurm bench-hpc unit e2e hpc report-check browser-check golden sources lint scenario-results memcheck bench fuzz fuzz-smoke install uninstall clean
all: magsim

# Rebuild everything when the flags change (Redis-style): $(B)/.flags holds
# the flags of the last build and is rewritten only when they differ.
FLAGS_NOW := $(CC) $(CFLAGS) $(LDLIBS)
FLAGS_OLD := $(file <$(B)/.flags)
ifneq ($(FLAGS_NOW),$(FLAGS_OLD))
  $(shell mkdir -p $(B))
  $(file >$(B)/.flags,$(FLAGS_NOW))
endif

$(B)/sim/%.o: sim/%.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/sim/%_v4.o: sim/%.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -march=x86-64-v4 -DMS_ISA_V4 -MMD -MP -c $< -o $@

$(B)/libmagsim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

libmagsim.a: $(B)/libmagsim.a
	cp $< $@

$(B)/magsim: $(CLI_OBJ) $(B)/libmagsim.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

magsim: $(B)/magsim libmagsim.a
	cp $(B)/magsim magsim

$(B)/tests/%: tests/%.c $(B)/libmagsim.a $(B)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CMOCKA_CFLAGS) -MMD -MP -o $@ $< $(B)/libmagsim.a $(CMOCKA_LIBS) $(LDLIBS)

$(B)/bench/%: bench/%.c $(B)/libmagsim.a $(B)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< $(B)/libmagsim.a $(LDLIBS)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d) $(BENCH_BIN:=.d)

deps:
	@sh tools/deps.sh

run: magsim
	./magsim scenarios/april2025_controls.yaml

# Unit tests (cmocka), end-to-end tests against the built binary, and the
# check that every number in a shipped scenario cites a source.
# The golden outputs are checked on the release build only: a sanitizer build
# is slower and its job is memory and thread errors, which unit and e2e cover.
CHECK_GOLDEN := $(if $(SANITIZER),,golden)
check: unit e2e hpc report-check $(CHECK_GOLDEN) sources lint

unit: $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; MAGSIM_SRCDIR=$(CURDIR) $$t; done

e2e: $(B)/magsim
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tests/e2e.sh
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tests/e2e_analysis.sh
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tests/backtest.sh
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tests/calibration_2025.sh
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tests/price_caps.sh
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tests/stop.sh

# Sweeps, shards and merge, checkpoint and resume (tests/hpc.sh); serial build.
hpc: $(B)/magsim
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tests/hpc.sh

# MPI (needs Open MPI: mpicc, mpirun): the MPI build's sweep and run under
# mpirun with 1, 2 and 3 ranks, byte for byte against the serial build.
check-mpi: $(B)/magsim
	$(MAKE) MPI=1 $(BUILDDIR)/release-mpi/magsim
	@MAGSIM=$(CURDIR)/$(B)/magsim MAGSIM_MPI=$(CURDIR)/$(BUILDDIR)/release-mpi/magsim sh tests/mpi.sh

# A real one-node Slurm (slurmctld, slurmd, munge; run as root): a job-array
# sweep and its merge, and an MPI sweep in a job (tests/slurm.sh).
check-slurm: $(B)/magsim
	$(MAKE) MPI=1 $(BUILDDIR)/release-mpi/magsim
	@MAGSIM=$(CURDIR)/$(B)/magsim MAGSIM_MPI=$(CURDIR)/$(BUILDDIR)/release-mpi/magsim sh tests/slurm.sh

# Reports without a browser: files, same bytes, bad input (tests/report.sh).
report-check: $(B)/magsim
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tests/report.sh

# The default scenario's report in headless Chromium: no console error, every
# figure loaded, a screenshot in $(BUILDDIR)/browser/ (tools/browser_check.sh; CI).
browser-check: $(B)/magsim
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tools/browser_check.sh $(BUILDDIR)/browser

# Golden outputs: every shipped scenario's summary.csv and timeseries.csv at
# 2,000 paths, byte for byte (tests/golden.sh; --update rewrites them).
golden: $(B)/magsim
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tests/golden.sh

# valgrind: no memory error, no definite or indirect leak (tests/valgrind.sh).
memcheck: $(B)/magsim
	@MAGSIM=$(CURDIR)/$(B)/magsim sh tests/valgrind.sh

sources:
	@sh tests/scenario_sources.sh

# The architecture page names only files and identifiers that exist
# (tests/architecture_names.sh); no function in sim/ is longer than 150 lines
# (tools/function_lengths.sh, which also lists the longest).
lint:
	@sh tests/architecture_names.sh
	@sh tools/function_lengths.sh -n 3 --max 150

# Rerun the scenario library and rewrite the headline tables in docs/scenarios.md.
scenario-results: $(B)/magsim
	sh tools/scenario_results.sh -m $(B)/magsim

bench: $(BENCH_BIN) $(B)/magsim
	@MAGSIM=$(CURDIR)/$(B)/magsim sh bench/run.sh

# Sweep scaling in MPI ranks, merge and checkpoint overheads (docs/hpc.md).
bench-hpc: $(B)/magsim
	$(MAKE) MPI=1 $(BUILDDIR)/release-mpi/magsim
	@MAGSIM=$(CURDIR)/$(B)/magsim MAGSIM_MPI=$(CURDIR)/$(BUILDDIR)/release-mpi/magsim sh bench/hpc.sh

# libFuzzer target over the scenario loader (needs clang).
FUZZ_TIME ?= 600
fuzz:
	@sh tests/fuzz/run.sh $(FUZZ_TIME)
fuzz-smoke:
	@sh tests/fuzz/run.sh 60

install: magsim libmagsim.a
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/magsim
	install -m 755 magsim $(DESTDIR)$(PREFIX)/bin/magsim
	install -m 644 libmagsim.a $(DESTDIR)$(PREFIX)/lib/libmagsim.a
	install -m 644 include/magsim/*.h $(DESTDIR)$(PREFIX)/include/magsim/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/magsim $(DESTDIR)$(PREFIX)/lib/libmagsim.a
	rm -rf $(DESTDIR)$(PREFIX)/include/magsim

clean:
	rm -rf build magsim libmagsim.a
