# Makefile - certbind.
#
#   make          cross-compile build/certbind.exe (mingw-w64, libyaml static)
#   make msi      build/certbind-VERSION-x64.msi (wixl, installer/)
#   make check    install what is missing, build, run every test suite
#   make demo     install what is missing, build, rotate a binding under Wine
#   make fuzz     run the libFuzzer targets for FUZZ_SECONDS each (default 60)
#   make bench    one table: latency, scale, idle cost, scripts, footprint
#   make stress   one table: cases, faults, kills, bindings lost, memory
#   make sign SIGN_PFX=FILE [SIGN_PASS=...] [SIGN_TIMESTAMP_URL=URL]
#                 Authenticode-sign build/certbind.exe, then the MSI
#   make dist     build/certbind-VERSION-x64.zip and build/SHA256SUMS
#   make clean
#
# core/ is also compiled natively, with sanitizers, for its unit tests.

CROSS    ?= x86_64-w64-mingw32-
WINCC    := $(CROSS)gcc
CC       := gcc
B        := build
# The one place the version lives (certbind version, VERSIONINFO, the MSI).
VERSION  := $(shell cat VERSION)
MSI      := $(B)/certbind-$(VERSION)-x64.msi

WARN     := -std=c11 -Wall -Wextra -Werror
WINDEFS  := -DUNICODE -D_UNICODE -D_WIN32_WINNT=0x0603 \
            -D__USE_MINGW_ANSI_STDIO=1 -DYAML_DECLARE_STATIC
WINFLAGS := $(WARN) -O2 $(WINDEFS) -I$(B)/libyaml/include
# -static keeps libgcc out of the import table: certbind.exe imports only
# DLLs that ship with Windows.
WINLINK  := -municode -static
WINLIBS  := -lhttpapi -lbcrypt -lncrypt -lcrypt32 -lsecur32 -lws2_32 -ladvapi32
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
NATFLAGS := $(WARN) -g -O1 $(SANITIZE)

CORE_SRC := $(wildcard core/*.c)
CORE_HDR := $(wildcard core/*.h)
SVC_SRC  := $(wildcard service/*.c)
SVC_HDR  := $(wildcard service/*.h)
WIN_OBJ  := $(patsubst %.c,$(B)/win/%.o,$(CORE_SRC) $(SVC_SRC))
LIBYAML  := $(B)/libyaml/libyaml.a

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/native/%,$(UNIT_SRC))
TESTBIN  := $(B)/test/certbind.exe $(B)/test/httpapi.dll \
            $(B)/test/certmk.exe $(B)/test/httpapi_test.exe \
            $(B)/test/squat.exe $(B)/test/verinfo.exe \
            $(B)/test-noupdate/certbind.exe $(B)/test-noupdate/httpapi.dll
# The stress parts' own fault setter (tests/stress/faultset.c).
TESTBIN  += $(B)/test/faultset.exe
# Drives service/keyaccess.c directly (tests/tools/katest.c).
TESTBIN  += $(B)/test/katest.exe
# The registry targets' driver and the services restarted in tests.
TESTBIN  += $(B)/test/targetreg.exe $(B)/test/fakesvc.exe

.PHONY: all bootstrap check demo unit testbin msi fuzz bench clean FORCE \
        sign dist stress
.DELETE_ON_ERROR:

all: $(B)/certbind.exe

bootstrap:
	@sh build-aux/bootstrap.sh

$(LIBYAML): build-aux/libyaml.sh build-aux/libyaml.sha256
	sh build-aux/libyaml.sh $(B)/libyaml

$(B)/win/%.o: %.c $(CORE_HDR) $(SVC_HDR) $(LIBYAML)
	@mkdir -p $(dir $@)
	$(WINCC) $(WINFLAGS) -c $< -o $@

# The Event Log message table (service/messages.mc), linked into the exe.
$(B)/win/messages.o: service/messages.mc
	@mkdir -p $(B)/win/mc
	$(CROSS)windmc -h $(B)/win/mc -r $(B)/win/mc $<
	$(CROSS)windres -I$(B)/win/mc $(B)/win/mc/messages.rc -o $@

# The version, from VERSION (or `make VERSION=x.y.z`), as a header for
# main.c and the VERSIONINFO resource.  version.sh runs every time but
# rewrites the header only when the version differs, so an override
# rebuilds what shows the version, and the next plain make rebuilds it
# back.
$(B)/win/version.h: FORCE
	@sh build-aux/version.sh '$(VERSION)' $@

FORCE:

$(B)/win/service/main.o: $(B)/win/version.h
$(B)/win/service/main.o: WINFLAGS += -I$(B)/win

# VERSIONINFO (service/version.rc): ld merges its .rsrc with messages.o's.
$(B)/win/version.o: service/version.rc $(B)/win/version.h
	$(CROSS)windres -I$(B)/win $< -o $@

WIN_RES  := $(B)/win/messages.o $(B)/win/version.o

$(B)/certbind.exe: $(WIN_OBJ) $(WIN_RES) $(LIBYAML)
	$(WINCC) $(WINLINK) -o $@ $(WIN_OBJ) $(WIN_RES) $(LIBYAML) \
	    $(WINLIBS)

# --- the MSI ---------------------------------------------------------------

# The installer's custom actions (installer/customaction.c): a DLL, so that
# what they say reaches the install log.  It checks a policy with core/'s
# loader, as `certbind check` does.
CA_OBJ := $(B)/win/installer/customaction.o \
          $(patsubst %.c,$(B)/win/%.o,$(CORE_SRC)) \
          $(B)/win/service/longpath.o $(B)/win/service/winerr.o \
          $(B)/win/service/wstr.o

$(B)/installer/certbind-ca.dll: $(CA_OBJ) installer/customaction.def \
    $(LIBYAML)
	@mkdir -p $(dir $@)
	$(WINCC) -shared -static -o $@ $(CA_OBJ) installer/customaction.def \
	    $(LIBYAML) -lmsi -ladvapi32

MSI_SRC := installer/certbind.wxs installer/wixl.sh installer/policy.yaml \
           README.md config/certbind.schema.json VERSION

$(MSI): $(MSI_SRC) $(B)/certbind.exe $(B)/installer/certbind-ca.dll
	sh installer/wixl.sh $(VERSION) $(B) $@

msi: $(MSI)

# --- tests ----------------------------------------------------------------

# core/ is compiled once, with the sanitizers, and linked into every unit
# test: compiling the sources into each test built core thirty times over,
# most of make check's build time.
NAT_CORE := $(patsubst %.c,$(B)/native/obj/%.o,$(CORE_SRC))

$(B)/native/obj/%.o: %.c $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(NATFLAGS) -Icore -c $< -o $@

$(B)/native/test_%: tests/unit/test_%.c tests/unit/unit.h $(NAT_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(NATFLAGS) -Wno-missing-field-initializers -Icore -o $@ $< \
	    $(NAT_CORE) -lyaml -lcmocka

$(B)/native/policycheck: tests/tools/policycheck.c $(NAT_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(NATFLAGS) -Icore -o $@ $< $(NAT_CORE) -lyaml

unit: $(UNIT_BIN) $(B)/native/policycheck

$(B)/test/certbind.exe: $(B)/certbind.exe
	@mkdir -p $(dir $@)
	cp $< $@

# The stand-in HTTP.sys configuration store (see tests/httpapi/httpapi.c),
# and a build of it without HttpUpdateServiceConfiguration, as on Windows
# before 10 1703, beside its own copy of certbind.exe.
STANDIN_SRC := tests/httpapi/httpapi.c service/httpsys_decl.h \
               service/keyprobe.c service/keyprobe.h \
               service/winerr.c service/winerr.h

$(B)/test/httpapi.dll: $(STANDIN_SRC) tests/httpapi/httpapi.def
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) -shared -static -o $@ \
	    tests/httpapi/httpapi.c service/keyprobe.c service/winerr.c \
	    tests/httpapi/httpapi.def \
	    -lcrypt32 -lbcrypt -lncrypt -ladvapi32 -lws2_32

$(B)/test-noupdate/httpapi.dll: $(STANDIN_SRC) tests/httpapi/httpapi-noupdate.def
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) -DNO_UPDATE -shared -static -o $@ \
	    tests/httpapi/httpapi.c service/keyprobe.c service/winerr.c \
	    tests/httpapi/httpapi-noupdate.def \
	    -lcrypt32 -lbcrypt -lncrypt -ladvapi32 -lws2_32

$(B)/test-noupdate/certbind.exe: $(B)/certbind.exe
	@mkdir -p $(dir $@)
	cp $< $@

$(B)/test/certmk.exe: tests/tools/certmk.c
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) $(WINLINK) -o $@ $< \
	    -lcrypt32 -ladvapi32

# certbind's objects but main's, with the suite's driver for key access.
KATEST_OBJ := $(filter-out $(B)/win/service/main.o,$(WIN_OBJ))

$(B)/test/katest.exe: tests/tools/katest.c $(KATEST_OBJ) $(WIN_RES) \
    $(LIBYAML)
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) -static -o $@ $< $(KATEST_OBJ) \
	    $(WIN_RES) $(LIBYAML) $(WINLIBS)

$(B)/test/faultset.exe: tests/stress/faultset.c
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) $(WINLINK) -o $@ $< -ladvapi32

# service/regtarget.c, service/svcrestart.c and the little of core/ and
# service/ they need.
TARGETREG_SRC := tests/tools/targetreg.c service/regtarget.c \
                 service/regval.c service/svcrestart.c service/scm.c \
                 service/wstr.c \
                 service/winerr.c core/ascii.c core/cert.c core/error.c \
                 core/text.c

$(B)/test/targetreg.exe: $(TARGETREG_SRC) $(CORE_HDR) $(SVC_HDR)
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) -static -o $@ $(TARGETREG_SRC) \
	    -ladvapi32

$(B)/test/fakesvc.exe: tests/tools/fakesvc.c
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) $(WINLINK) -o $@ $< -ladvapi32

$(B)/test/squat.exe: tests/tools/squat.c
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) $(WINLINK) -o $@ $< -ladvapi32

$(B)/test/verinfo.exe: tests/tools/verinfo.c
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) $(WINLINK) -o $@ $< -lversion

$(B)/test/httpapi_test.exe: tests/httpapi/httpapi_test.c service/httpsys_decl.h
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) -static -o $@ $< -lhttpapi -lws2_32 -ladvapi32

# The stress suite's own Windows programs (tests/stress/).
STRESSBIN := $(B)/test/storechurn.exe

$(B)/test/storechurn.exe: tests/stress/storechurn.c
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) $(WINLINK) -o $@ $< -lcrypt32 -ladvapi32 -lpsapi

testbin: $(TESTBIN) $(STRESSBIN)

# The build runs a job per core; the suites then share the cores in lanes.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

check: bootstrap
	@$(MAKE) --no-print-directory -j$(JOBS) all unit testbin msi
	@bash tests/run.sh

demo: bootstrap
	@$(MAKE) --no-print-directory all testbin
	@bash tests/demo.sh

# --- release ---------------------------------------------------------------

# Authenticode (build-aux/sign.sh, osslsigncode, SHA-256): certbind.exe
# first, so that the MSI built next holds the signed exe, then the MSI.
# Unsigned builds are the default; make sign needs SIGN_PFX.
SIGN_PFX           ?=
SIGN_PASS          ?=
SIGN_TIMESTAMP_URL ?=
export SIGN_PFX SIGN_PASS SIGN_TIMESTAMP_URL

sign: all
	@sh build-aux/sign.sh $(B)/certbind.exe
	@$(MAKE) --no-print-directory msi
	@sh build-aux/sign.sh $(MSI)

# The release archive $(B)/certbind-$(VERSION)-x64.zip (build-aux/dist.sh:
# the exe, the MSI, the schema, the examples, README, LICENSE, CHANGELOG)
# and $(B)/SHA256SUMS.  After make sign, it holds the signed files.
dist: all msi
	@sh build-aux/dist.sh '$(VERSION)' $(B)/certbind.exe $(MSI) $(B)

# --- fuzzing and benchmarks ----------------------------------------------

# libFuzzer targets, built with clang together with libyaml's own sources
# so that the parser is instrumented too.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := policy names der endpoint record certname
YAML_SRCDIR  := $(B)/libyaml/src/libyaml-0.2.5
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -Icore -I$(YAML_SRCDIR)/include \
                -DYAML_VERSION_MAJOR=0 -DYAML_VERSION_MINOR=2 \
                -DYAML_VERSION_PATCH=5 -DYAML_VERSION_STRING='"0.2.5"'

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRC) $(CORE_HDR) $(LIBYAML)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $< $(CORE_SRC) $(YAML_SRCDIR)/src/*.c

fuzz:
	@sh build-aux/bootstrap.sh clang libclang-rt-dev
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
	@sh tests/fuzz/fuzz.sh $(B) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# --- stress (tests/stress/) -------------------------------------------------

# The out-of-memory driver: core/ and libyaml's sources, natively with
# ASan and UBSan, every allocation through the driver's counting wrapper
# (ld's --wrap), so that core/ carries no test hook.  libyaml is built
# without -Werror: its warnings are not ours to fix.
OOM_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup \
            -Wl,--wrap=free
YAML_DEFS := -I$(YAML_SRCDIR)/include -DYAML_VERSION_MAJOR=0 \
             -DYAML_VERSION_MINOR=2 -DYAML_VERSION_PATCH=5 \
             -DYAML_VERSION_STRING='"0.2.5"'

$(B)/stress/yaml/%.o: $(LIBYAML)
	@mkdir -p $(dir $@)
	$(CC) -g -O1 $(SANITIZE) $(YAML_DEFS) -w -c \
	    $(YAML_SRCDIR)/src/$*.c -o $@

YAML_OBJ := $(patsubst %,$(B)/stress/yaml/%.o,api reader scanner parser \
            loader writer emitter dumper)

$(B)/stress/oom: tests/stress/oom.c $(CORE_SRC) $(CORE_HDR) $(YAML_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(NATFLAGS) -Icore $(YAML_DEFS) $(OOM_WRAP) -o $@ $< \
	    $(CORE_SRC) $(YAML_OBJ)

# core's unit tests and the planning benchmark without sanitizers, for
# valgrind (tests/stress/part_valgrind.sh): ASan's shadow memory and
# valgrind cannot share a process.
VGFLAGS := $(WARN) -g -O1

VG_CORE := $(patsubst %.c,$(B)/valgrind/obj/%.o,$(CORE_SRC))

$(B)/valgrind/obj/%.o: %.c $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(VGFLAGS) -Icore -c $< -o $@

$(B)/valgrind/test_%: tests/unit/test_%.c tests/unit/unit.h $(VG_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(VGFLAGS) -Wno-missing-field-initializers -Icore -o $@ $< \
	    $(VG_CORE) -lyaml -lcmocka

$(B)/valgrind/bench_plan: tests/bench/bench_plan.c $(VG_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(VGFLAGS) -Icore -o $@ $< $(VG_CORE) -lyaml

$(B)/bench/bench_plan: tests/bench/bench_plan.c $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -Icore -o $@ $< $(CORE_SRC) -lyaml

# The benchmark's own Windows programs: the registry notification floor,
# the idle process's cost, one binding rebound as scripts do it, and
# Wine's own cost of opening and enumerating LocalMachine\My.
BENCHBIN := $(B)/bench/regwait.exe $(B)/bench/procstat.exe \
            $(B)/bench/rebind_one.exe $(B)/bench/httpapi.dll \
            $(B)/bench/storeenum.exe

$(B)/bench/regwait.exe: tests/bench/regwait.c
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) $(WINLINK) -o $@ $< -ladvapi32

$(B)/bench/storeenum.exe: tests/bench/storeenum.c
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) $(WINLINK) -o $@ $< -lcrypt32

$(B)/bench/procstat.exe: tests/bench/procstat.c
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) $(WINLINK) -o $@ $< -lpsapi

# rebind_one.exe loads the stand-in beside it, as certbind.exe does.
$(B)/bench/rebind_one.exe: tests/bench/rebind_one.c service/httpsys_decl.h
	@mkdir -p $(dir $@)
	$(WINCC) $(WARN) -O2 $(WINDEFS) $(WINLINK) -o $@ $< -lhttpapi -lws2_32

$(B)/bench/httpapi.dll: $(B)/test/httpapi.dll
	@mkdir -p $(dir $@)
	cp $< $@

# One table (also in build/bench/table.txt); counts from the environment,
# BENCH_QUICK=1 for small ones (see tests/bench/bench.sh).
bench: bootstrap
	@$(MAKE) --no-print-directory all testbin $(B)/bench/bench_plan \
	    $(BENCHBIN)
	@bash tests/bench/bench.sh

# --- reliability --------------------------------------------------------

# One table (also in build/stress/table.txt) from every tests/stress/part_*.sh
# at full counts (STRESS_PARTS picks parts, STRESS_QUICK=1 takes the
# short counts make check uses); fails if a part failed or a binding was
# lost or wrongly bound.
stress: bootstrap
	@$(MAKE) --no-print-directory all testbin
	@bash tests/stress/stress.sh

clean:
	rm -rf $(B)
