# NT-style memory manager for a 32-bit x86 kernel: build, boot, test, bench.
#
#   make run     build the ISO and boot it, serial console on this terminal
#   make test    host unit tests, then every in-kernel test under QEMU
#   make bench   instruction-counted benchmarks (QEMU icount mode)
#   make debug   QEMU halted with its gdb stub; then: gdb -x tools/gdbinit
#   make iso     build the ISO only
#
# Variables: MEM (QEMU RAM: default 128M for run; test runs 128M, 16M and
# 3G and bench 1G and 16M unless MEM is given), TESTS (substring filter on
# suite/name, comma-separated alternatives), EXTRA_KTESTS, EXTRA_APPS,
# TIMEOUT (seconds per boot), ICOUNT (1: instruction counting in bench).

# MEM given on the command line or in the environment is used as it is;
# otherwise `make test` runs at three sizes and `make bench` at two.
MEM_GIVEN := $(filter command line environment,$(origin MEM))
MEM      ?= 128M
TEST_MEM := $(if $(MEM_GIVEN),$(MEM),128M 16M 3G)
BENCH_MEM := $(if $(MEM_GIVEN),$(MEM),1G 16M)
TESTS    ?=
TIMEOUT  ?= 120
ICOUNT   ?= 1
EXTRA_KTESTS ?=
EXTRA_APPS ?=

B := build
CC := gcc
NASM := nasm
PYTHON := python3

# The kernel: 32-bit, freestanding, frame pointers kept for stack traces.
KCFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-common -fno-delete-null-pointer-checks \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-multichar \
	-Ilib -Ikernel -Imm -Itests/kernel
KLDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-T,boot/linker.ld
NASMFLAGS := -f elf32 -g -F dwarf -Iboot/

# Tests catch bugchecks with setjmp (KT_EXPECT_BUGCHECK); once the hot paths
# (page lists, IRQL, SLIST, lookaside) are inline, -Wclobbered's register
# heuristic flags test locals that nothing changes between the setjmp and
# the jump back. The rule itself is in ktest.h: locals the statement changes
# must be volatile.
$(B)/k/tests/%.o: KCFLAGS += -Wno-clobbered

# Host unit tests: the pure code, with sanitizers.
HCFLAGS := -std=gnu11 -O1 -g -DHOST_BUILD -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-multichar -Wno-clobbered \
	-Ilib -Ikernel -Imm -Itests/host

KSRC_C := $(wildcard kernel/*.c mm/*.c lib/*.c tests/kernel/*.c) $(EXTRA_KTESTS)
KSRC_S := $(wildcard boot/*.asm kernel/*.asm)
KOBJ := $(patsubst %.c,$(B)/k/%.o,$(KSRC_C)) $(patsubst %.asm,$(B)/k/%.o,$(KSRC_S))
# EXTRA_KTESTS may live outside the tree: keep their objects under build/k/extra.
KOBJ := $(foreach o,$(KOBJ),$(if $(findstring ..,$(o)),$(B)/k/extra/$(notdir $(o)),$(o)))

HOST_TESTS := $(patsubst tests/host/%.c,$(B)/host/%,$(wildcard tests/host/test_*.c))
HLIB := $(wildcard lib/*.c)
# lib/ and the host support are compiled once and linked into every host test.
HLIB_OBJ := $(patsubst %.c,$(B)/host/%.o,$(HLIB) tests/host/host_support.c)

NPROC := $(shell nproc 2>/dev/null || echo 2)
# The tools come first (they may be installed), then a parallel build.
BUILD = $(MAKE) --no-print-directory -j$(NPROC)

.PHONY: all iso run test test-host test-kernel bench debug clean tools build
all: $(B)/kernel.elf

# ---- tools: check, and install on Debian as root -----------------------------
tools:
	@sh tools/deps.sh

# ---- kernel ------------------------------------------------------------------
$(B)/k/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(B)/k/%.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM  $<"
	@$(NASM) $(NASMFLAGS) -MD $(B)/k/$*.d $< -o $@

define extra_rule
$(B)/k/extra/$(notdir $(1:.c=.o)): $(1)
	@mkdir -p $(B)/k/extra
	@echo "  CC    $(1)"
	@$(CC) $(KCFLAGS) -MMD -MP -c $(1) -o $$@
endef
$(foreach f,$(EXTRA_KTESTS),$(eval $(call extra_rule,$(f))))

# The set of EXTRA_KTESTS is a dependency too: a test named on one command
# must not stay linked in on the next. The list is rewritten only when it
# changes, so an unchanged set relinks nothing.
KTESTS_LIST := $(B)/k/extra-ktests.list
$(shell mkdir -p $(B)/k && (echo '$(EXTRA_KTESTS)' | cmp -s - $(KTESTS_LIST) || \
	echo '$(EXTRA_KTESTS)' > $(KTESTS_LIST)))

# Two links: the first finds the text symbols, which become a table linked
# into .rodata of the second. .text comes first in the image and the table
# holds no code, so no function moves between the passes (checked below).
$(B)/kernel.elf: $(KOBJ) boot/linker.ld tools/gensyms.sh $(B)/ksyms0.o $(KTESTS_LIST)
	@echo "  LD    $@"
	@$(CC) $(KLDFLAGS) -o $(B)/kernel.pass1 $(KOBJ) $(B)/ksyms0.o -lgcc
	@sh tools/gensyms.sh $(B)/kernel.pass1 > $(B)/ksyms.c
	@$(CC) $(KCFLAGS) -c $(B)/ksyms.c -o $(B)/ksyms.o
	@$(CC) $(KLDFLAGS) -o $@.tmp $(KOBJ) $(B)/ksyms.o -lgcc
	@sh tools/gensyms.sh $@.tmp | cmp -s - $(B)/ksyms.c || \
		{ echo "symbol table moved text between link passes"; exit 1; }
	@mv $@.tmp $@

$(B)/ksyms0.o: tools/gensyms.sh
	@mkdir -p $(B)
	sh tools/gensyms.sh /dev/null > $(B)/ksyms0.c
	$(CC) $(KCFLAGS) -c $(B)/ksyms0.c -o $@

# ---- ISO ---------------------------------------------------------------------
iso: tools
	@$(BUILD) $(B)/kernel.elf
	@$(PYTHON) tools/mkiso.py --kernel $(B)/kernel.elf --out $(B)/ntmm.iso --cmdline "mode=run"
	@echo "ISO: $(B)/ntmm.iso"

# make run shows the machine, then runs app_hello and any EXTRA_APPS as processes.
RUN_APPS = $(B)/apps/app_hello.elf $(foreach f,$(EXTRA_APPS),$(B)/apps/$(notdir $(f:.c=.elf)))

run: tools
	@$(BUILD) $(B)/kernel.elf apps
	@$(PYTHON) tools/mkiso.py --kernel $(B)/kernel.elf --out $(B)/ntmm.iso --cmdline "mode=run" \
		$(foreach a,$(RUN_APPS),--module $(a))
	qemu-system-i386 -cdrom $(B)/ntmm.iso -m $(MEM) -serial stdio -display none \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04

debug: tools
	@$(BUILD) $(B)/kernel.elf
	@$(PYTHON) tools/mkiso.py --kernel $(B)/kernel.elf --out $(B)/ntmm.iso --cmdline "mode=run"
	@echo "QEMU is halted; in another terminal: gdb -x tools/gdbinit"
	qemu-system-i386 -cdrom $(B)/ntmm.iso -m $(MEM) -serial stdio -display none \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -s -S

# ---- tests -------------------------------------------------------------------
$(B)/host/htest.o: tests/host/htest.c tests/host/htest.h
	@mkdir -p $(B)/host
	$(CC) $(HCFLAGS) -c $< -o $@

# A host test names the non-lib sources it needs on a line "// HOST_SOURCES: a.c b.c".
host_sources = $(shell sed -n 's/^.. HOST_SOURCES://p' $(1))
.SECONDEXPANSION:
$(B)/host/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(HCFLAGS) -MMD -MP -c $< -o $@

$(B)/host/tests/host/%.o: tests/host/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(HCFLAGS) -MMD -MP -c $< -o $@

$(B)/host/test_%: tests/host/test_%.c $(B)/host/htest.o $(HLIB_OBJ) $(wildcard lib/*.h) \
		$$(call host_sources,tests/host/test_$$*.c)
	@mkdir -p $(B)/host
	@echo "  HOST  $@"
	@$(CC) $(HCFLAGS) -o $@ $< $(B)/host/htest.o $(HLIB_OBJ) \
		$(call host_sources,$<)

test-host: $(HOST_TESTS)

# Each user program goes to the runner as ELF:source, so the runner can read
# the source's "// EXPECT_EXIT:" line.
APP_ARGS = $(foreach f,$(wildcard tests/apps/*.c) $(EXTRA_APPS),--app $(B)/apps/$(notdir $(f:.c=.elf)):$(f))

test: tools
	@$(BUILD) test-host $(B)/kernel.elf apps
	@$(PYTHON) tools/runtests.py --kernel $(B)/kernel.elf --mem "$(TEST_MEM)" \
		--tests "$(TESTS)" --timeout $(TIMEOUT) $(APP_ARGS) $(HOST_TESTS)

# User-mode benchmarks: programs in tests/bench/ that time themselves.
BENCH_APP_ARGS = $(foreach f,$(wildcard tests/bench/*.c),--app $(B)/apps/$(notdir $(f:.c=.elf)):$(f))

bench: tools
	@$(BUILD) $(B)/kernel.elf bench-apps
	@$(PYTHON) tools/runtests.py --bench --icount $(ICOUNT) --kernel $(B)/kernel.elf \
		--mem "$(BENCH_MEM)" --tests "$(TESTS)" --timeout $(TIMEOUT) $(BENCH_APP_ARGS)

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---- bench-host: the Rtl heap against glibc, mimalloc, jemalloc, tcmalloc ----
# Host benchmark, -O2 without sanitizers; peers are dlopen'ed when their
# Debian packages are installed (libmimalloc-dev, libjemalloc-dev,
# libtcmalloc-minimal4). Prints BENCH lines and ratios (ns per alloc+free).
BENCH_HEAP_SRC := tests/host/bench_heap.c $(wildcard lib/heap*.c) lib/string.c \
	tests/host/heap_host_env.c tests/host/host_support.c
$(B)/host/bench_heap: $(BENCH_HEAP_SRC) $(wildcard lib/*.h)
	@mkdir -p $(B)/host
	$(CC) -std=gnu11 -O2 -g -DHOST_BUILD -Wall -Wextra -Werror -Wno-unused-parameter \
		-Wno-missing-field-initializers -Ilib -Ikernel -Imm -Itests/host \
		-o $@ $(BENCH_HEAP_SRC) -ldl

.PHONY: bench-host
bench-host: $(B)/host/bench_heap
	$(B)/host/bench_heap

# ---- user mode: the runtime (lib/user) and the programs (tests/apps, EXTRA_APPS) ----
# The runtime is build/user/libntuser.a (ntdll and kernel32 layers, the C
# library, and lib/format.c, string.c, rtl.c compiled for ring 3) plus
# build/user/crt0.o, linked first into every program. Each tests/apps/NAME.c
# and each EXTRA_APPS file becomes build/apps/NAME.elf (lib/user/user.ld);
# APPS_ELF lists them, for the runner's --module. `make check-mingw` builds
# the same sources with a Windows compiler, to keep them honest Win32.
UCFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-common \
	-fstack-clash-protection \
	-fno-delete-null-pointer-checks -nostdinc -isystem $(shell $(CC) -m32 -print-file-name=include) \
	-Ilib/user/include -Ilib
URT_CFLAGS := $(UCFLAGS) -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-multichar
# The project's programs must build clean; EXTRA_APPS only get the warnings.
APP_CFLAGS := $(UCFLAGS) -Wall -Wextra -Wno-unused-parameter
ULDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
	-Wl,-T,lib/user/user.ld -Wl,-u,KiUserExceptionDispatcher

URT_SRC := $(wildcard lib/user/ntdll/*.c lib/user/kernel32/*.c) \
	$(filter-out lib/user/crt/crt0.c,$(wildcard lib/user/crt/*.c)) \
	lib/format.c lib/string.c lib/rtl.c $(wildcard lib/heap*.c)
URT_OBJ := $(patsubst %.c,$(B)/user/%.o,$(URT_SRC))
URT_LIB := $(B)/user/libntuser.a
URT_HDR := $(wildcard lib/user/include/*.h lib/*.h)
URT_CRT0 := $(B)/user/crt0.o

APP_SRC := $(wildcard tests/apps/*.c)
APPS_ELF := $(patsubst tests/apps/%.c,$(B)/apps/%.elf,$(APP_SRC)) \
	$(foreach f,$(EXTRA_APPS),$(B)/apps/$(notdir $(f:.c=.elf)))

$(B)/user/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  UCC   $<"
	@$(CC) $(URT_CFLAGS) -Ilib/user -MMD -MP -c $< -o $@

$(URT_CRT0): lib/user/crt/crt0.c
	@mkdir -p $(dir $@)
	@echo "  UCC   $<"
	@$(CC) $(URT_CFLAGS) -Ilib/user -MMD -MP -c $< -o $@

$(URT_LIB): $(URT_OBJ)
	@echo "  AR    $@"
	@rm -f $@
	@ar rcs $@ $(URT_OBJ)

# app_link(source, cflags): one program, compiled and linked with the runtime.
define app_link
$(B)/apps/$(notdir $(1:.c=.elf)): $(1) $(URT_CRT0) $(URT_LIB) lib/user/user.ld $(URT_HDR)
	@mkdir -p $(B)/apps
	@echo "  APP   $$@"
	@$(CC) $(2) -MMD -MP -c $(1) -o $(B)/apps/$(notdir $(1:.c=.o))
	@$(CC) $(ULDFLAGS) -o $$@ $(URT_CRT0) $(B)/apps/$(notdir $(1:.c=.o)) $(URT_LIB) -lgcc
endef
$(foreach f,$(APP_SRC),$(eval $(call app_link,$(f),$(APP_CFLAGS) -Werror)))
$(foreach f,$(EXTRA_APPS),$(eval $(call app_link,$(f),$(APP_CFLAGS))))
BENCH_APP_SRC := $(wildcard tests/bench/*.c)
$(foreach f,$(BENCH_APP_SRC),$(eval $(call app_link,$(f),$(APP_CFLAGS) -Werror)))
.PHONY: bench-apps
bench-apps: $(patsubst tests/bench/%.c,$(B)/apps/%.elf,$(BENCH_APP_SRC))

.PHONY: apps check-mingw
apps: $(APPS_ELF)

MINGW_CC := i686-w64-mingw32-gcc
check-mingw:
	@command -v $(MINGW_CC) >/dev/null || \
		{ echo "$(MINGW_CC) missing: apt-get install -y gcc-mingw-w64-i686"; exit 1; }
	@mkdir -p $(B)/mingw
	@set -e; for f in $(APP_SRC) $(EXTRA_APPS); do \
		grep -q "^// NATIVE-ONLY" $$f && continue; \
		echo "  MINGW $$f"; \
		$(MINGW_CC) -Wall -Wextra -Wno-unused-parameter -Werror -O2 \
			-o $(B)/mingw/$$(basename $$f .c).exe $$f; \
	done
