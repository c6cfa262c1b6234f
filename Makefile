# interleave: one entry point.
#
#   make              build every lesson into build/bin/
#   make demo         open the race lesson
#   make check        build and run every test suite
#   make doccheck     run the examples in the docs and compare their output
#   make check-asan   the suites again under AddressSanitizer + UBSan
#   make check-tsan   the suites again under ThreadSanitizer
#   make check-valgrind  the runtime suites under valgrind's leak checker
#   make bench        benchmarks, each against a bare baseline
#   make install      install the lessons (PREFIX=/usr/local)
#
# Missing Debian packages (ncurses and Check headers, pkg-config, tmux) are
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
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
SAN_asan = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
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

TEST_SRC = $(wildcard tests/*.c)
TEST_OBJ = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)
# Lessons linked into the test runner: their descriptors, no main().
TEST_LESSON_OBJ = $(LESSONS:%=$(BUILD)/tests/lesson_%.o) \
		  $(LESSONS:%=$(BUILD)/gen/%_source.o)
TEST_BIN = $(BUILD)/tests/check_interleave

.PHONY: all demo check doccheck check-asan check-tsan check-valgrind bench \
	install clean lint
.DEFAULT_GOAL := all
.SECONDARY:

all: $(BINS)

$(CONFIG): common/deps.sh
	@sh common/deps.sh config $@

$(BUILD)/common/%.o: common/%.c $(CONFIG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $^

# Each lesson's source text is embedded, for the viewer to show.
$(BUILD)/gen/%_source.c: lessons/%.c
	@mkdir -p $(@D)
	@{ echo '/* generated from $< */'; \
	   echo 'extern const char $*_source[];'; \
	   echo 'const char $*_source[] = {'; \
	   od -An -v -tx1 $< | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	   echo '0 };'; } > $@

$(BUILD)/gen/%_source.o: $(BUILD)/gen/%_source.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/lessons/%.o: lessons/%.c $(CONFIG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/bin/%: $(BUILD)/lessons/%.o $(BUILD)/gen/%_source.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/lesson_%.o: lessons/%.c $(CONFIG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DLESSON_NO_MAIN -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c $(CONFIG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(TEST_BIN): $(TEST_OBJ) $(TEST_LESSON_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) $^ $(CHECK_LIBS) $(LDLIBS) -o $@

demo: $(BINS)
	@$(BUILD)/bin/race

# The runner finds the lesson binaries through INTERLEAVE_BIN.  The
# in-process benchmark is built too, so that it keeps compiling.
check: $(TEST_BIN) $(BINS) $(BUILD)/bench/free
	INTERLEAVE_BIN=$(BUILD)/bin $(RUN_PREFIX) $(TEST_BIN)
	$(RUN_PREFIX) sh tests/doccheck.sh --build $(BUILD)

# Every example in README.md, docs/ and demos/, run and compared with what
# the docs show (tests/doccheck.sh; sh tests/doccheck.sh --update rewrites them).
doccheck: $(BINS)
	sh tests/doccheck.sh --build $(BUILD)

check-asan:
	$(MAKE) SAN=asan check

# setarch -R: GCC 12's ThreadSanitizer cannot map its shadow memory when
# the kernel randomises addresses with more bits than it expects.
check-tsan:
	TSAN_OPTIONS=halt_on_error=1 $(MAKE) SAN=tsan RUN_PREFIX="setarch -R" check

check-valgrind: $(TEST_BIN) $(BINS)
	@sh common/deps.sh tool valgrind valgrind
	INTERLEAVE_BIN=$(BUILD)/bin CK_FORK=no INTERLEAVE_QUICK=1 CK_EXCLUDE_TAGS="scale exits" \
		valgrind --error-exitcode=1 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect -q $(TEST_BIN)

# Free mode against bare pthreads, both in one process (tests/bench/free.c).
$(BUILD)/bench/free: tests/bench/free.c $(BUILD)/tests/lesson_race.o \
		     $(BUILD)/gen/race_source.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(filter-out %.h,$^) $(LDLIBS) -o $@

bench: $(BINS) $(BUILD)/bench/free
	@sh tests/bench/bench.sh $(BUILD)
	@sh tests/bench/view.sh $(BUILD)

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin
	for l in $(LESSONS); do \
		install -m 755 $(BUILD)/bin/$$l \
			$(DESTDIR)$(PREFIX)/bin/interleave-$$l; done

lint:
	@sh common/deps.sh tool cppcheck cppcheck
	cppcheck --quiet --inline-suppr --error-exitcode=1 \
		--enable=warning,portability \
		--std=c11 -Icommon common lessons tests

clean:
	rm -rf build

-include $(wildcard $(BUILD)/*/*.d)
