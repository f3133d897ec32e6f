# muni — build, test and install. `make help` lists the targets.
#
# Objects and binaries go to build/release (or build/san with SANITIZE=1);
# the source tree is never written. Every library comes through pkg-config
# except libcsv, whose Debian package ships no .pc file.

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
LOCALEDIR	?= $(PREFIX)/share/locale
SYSCONFDIR	?= /etc
# systemd looks in PREFIX/lib too (/usr/local/lib/systemd/system, ...).
UNITDIR		?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR	?= $(PREFIX)/lib/tmpfiles.d
DESTDIR		?=

CC		?= cc
PKG_CONFIG	?= pkg-config

ifeq ($(SANITIZE),1)
BUILD		?= build/san
SANFLAGS	 = -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
OPT		?= -O1 -g
else
BUILD		?= build/release
SANFLAGS	 =
OPT		?= -O2 -g
endif

PKGS_COMMON	 = sqlite3 inih libqrencode libxml-2.0 libxcrypt libpq libcrypto
# libevent_openssl and openssl: SMPP over TLS (smsgw/gw_tls.c).
# libcurl: the callback poster (smsgw/gw_callback.c), in a thread of its own.
PKGS_SMSGW	 = libsmpp34 libevent libevent_openssl openssl jansson libcurl
PKGS_KIOSK	 = ncursesw espeak-ng alsa
PKGS_TEST	 = cmocka

# -isystem keeps third-party headers out of -Werror's reach.
pkg_cflags	 = $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null))
pkg_libs	 = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

WARN		 = -std=c11 -Wall -Wextra -Wformat=2 -Wshadow \
		   -Wstrict-prototypes -Wmissing-prototypes -Werror
CPPFLAGS	+= -D_GNU_SOURCE -Icommon -DMUNI_LOCALEDIR='"$(LOCALEDIR)"'
CFLAGS		+= $(OPT) $(WARN) $(SANFLAGS) -MMD -MP
LDFLAGS		+= $(SANFLAGS)

LIBS_COMMON	 = $(call pkg_libs,$(PKGS_COMMON)) -lcsv -lm
LIBS_SMSGW	 = $(call pkg_libs,$(PKGS_SMSGW)) -pthread
LIBS_KIOSK	 = $(call pkg_libs,$(PKGS_KIOSK))
LIBS_TEST	 = $(call pkg_libs,$(PKGS_TEST))

COMMON_SRCS	 = $(sort $(wildcard common/*.c))
# Each front is a library of modules plus one file with main(), so unit
# tests and the SMSC simulator can link the modules.
CTL_SRCS	 = smsgw/munictl.c $(sort $(wildcard smsgw/ctl_*.c))
SMSGW_MAIN	 = smsgw/smsgw.c
SMSGW_SRCS	 = $(filter-out $(CTL_SRCS) $(SMSGW_MAIN),$(sort $(wildcard smsgw/*.c)))
KIOSK_MAIN	 = kiosk/kiosk.c
KIOSK_SRCS	 = $(filter-out $(KIOSK_MAIN),$(sort $(wildcard kiosk/*.c)))
SIM_SRCS	 = $(sort $(wildcard tests/smscsim/*.c))
UNIT_SRCS	 = $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRCS	 = $(sort $(wildcard tests/bench/bench_*.c))
FUZZ_SRCS	 = $(sort $(wildcard tests/fuzz/fuzz_*.c))

obj		 = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIBMUNI		 = $(BUILD)/libmuni.a
LIBSMSGW	 = $(BUILD)/libsmsgw.a
LIBKIOSK	 = $(BUILD)/libkiosk.a
BIN		 = $(BUILD)/bin
PROGS		 = $(BIN)/munictl $(BIN)/muni-smsgw $(BIN)/muni-kiosk
SIM		 = $(if $(SIM_SRCS),$(BIN)/muni-smscsim)
UNITS		 = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
BENCHES		 = $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
REPLAYS		 = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/replay_%,$(FUZZ_SRCS))
FUZZERS		 = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))

PO		 = $(sort $(wildcard common/po/*.po))
MO		 = $(patsubst common/po/%.po,$(BUILD)/locale/%/LC_MESSAGES/muni.mo,$(PO))

# Keep objects of pattern chains: their removal would print after the test
# summary, which must stay the last line of `make test`.
.SECONDARY:

.PHONY: all deps test test-run check unit integration bench fuzz demo \
	install uninstall clean pot help \
	fuzz-build fuzz-short chaos

all: $(PROGS) $(SIM) $(MO)

help:
	@echo "make            build munictl, muni-smsgw, muni-kiosk"
	@echo "make deps       install missing Debian packages (conf/packages.txt)"
	@echo "make test       build and run every test (SANITIZE=1: ASan+UBSan)"
	@echo "make demo       demo database, SMSC simulator, gateway and kiosk"
	@echo "make bench      benchmarks that print figures"
	@echo "make chaos      the fault drills in full, CHAOS_RUNS (3) times"
	@echo "make fuzz       run each libFuzzer target for FUZZ_SECONDS (clang)"
	@echo "make fuzz-short each target for FUZZ_SHORT_SECONDS (CI)"
	@echo "make install    PREFIX=/usr/local DESTDIR="

deps:
	@sh conf/deps.sh conf/packages.txt

# Tests reach into the fronts; common/ never does (it has no -I for them).
$(BUILD)/obj/tests/%.o: CPPFLAGS += -Ismsgw -Ikiosk

# Each library's compile flags go only to the objects that may use it, so
# the build keeps DESIGN's walls: libsmpp34 behind smsgw/pdu*.c, ncursesw
# behind kiosk/ui.c, espeak-ng and ALSA behind kiosk/speech.c, SQLite
# behind common/store*.c and common/backup.c (tests read the database
# too). sqlite3.h, curses.h and the speech headers are in /usr/include,
# where no flag can hide them: tests/integration/walls.sh greps for what
# flags cannot stop. Link flags stay on the link lines (libmuni.a is
# static).
# $(call walled,STEMS): the objects of those sources (patterns allowed; a
# % matches one character at least, hence "pdu pdu_%"), in the build and in
# the fuzz build.
walled		 = $(foreach s,$(1),$(BUILD)/obj/$(s).o build/fuzz/obj/$(s).o)
SQLITE_CFLAGS	:= $(call pkg_cflags,sqlite3)
INIH_CFLAGS	:= $(call pkg_cflags,inih)
QR_CFLAGS	:= $(call pkg_cflags,libqrencode)
XML_CFLAGS	:= $(call pkg_cflags,libxml-2.0)
CRYPT_CFLAGS	:= $(call pkg_cflags,libxcrypt)
SMPP_CFLAGS	:= $(call pkg_cflags,libsmpp34)
EVENT_CFLAGS	:= $(call pkg_cflags,libevent libevent_openssl openssl jansson)
CURSES_CFLAGS	:= $(call pkg_cflags,ncursesw)
CURL_CFLAGS	:= $(call pkg_cflags,libcurl)
SPEECH_CFLAGS	:= $(call pkg_cflags,espeak-ng alsa)
TEST_CFLAGS	:= $(call pkg_cflags,cmocka)
PQ_CFLAGS	:= $(call pkg_cflags,libpq)
# Every other module reaches the database through common/store.h.
SQLITE_OBJS	 = $(call walled,common/store common/store_% common/backup tests/%)
$(SQLITE_OBJS): CPPFLAGS += $(SQLITE_CFLAGS)
$(call walled,common/config): CPPFLAGS += $(INIH_CFLAGS)
$(call walled,common/qr): CPPFLAGS += $(QR_CFLAGS)
$(call walled,common/statement): CPPFLAGS += $(XML_CFLAGS)
$(call walled,common/otp): CPPFLAGS += $(CRYPT_CFLAGS)
$(call walled,smsgw/pdu smsgw/pdu_%): CPPFLAGS += $(SMPP_CFLAGS)
$(call walled,smsgw/% tests/%): CPPFLAGS += $(EVENT_CFLAGS)
$(call walled,kiosk/ui): CPPFLAGS += $(CURSES_CFLAGS)
$(call walled,smsgw/gw_callback tests/%): CPPFLAGS += $(CURL_CFLAGS)
$(call walled,kiosk/speech tests/%): CPPFLAGS += $(SPEECH_CFLAGS)
# libpq behind common/store_pg.c, PostgreSQL's engine.
$(call walled,common/store_pg tests/%): CPPFLAGS += $(PQ_CFLAGS)
$(call walled,tests/%): CPPFLAGS += $(TEST_CFLAGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

define archive
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
endef

$(LIBMUNI): $(call obj,$(COMMON_SRCS))
	$(archive)
$(LIBSMSGW): $(call obj,$(SMSGW_SRCS))
	$(archive)
$(LIBKIOSK): $(call obj,$(KIOSK_SRCS))
	$(archive)

$(BIN)/munictl: $(call obj,$(CTL_SRCS)) $(LIBMUNI)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_COMMON)

$(BIN)/muni-smsgw: $(call obj,$(SMSGW_MAIN)) $(LIBSMSGW) $(LIBMUNI)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SMSGW) $(LIBS_COMMON)

$(BIN)/muni-kiosk: $(call obj,$(KIOSK_MAIN)) $(LIBKIOSK) $(LIBMUNI)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_KIOSK) $(LIBS_COMMON)

$(BIN)/muni-smscsim: $(call obj,$(SIM_SRCS)) $(LIBSMSGW) $(LIBMUNI)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SMSGW) $(LIBS_COMMON)

# Unit tests may test modules of any front: link all three libraries, and
# the helpers they share (tests/unit/testlib.c).
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/testlib.o \
    $(LIBKIOSK) $(LIBSMSGW) $(LIBMUNI)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_TEST) $(LIBS_KIOSK) $(LIBS_SMSGW) $(LIBS_COMMON)

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(LIBMUNI)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_COMMON)

# Each fuzz target also links against a plain driver that replays its
# corpus, so `make test` runs the corpora without clang's libFuzzer.
$(BUILD)/fuzz/replay_%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/replay.o $(LIBSMSGW) $(LIBMUNI)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SMSGW) $(LIBS_COMMON)

$(BUILD)/obj/tests/fuzz/replay.o: tests/fuzz/replay.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/locale/%/LC_MESSAGES/muni.mo: common/po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# The test run: unit tests, fuzz corpora, integration scripts; the last
# line printed is the runner's "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory test-run

check: test

test-run: all $(UNITS) $(REPLAYS)
	@sh tests/run.sh $(BUILD)

unit: all $(UNITS)
	@sh tests/run.sh $(BUILD) unit

integration: all
	@sh tests/run.sh $(BUILD) integration

# The fault drills in full (tests/integration/chaos.sh with CHAOS_FULL=1:
# 100,000 messages, five kills, ...), CHAOS_RUNS times; `make test` runs
# the short form.
chaos: deps
	@$(MAKE) --no-print-directory all
	@sh tests/run.sh $(BUILD) chaos

bench: deps
	@$(MAKE) --no-print-directory SANITIZE= BUILD=build/release all bench-run

bench-run: $(BENCHES)
	@sh tests/bench/run.sh build/release

FUZZ_SECONDS	?= 60
FUZZ_CC		?= clang
# The modules are compiled once with coverage instrumentation
# (fuzzer-no-link) into build/fuzz/obj; each target links them with the
# libFuzzer driver, so a change to one module rebuilds one object, not
# every target's copy of every source.
FUZZ_FLAGS	 = -g -O1 -std=c11 -fno-sanitize-recover=all
FUZZ_OBJS	 = $(patsubst %.c,build/fuzz/obj/%.o,$(COMMON_SRCS) $(SMSGW_SRCS))

build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(CPPFLAGS) -Ismsgw -MMD -MP \
	    -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

build/fuzz/libfuzzmuni.a: $(FUZZ_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

build/fuzz/%: build/fuzz/obj/tests/fuzz/%.o build/fuzz/libfuzzmuni.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined \
	    -o $@ $^ $(LIBS_SMSGW) $(LIBS_COMMON)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-build: $(FUZZERS)

# CI's short run of every target (.ci/run).
FUZZ_SHORT_SECONDS ?= 15
fuzz-short: deps
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_SHORT_SECONDS)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh $(BUILD)

pot:
	xgettext --from-code=UTF-8 -k_ -kN_ -o common/po/muni.pot \
	    $(COMMON_SRCS) $(wildcard smsgw/*.c kiosk/*.c)

# What `make install` puts where; uninstall removes the same list. The
# units, sysusers.d and tmpfiles.d files carry Debian's paths (/usr/sbin,
# /usr/bin, /etc/muni), rewritten here for PREFIX and SYSCONFDIR.
MAN5		 = $(sort $(wildcard conf/*.5))
MAN8		 = $(sort $(wildcard kiosk/*.8 smsgw/*.8))
UNITS_SD	 = conf/muni-smsgw.service conf/muni-kiosk@.service \
		   conf/muni-backup.service conf/muni-backup.timer
SD_PATHS	 = -e 's|/usr/sbin/|$(SBINDIR)/|g' \
		   -e 's|/usr/bin/muni|$(BINDIR)/muni|g' \
		   -e 's|/etc/muni|$(SYSCONFDIR)/muni|g'

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SYSCONFDIR)/muni $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	install -m 755 $(BIN)/munictl $(BIN)/muni-kiosk $(DESTDIR)$(BINDIR)/
	install -m 755 $(BIN)/muni-smsgw $(DESTDIR)$(SBINDIR)/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	for f in $(MO); do l=$${f#$(BUILD)/locale/}; \
	    install -D -m 644 $$f $(DESTDIR)$(LOCALEDIR)/$$l || exit 1; done
	install -m 644 conf/muni.conf $(DESTDIR)$(SYSCONFDIR)/muni/muni.conf.sample
	@# An administrator's muni.conf is never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/muni/muni.conf ] || \
	    install -m 640 conf/muni.conf $(DESTDIR)$(SYSCONFDIR)/muni/muni.conf
	for u in $(UNITS_SD); do \
	    sed $(SD_PATHS) $$u > $(DESTDIR)$(UNITDIR)/$${u#conf/} && \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$${u#conf/} || exit 1; done
	install -m 644 conf/muni.sysusers $(DESTDIR)$(SYSUSERSDIR)/muni.conf
	sed $(SD_PATHS) conf/muni.tmpfiles > $(DESTDIR)$(TMPFILESDIR)/muni.conf
	chmod 644 $(DESTDIR)$(TMPFILESDIR)/muni.conf

# Keeps $(SYSCONFDIR)/muni/muni.conf (the administrator's) and the database.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/munictl $(DESTDIR)$(BINDIR)/muni-kiosk \
	    $(DESTDIR)$(SBINDIR)/muni-smsgw
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
	    $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))
	rm -f $(patsubst $(BUILD)/locale/%,$(DESTDIR)$(LOCALEDIR)/%,$(MO))
	rm -f $(DESTDIR)$(SYSCONFDIR)/muni/muni.conf.sample \
	    $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS_SD))) \
	    $(DESTDIR)$(SYSUSERSDIR)/muni.conf $(DESTDIR)$(TMPFILESDIR)/muni.conf

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
