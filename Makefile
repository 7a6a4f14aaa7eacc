# interleave: `make` builds build/interleave and build/libinterleave.so;
# `make check` builds everything and runs every test.
CC      ?= gcc
CXX     ?= g++
BUILD   := build
WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
RT_CFLAGS  := -std=gnu11 $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden -fexceptions -D_GNU_SOURCE
CLI_CFLAGS := -std=c11 $(WARN) -Wno-format-truncation $(CFLAGS) -D_GNU_SOURCE
CLI_LIBS   := -ldw -lelf -lstdc++ -lcjson
PROG_CFLAGS  := -std=c11 -D_GNU_SOURCE $(WARN) -g -O1 -pthread -Iinclude
PROG_CXXFLAGS := -std=c++17 $(WARN) -g -O1 -pthread -Iinclude

RT_SRCS  := $(wildcard runtime/*.c runtime/strategy/*.c)
CLI_SRCS := $(wildcard cli/*.c)
HDRS     := $(wildcard common/*.h common/*.def runtime/*.h runtime/strategy/*.h cli/*.h include/*.h)

.PHONY: all check clean programs seeds bench demo install uninstall
all: $(BUILD)/libinterleave.so $(BUILD)/interleave

$(BUILD)/libinterleave.so: $(RT_SRCS) $(HDRS) | $(BUILD)
	$(CC) $(RT_CFLAGS) -shared -o $@ $(RT_SRCS) -ldl

$(BUILD)/interleave: $(CLI_SRCS) $(HDRS) | $(BUILD)
	$(CC) $(CLI_CFLAGS) -o $@ $(CLI_SRCS) $(CLI_LIBS)

$(BUILD):
	mkdir -p $(BUILD)

# ---- test programs: tests/programs/NAME.{c,cpp} -> build/tests/programs/NAME
TP_C   := $(wildcard tests/programs/*.c)
TP_CXX := $(wildcard tests/programs/*.cpp)
TP_BIN := $(patsubst tests/programs/%.c,$(BUILD)/tests/programs/%,$(TP_C)) \
          $(patsubst tests/programs/%.cpp,$(BUILD)/tests/programs/%,$(TP_CXX))
# Extra libraries for one program: $(BUILD)/tests/programs/NAME: PROG_LIBS := -lfoo
PROG_LIBS :=
$(BUILD)/tests/programs/sqlite_busy_ok: PROG_LIBS := -lsqlite3
$(BUILD)/tests/programs/jemalloc_%: PROG_LIBS := -ljemalloc
$(BUILD)/tests/programs/glib_%: PROG_LIBS = $(shell pkg-config --cflags --libs glib-2.0)
$(BUILD)/tests/programs/omp_%: PROG_LIBS := -fopenmp
$(BUILD)/tests/programs/uv_ok: PROG_LIBS := -luv
$(BUILD)/tests/programs/futex_child_helper: PROG_LIBS := -lz -lm
$(BUILD)/tests/programs/cxx20_%: PROG_CXXFLAGS := -std=c++20 $(WARN) -g -O1 -pthread -Iinclude
# annotate_*: programs that use include/interleave.h
$(filter $(BUILD)/tests/programs/annotate_%,$(TP_BIN)): include/interleave.h
$(BUILD)/tests/programs/static_%: tests/programs/static_%.c
	@mkdir -p $(dir $@)
	$(CC) $(PROG_CFLAGS) -static -o $@ $< $(PROG_LIBS)
# race_*: built with race detection (interleave cc: -fsanitize=thread hooks)
$(BUILD)/tests/programs/race_%: tests/programs/race_%.c $(BUILD)/interleave $(BUILD)/libinterleave.so
	@mkdir -p $(dir $@)
	$(BUILD)/interleave cc $(PROG_CFLAGS) -o $@ $< $(PROG_LIBS)
# asan_*, ubsan_*: built with AddressSanitizer (gcc's shared libasan) or
# UBSan; their reports are bugs of their own kind (docs/detectors.md)
$(BUILD)/tests/programs/asan_%: tests/programs/asan_%.c
	@mkdir -p $(dir $@)
	$(CC) $(PROG_CFLAGS) -fsanitize=address -fno-omit-frame-pointer -o $@ $< $(PROG_LIBS)
$(BUILD)/tests/programs/ubsan_%: tests/programs/ubsan_%.c
	@mkdir -p $(dir $@)
	$(CC) $(PROG_CFLAGS) -fsanitize=undefined -o $@ $< $(PROG_LIBS)
$(BUILD)/tests/programs/%: tests/programs/%.c
	@mkdir -p $(dir $@)
	$(CC) $(PROG_CFLAGS) -o $@ $< $(PROG_LIBS)
$(BUILD)/tests/programs/%: tests/programs/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(PROG_CXXFLAGS) -o $@ $< $(PROG_LIBS)
# GoogleTest binaries for `interleave gtest`: tests/gtest/NAME.cpp -> build/tests/gtest/NAME
GT_BIN := $(patsubst tests/gtest/%.cpp,$(BUILD)/tests/gtest/%,$(wildcard tests/gtest/*.cpp))
$(BUILD)/tests/gtest/%: tests/gtest/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(PROG_CXXFLAGS) -o $@ $< -lgtest -lgtest_main -pthread
programs: $(TP_BIN) $(GT_BIN)

# ---- seed models: each examples/seeds/*/seed.mk lists its variants
SEED_VARIANTS :=
-include $(wildcard examples/seeds/*/seed.mk)
# A variant with _TSAN := 1 is built with interleave cc (race detection).
define seed_rule
$(BUILD)/examples/seeds/$(1): $$($(1)_SRCS) $(wildcard examples/seeds/*/*.h) $(if $($(1)_TSAN),$(BUILD)/interleave $(BUILD)/libinterleave.so)
	@mkdir -p $$(dir $$@)
	$(if $($(1)_TSAN),$(BUILD)/interleave cc,$$(CC)) $$(PROG_CFLAGS) $$($(1)_CFLAGS) -o $$@ $$($(1)_SRCS) $$($(1)_LIBS)
endef
$(foreach v,$(SEED_VARIANTS),$(eval $(call seed_rule,$(v))))
seeds: $(addprefix $(BUILD)/examples/seeds/,$(SEED_VARIANTS))

check: all programs seeds unit
	tests/run.sh

# The README's first command: find seed 000's "Action not found" gap.
demo: all seeds
	$(BUILD)/interleave run --seed 1 -- $(BUILD)/examples/seeds/ui-gap-buggy; test $$? -eq 1

clean:
	rm -rf $(BUILD)

# ---- make install [PREFIX=/usr/local] [DESTDIR=staging]
# The runtime goes to its own directory, $(PREFIX)/lib/interleave, not to
# $(PREFIX)/lib: it is an LD_PRELOAD module for the CLI (no soname, no
# stable ABI, and it interposes pthread_mutex_lock and friends), not a
# library to link against, so it stays off the linker's and ldconfig's
# search paths.  The CLI finds it relative to itself (../lib/interleave,
# cli/target.c); the pkg-config and CMake files locate the prefix
# relative to themselves too, so the tree can be moved (or staged with
# DESTDIR) as a whole.  The layout under PREFIX is therefore fixed
# (MANDIR aside).
PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := 0.1
# (VERSION: what `interleave --version` prints, cli/main.c)
MANDIR  ?= $(PREFIX)/share/man
IL_BIN  := $(DESTDIR)$(PREFIX)/bin
IL_LIB  := $(DESTDIR)$(PREFIX)/lib
IL_INC  := $(DESTDIR)$(PREFIX)/include
IL_CMK  := $(IL_LIB)/cmake/interleave
install: all
	install -d $(IL_BIN) $(IL_LIB)/interleave $(IL_INC) $(IL_LIB)/pkgconfig $(IL_CMK) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BUILD)/interleave $(IL_BIN)/interleave
	install -m 644 $(BUILD)/libinterleave.so $(IL_LIB)/interleave/libinterleave.so
	install -m 644 include/interleave.h $(IL_INC)/interleave.h
	sed 's/@VERSION@/$(VERSION)/' dist/interleave.pc.in > $(IL_LIB)/pkgconfig/interleave.pc
	chmod 644 $(IL_LIB)/pkgconfig/interleave.pc
	install -m 644 dist/interleave-config.cmake $(IL_CMK)/interleave-config.cmake
	sed 's/@VERSION@/$(VERSION)/' dist/interleave-config-version.cmake.in > $(IL_CMK)/interleave-config-version.cmake
	chmod 644 $(IL_CMK)/interleave-config-version.cmake
	install -m 644 docs/interleave.1 $(DESTDIR)$(MANDIR)/man1/interleave.1

uninstall:
	rm -f $(IL_BIN)/interleave $(IL_LIB)/interleave/libinterleave.so $(IL_INC)/interleave.h \
	      $(IL_LIB)/pkgconfig/interleave.pc $(IL_CMK)/interleave-config.cmake \
	      $(IL_CMK)/interleave-config-version.cmake $(DESTDIR)$(MANDIR)/man1/interleave.1
	-rmdir $(IL_LIB)/interleave $(IL_CMK) 2>/dev/null

# One line per seed variant: name expect kind (read by tests/run.sh).
print-seeds:
	@$(foreach v,$(SEED_VARIANTS),echo "$(v) $($(v)_EXPECT) $(or $($(v)_KIND),-) $($(v)_ARGS)";)
.PHONY: print-seeds

# ---- unit tests (cmocka) and the schedule-reader fuzzer (libFuzzer)
$(BUILD)/tests/unit_schedfile: tests/unit/test_schedfile.c cli/schedfile.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -fsanitize=address,undefined -o $@ tests/unit/test_schedfile.c cli/schedfile.c -lcmocka
$(BUILD)/tests/fuzz_schedfile: tests/fuzz/fuzz_schedfile.c cli/schedfile.c $(HDRS)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -g -O1 -fsanitize=fuzzer,address,undefined -o $@ tests/fuzz/fuzz_schedfile.c cli/schedfile.c
# The CLI built with ASan/UBSan, for `make check`.
$(BUILD)/asan/interleave: $(CLI_SRCS) $(HDRS) $(BUILD)/libinterleave.so
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -o $@ $(CLI_SRCS) $(CLI_LIBS)
	cp $(BUILD)/libinterleave.so $(BUILD)/asan/
unit: $(BUILD)/tests/unit_schedfile $(BUILD)/tests/fuzz_schedfile $(BUILD)/asan/interleave
.PHONY: unit
