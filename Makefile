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

.PHONY: all iso run test test-host test-kernel bench debug clean tools
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

# Two links: the first finds the text symbols, which become a table linked
# into .rodata of the second. .text comes first in the image and the table
# holds no code, so no function moves between the passes (checked below).
$(B)/kernel.elf: $(KOBJ) boot/linker.ld tools/gensyms.sh $(B)/ksyms0.o
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
iso: tools $(B)/kernel.elf
	@$(PYTHON) tools/mkiso.py --kernel $(B)/kernel.elf --out $(B)/ntmm.iso --cmdline "mode=run"
	@echo "ISO: $(B)/ntmm.iso"

run: tools $(B)/kernel.elf
	@$(PYTHON) tools/mkiso.py --kernel $(B)/kernel.elf --out $(B)/ntmm.iso --cmdline "mode=run"
	qemu-system-i386 -cdrom $(B)/ntmm.iso -m $(MEM) -serial stdio -display none \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04

debug: tools $(B)/kernel.elf
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
$(B)/host/test_%: tests/host/test_%.c $(B)/host/htest.o $(HLIB) $(wildcard lib/*.h) \
		tests/host/host_support.c $$(call host_sources,tests/host/test_$$*.c)
	@mkdir -p $(B)/host
	@echo "  HOST  $@"
	@$(CC) $(HCFLAGS) -o $@ $< $(B)/host/htest.o $(HLIB) tests/host/host_support.c \
		$(call host_sources,$<)

test-host: $(HOST_TESTS)

test: tools test-host $(B)/kernel.elf
	@$(PYTHON) tools/runtests.py --kernel $(B)/kernel.elf --mem "$(TEST_MEM)" \
		--tests "$(TESTS)" --timeout $(TIMEOUT) $(HOST_TESTS)

bench: tools $(B)/kernel.elf
	@$(PYTHON) tools/runtests.py --bench --icount $(ICOUNT) --kernel $(B)/kernel.elf \
		--mem "$(BENCH_MEM)" --tests "$(TESTS)" --timeout $(TIMEOUT)

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
