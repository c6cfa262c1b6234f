# interleave: one entry point.
#
#   make              build every lesson and the launcher into build/bin/
#   make demo         open the launcher: a menu of every lesson
#   make check        build and run every test suite
#   make doccheck     run the examples in the docs and compare their output
#   make check-asan   the suites again under AddressSanitizer + UBSan
#   make check-tsan   the suites again under ThreadSanitizer
#   make check-valgrind  the runtime suites under valgrind's leak checker
#   make bench        benchmarks, each against a bare baseline
#   make install      install the launcher, the lessons and their man pages
#                     (PREFIX=/usr/local)
#
# Missing Debian packages (ncurses and Check headers, pkg-config, tmux,
# groff, asciinema) are
# installed by common/deps.sh on the first build; lint and check-valgrind
# install their own tool (cppcheck, valgrind) the same way.

SAN ?=
ifeq ($(SAN),)
BUILD ?= build
else
BUILD ?= build/$(SAN)
endif

CC ?= cc
PREFIX ?= /usr/local
# bash-completion loads a command's file from here, by the command's name
COMPLETIONS = $(PREFIX)/share/bash-completion/completions
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
# INTERLEAVE_CHECKS: the runtime also checks what it keeps to go faster
# (sched.c: who can run) against the long way.
SAN_asan = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined -DINTERLEAVE_CHECKS
SAN_tsan = -fsanitize=thread
SANFLAGS = $(SAN_$(SAN))

# Written by common/deps.sh: NCURSES_* and CHECK_* flags.
CONFIG = build/config.mk
ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(CONFIG)
endif

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread -iquote common $(WARN) $(CFLAGS) \
	     $(SANFLAGS) $(filter-out -D%,$(NCURSES_CFLAGS)) -MMD -MP
LDLIBS = $(NCURSES_LIBS) -pthread

LESSONS = $(basename $(notdir $(wildcard lessons/*.c)))
LIB_SRC = $(wildcard common/*.c)
LIB_OBJ = $(LIB_SRC:common/%.c=$(BUILD)/common/%.o)
LIB = $(BUILD)/libinterleave.a
BINS = $(LESSONS:%=$(BUILD)/bin/%)
# The example lessons of docs/writing-lessons.md, run by make check (the
# page's examples).
EXAMPLES = $(patsubst docs/example/%.c,$(BUILD)/example/%,\
	     $(wildcard docs/example/*.c))

# The launcher, build/bin/interleave: its own main(), so not in the
# library; it links every lesson's descriptor through a table generated
# from lessons/ (build/gen/lessons.c), never a list kept by hand.
LAUNCHER_SRC = $(wildcard common/launcher/*.c)
LAUNCHER_OBJ = $(LAUNCHER_SRC:common/launcher/%.c=$(BUILD)/launcher/%.o)
LAUNCHER = $(BUILD)/bin/interleave
# The parts of it the test runner drives in-process.
LAUNCHER_TESTED = $(BUILD)/launcher/catalog.o \
		  $(BUILD)/launcher/manpage.o $(BUILD)/gen/lessons.o

TEST_SRC = $(wildcard tests/*.c)
TEST_OBJ = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)
# Lessons linked into the test runner: their descriptors, no main().
TEST_LESSON_OBJ = $(LESSONS:%=$(BUILD)/tests/lesson_%.o) \
		  $(LESSONS:%=$(BUILD)/gen/%_source.o)
TEST_BIN = $(BUILD)/tests/check_interleave

.PHONY: FORCE all demo check doccheck check-asan check-tsan check-valgrind bench \
	install clean lint
.DEFAULT_GOAL := all
.SECONDARY:

all: $(BINS) $(LAUNCHER) $(EXAMPLES)

$(CONFIG): common/deps.sh
	@sh common/deps.sh config $@

$(BUILD)/common/%.o: common/%.c $(CONFIG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $^

# Each lesson's source text is embedded, for the viewer to show.
define embed_source
	@mkdir -p $(@D)
	@{ echo '/* generated from $< */'; \
	   echo 'extern const char $*_source[];'; \
	   echo 'const char $*_source[] = {'; \
	   od -An -v -tx1 $< | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	   echo '0 };'; \
	   echo '#ifdef INTERLEAVE_STATICS'; \
	   echo '#include "cache.h"'; \
	   for b in bss data; do for e in start stop; do \
		echo "extern char __$${e}_lesson_$${b}_$*[] __attribute__((weak));"; \
	   done; done; \
	   echo '__attribute__((constructor)) static void $*_statics(void)'; \
	   echo '{'; \
	   echo '	cache_statics($*_source, __start_lesson_bss_$*, __stop_lesson_bss_$*,'; \
	   echo '		      __start_lesson_data_$*, __stop_lesson_data_$*);'; \
	   echo '}'; \
	   echo '#endif'; } > $@
endef

# The explorer's state cache (common/cache.c) hashes a lesson's statics:
# each lesson object's .bss and .data get sections of their own, whose
# bounds the linker gives as __start_ and __stop_ symbols and the
# generated source file registers.  Not in a sanitizer build, where the
# cache is off (and the sanitizers keep globals of their own).
ifeq ($(SAN),)
STATICS_DEF = -DINTERLEAVE_STATICS
OBJCOPY ?= objcopy
lesson_statics = $(OBJCOPY) --rename-section .bss=lesson_bss_$(1) \
		 --rename-section .data=lesson_data_$(1) $(2)
else
lesson_statics = :
endif
$(BUILD)/gen/%_source.c: lessons/%.c
	$(embed_source)
$(BUILD)/gen/%_source.c: docs/example/%.c
	$(embed_source)

$(BUILD)/gen/%_source.o: $(BUILD)/gen/%_source.c
	$(CC) $(ALL_CFLAGS) $(STATICS_DEF) -c $< -o $@

$(BUILD)/lessons/%.o: lessons/%.c $(CONFIG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
	@$(call lesson_statics,$*,$@)

$(BUILD)/bin/%: $(BUILD)/lessons/%.o $(BUILD)/gen/%_source.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

# The example lessons of docs/writing-lessons.md: built like a lesson
# (rules below), but not in lessons/, so the launcher does not list them.
$(BUILD)/example-obj/%.o: docs/example/%.c $(CONFIG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
	@$(call lesson_statics,$*,$@)

$(BUILD)/example/%: $(BUILD)/example-obj/%.o $(BUILD)/gen/%_source.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/launcher/%.o: common/launcher/%.c $(CONFIG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Rewritten only when the set of lessons changes (FORCE, then cmp).
$(BUILD)/gen/lessons.c: FORCE
	@mkdir -p $(@D)
	@{ echo '/* generated by the Makefile from lessons/ */'; \
	   echo '#include "launcher.h"'; \
	   for l in $(LESSONS); do \
		echo "extern const struct lesson $${l}_lesson;"; done; \
	   echo 'const struct lesson *const launcher_lessons[] = {'; \
	   for l in $(LESSONS); do echo "	&$${l}_lesson,"; done; \
	   echo '	NULL,'; echo '};'; } > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/gen/lessons.o: $(BUILD)/gen/lessons.c
	$(CC) $(ALL_CFLAGS) -iquote common/launcher -c $< -o $@

$(LAUNCHER): $(LAUNCHER_OBJ) $(BUILD)/gen/lessons.o $(TEST_LESSON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

# interleave-lessons(7), written by the launcher from the lessons' own
# descriptors; made for make install, not by all (a sanitizer build's
# launcher may need setarch to run).
$(BUILD)/man/interleave-lessons.7: $(LAUNCHER)
	@mkdir -p $(@D)
	$(LAUNCHER) --man > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/lesson_%.o: lessons/%.c $(CONFIG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DLESSON_NO_MAIN -c $< -o $@
	@$(call lesson_statics,$*,$@)

$(BUILD)/tests/%.o: tests/%.c $(CONFIG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(TEST_BIN): $(TEST_OBJ) $(TEST_LESSON_OBJ) $(LAUNCHER_TESTED) $(LIB)
	$(CC) $(ALL_CFLAGS) $^ $(CHECK_LIBS) $(LDLIBS) -o $@

demo: $(BINS) $(LAUNCHER)
	@$(LAUNCHER)

# The runner finds the lesson binaries through INTERLEAVE_BIN.  The
# in-process benchmark is built too, so that it keeps compiling.
check: $(TEST_BIN) $(BINS) $(LAUNCHER) $(EXAMPLES) $(BUILD)/bench/free
	INTERLEAVE_BIN=$(BUILD)/bin $(RUN_PREFIX) $(TEST_BIN)
	$(RUN_PREFIX) sh tests/doccheck.sh --build $(BUILD) $(if $(SAN),--uncached)

# Every example in README.md, docs/ and demos/, run and compared with what
# the docs show (tests/doccheck.sh; sh tests/doccheck.sh --update rewrites them).
doccheck: $(BINS) $(LAUNCHER) $(EXAMPLES)
	sh tests/doccheck.sh --build $(BUILD)

check-asan:
	$(MAKE) SAN=asan check

# setarch -R: GCC 12's ThreadSanitizer cannot map its shadow memory when
# the kernel randomises addresses with more bits than it expects.  The
# explorer's brute-force comparison (tag "brute") is left out: its runs
# are fibers on one thread, with nothing for it to find, at 2 to 3 ms of
# its bookkeeping a run.
check-tsan:
	TSAN_OPTIONS=halt_on_error=1 CK_EXCLUDE_TAGS=brute $(MAKE) SAN=tsan \
		RUN_PREFIX="setarch -R" check

# --child-silent-after-fork: a lesson's processes are forked from the
# runner and end with _exit(); what they still hold then is the runner's
# memory, not a leak of theirs (the ASan run checks them as they run).
check-valgrind: $(TEST_BIN) $(BINS) $(LAUNCHER) $(EXAMPLES)
	@sh common/deps.sh tool valgrind valgrind
	INTERLEAVE_BIN=$(BUILD)/bin CK_FORK=no INTERLEAVE_QUICK=1 CK_EXCLUDE_TAGS="scale exits" \
		valgrind --error-exitcode=1 --leak-check=full \
		--child-silent-after-fork=yes \
		--errors-for-leak-kinds=definite,indirect -q $(TEST_BIN)

# Free mode against bare pthreads, both in one process (tests/bench/free.c).
$(BUILD)/bench/free: tests/bench/free.c $(BUILD)/tests/lesson_race.o \
		     $(BUILD)/gen/race_source.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(filter-out %.h,$^) $(LDLIBS) -o $@

bench: $(BINS) $(BUILD)/bench/free
	@sh tests/bench/bench.sh $(BUILD)
	@sh tests/bench/view.sh $(BUILD)
	@sh tests/bench/explore.sh $(BUILD)

install: $(BINS) $(LAUNCHER) $(BUILD)/man/interleave-lessons.7
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(LAUNCHER) $(DESTDIR)$(PREFIX)/bin/interleave
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 docs/man/interleave.1 $(DESTDIR)$(PREFIX)/share/man/man1
	install -d $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 644 $(BUILD)/man/interleave-lessons.7 \
		$(DESTDIR)$(PREFIX)/share/man/man7
	install -d $(DESTDIR)$(COMPLETIONS)
	install -m 644 common/launcher/interleave.bash \
		$(DESTDIR)$(COMPLETIONS)/interleave
	for l in $(LESSONS); do \
		install -m 755 $(BUILD)/bin/$$l \
			$(DESTDIR)$(PREFIX)/bin/interleave-$$l; \
		ln -sf interleave $(DESTDIR)$(COMPLETIONS)/interleave-$$l; done

lint:
	@sh common/deps.sh tool cppcheck cppcheck
	cppcheck --quiet --inline-suppr --error-exitcode=1 \
		--enable=warning,portability \
		--std=c11 -Icommon common lessons tests docs/example

clean:
	rm -rf build

-include $(wildcard $(BUILD)/*/*.d)
