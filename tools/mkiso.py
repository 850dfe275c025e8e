#!/usr/bin/env python3
"""mkiso.py - stages a GRUB ISO: the kernel, its command line, and modules.

iso/grub.cfg is the template: @CMDLINE@ becomes the kernel's command line and
@MODULES@ one 'module2' line per module (user programs, files)."""
import argparse, os, shutil, subprocess, sys, tempfile

def strip_copy(src, dst):
    """Copies an ELF file without its debug sections (a plain copy if objcopy fails)."""
    if subprocess.run(["objcopy", "--strip-debug", src, dst]).returncode != 0:
        shutil.copy(src, dst)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cmdline", default="")
    ap.add_argument("--module", action="append", default=[])
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    template = open(os.path.join(here, "..", "iso", "grub.cfg")).read()
    with tempfile.TemporaryDirectory(prefix="ntmm-iso-") as stage:
        os.makedirs(os.path.join(stage, "boot", "grub"))
        # GRUB reads a file whole before it loads it: on a small machine the
        # debug sections alone would not fit (gdb reads them from the build).
        strip_copy(a.kernel, os.path.join(stage, "boot", "kernel.elf"))
        mods = []
        for m in a.module:
            # "path [arguments]": the module's string is its name and arguments.
            path, _, args = m.partition(" ")
            name = os.path.basename(path)
            # The same for modules (the symbol table stays: the loader looks
            # symbols up in it).
            strip_copy(path, os.path.join(stage, "boot", name))
            mods.append("    module2 /boot/%s %s%s" % (name, name, " " + args if args else ""))
        cfg = template.replace("@CMDLINE@", a.cmdline).replace("@MODULES@", "\n".join(mods))
        open(os.path.join(stage, "boot", "grub", "grub.cfg"), "w").write(cfg)
        r = subprocess.run(["grub-mkrescue", "-o", a.out, stage],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            sys.stderr.write(r.stdout.decode(errors="replace"))
            sys.exit("grub-mkrescue failed")

if __name__ == "__main__":
    main()
