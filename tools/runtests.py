#!/usr/bin/env python3
"""runtests.py - runs the host unit tests and boots the kernel in QEMU to run
the in-kernel tests (or the benchmarks), relaying one line per test.

Protocol with the kernel (kernel/ktest.c): "RUN suite/name" before each
test, then "PASS suite/name" or "FAIL suite/name: reason"; "KTEST DONE ..."
at the end, then an isa-debug-exit write. A boot that ends any other way (an
unexpected bugcheck, a triple fault, a reboot, a hang past the timeout)
fails the test that was running, and the runner boots again with skip=N to
run the tests after it. The last line is "N passed, N failed"; the exit
status is non-zero if anything failed.

--mem takes several sizes ("128M 16M 3G"): the kernel tests run at each,
the lines of the later sizes named suite/name@16M. Full serial logs go to
build/logs/; VERBOSE=1 relays every line."""
import argparse, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LOGS = os.path.join(ROOT, "build", "logs")
EXIT_SUCCESS, EXIT_FAILURE, EXIT_BUGCHECK = 0x21, 0x23, 0x25
VERBOSE = os.environ.get("VERBOSE", "") not in ("", "0")

def say(line):
    print(line, flush=True)

def make_iso(kernel, cmdline, modules, out):
    cmd = [sys.executable, os.path.join(HERE, "mkiso.py"), "--kernel", kernel,
           "--out", out, "--cmdline", cmdline]
    for m in modules:
        cmd += ["--module", m]
    subprocess.run(cmd, check=True)

def qemu_command(iso, mem, icount):
    cmd = ["qemu-system-i386", "-cdrom", iso, "-m", mem, "-serial", "stdio",
           "-display", "none", "-no-reboot", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if icount:
        cmd += ["-icount", "shift=0,sleep=off", "-rtc", "clock=vm,base=2026-01-01T00:00:00"]
    return cmd

def boot(kernel, cmdline, mem, timeout, modules, icount, log_name, on_line):
    """Boots once; calls on_line for each serial line. Returns (exit code or
    None on timeout, seconds)."""
    os.makedirs(LOGS, exist_ok=True)
    iso = os.path.join(ROOT, "build", "test-%d.iso" % os.getpid())
    make_iso(kernel, cmdline, modules, iso)
    start = time.time()
    proc = subprocess.Popen(qemu_command(iso, mem, icount), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log = open(os.path.join(LOGS, log_name), "w")
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = b""
    timed_out = False
    while True:
        left = timeout - (time.time() - start)
        if left <= 0:
            timed_out = True
            break
        if not sel.select(timeout=min(left, 1.0)):
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            line = raw.decode("utf-8", "replace").rstrip("\r")
            line = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line)   # GRUB's screen codes
            log.write(line + "\n")
            on_line(line)
    if timed_out:
        proc.kill()
    code = proc.wait()
    if buf:
        line = buf.decode("utf-8", "replace").rstrip("\r")
        log.write(line + "\n")
        on_line(line)
    log.close()
    try:
        os.unlink(iso)
    except OSError:
        pass
    return (None if timed_out else code), time.time() - start

class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.suffix = ""        # "@16M" for boots at the extra memory sizes

    def line(self, line, quiet=False):
        """Counts a result line and prints it (unless quiet: already shown)."""
        if self.suffix and line[:5] in ("PASS ", "FAIL ", "SKIP "):
            kind, rest = line[:5], line[5:]
            name, sep, reason = rest.partition(":")
            line = kind + name + self.suffix + sep + reason
        if line.startswith("PASS "):
            self.passed += 1
        elif line.startswith("FAIL "):
            self.failed += 1
        elif line.startswith("SKIP "):
            self.skipped += 1
        else:
            return False
        if not quiet:
            say(line)
        return True

def run_host_tests(binaries, filt, tally):
    """Runs the host test programs side by side (one per core), then reports
    their lines in a stable order."""
    import concurrent.futures
    def run(b):
        return b, subprocess.run([b] + ([filt] if filt else []), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
    jobs = max(1, os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for b, r in pool.map(run, binaries):
            for line in r.stdout.decode(errors="replace").splitlines():
                tally.line(line)
            if r.returncode not in (0, 1):
                tally.line("FAIL host.%s: crashed with status %d: %s" % (
                    os.path.basename(b), r.returncode,
                    r.stderr.decode(errors="replace").strip().splitlines()[-1:]))

def run_kernel_tests(a, mem, tally):
    """Boots until every test has run; then checks that every user program
    the filter selects did start (a module GRUB could not load never would)."""
    started = set()
    grub_errors = []
    run_boots(a, mem, tally, started, grub_errors)
    for app in a.app:
        name = "app/" + os.path.basename(app.partition(":")[0])[:-len(".elf")]
        if (not a.tests or a.tests in name) and name not in started:
            tally.line("FAIL %s: never started (%s)" % (
                name, "; ".join(grub_errors) or "its module did not reach the kernel"))

def run_boots(a, mem, tally, started, grub_errors):
    skip = 0
    boots = 0
    while True:
        boots += 1
        state = {"running": None, "last_run": None, "runs": 0, "done": False,
                 "in_stop": False, "stop_reported": False, "notes": []}

        def on_line(line):
            if VERBOSE:
                say("| " + line)
            if line.lstrip("\r").startswith("error: ") and not state["runs"]:
                grub_errors.append("GRUB: " + line.lstrip("\r")[7:].strip())   # before the kernel
            if line.startswith("RUN "):
                state["running"] = state["last_run"] = line[4:].strip()
                state["runs"] += 1
                started.add(state["running"])
                return
            if line.startswith(("PASS ", "FAIL ", "SKIP ")):
                if state["in_stop"] and line.startswith("FAIL "):
                    state["stop_reported"] = True   # the kernel named the test it ended
                state["in_stop"] = False
                tally.line(line, quiet=VERBOSE)
                state["running"] = None
                return
            if line.startswith("KTEST DONE"):
                state["done"] = True
                return
            if line.startswith("*** STOP"):
                state["in_stop"] = True
                if not VERBOSE:
                    for note in state["notes"]:     # e.g. the failed assertion
                        say(note)
            if state["in_stop"] and not VERBOSE:
                say(line)
            # Lines the kernel prints just before a STOP explain it.
            state["notes"] = (state["notes"] + [line])[-3:] if line.startswith(
                ("***", "Double fault")) else []

        cmd = "mode=test mem=%s skip=%d" % (mem, skip)
        if a.tests:
            cmd += " tests=%s" % a.tests
        code, secs = boot(a.kernel, cmd, mem, a.timeout, a.module, False,
                          "test-%s-boot%d.log" % (mem, boots), on_line)
        if state["done"] and code in (EXIT_SUCCESS, EXIT_FAILURE):
            return
        why = {None: "timeout after %ds (hang)" % a.timeout,
               0: "the machine reset (triple fault or reboot)",
               EXIT_BUGCHECK: "unexpected bugcheck"}.get(code, "QEMU exited with status %s" % code)
        if state["running"]:
            tally.line("FAIL %s: %s" % (state["running"], why))
        elif code == EXIT_BUGCHECK and state["last_run"] and not state["stop_reported"]:
            # A program's own PASS lines end "running", so a bugcheck after
            # them (its exit, the reaping of its threads) is still its failure.
            tally.line("FAIL %s: %s after its last result line" % (state["last_run"], why))
        elif code != EXIT_BUGCHECK or state["runs"] == 0:
            tally.line("FAIL boot/boot%d: %s before any test finished the run (see build/logs)"
                       % (boots, why))
            if state["runs"] == 0:
                return
        skip += state["runs"]
        if boots > 50:
            tally.line("FAIL boot/too_many_boots: giving up")
            return

def run_bench(a):
    """The first memory size runs every benchmark; the others only the
    "sized" ones (whose names end in the size), for comparison."""
    figures = {}
    for i, mem in enumerate(a.mem.split()):
        state = {"done": False}

        def on_line(line):
            if VERBOSE:
                say("| " + line)
            if line.startswith("BENCH "):
                if not VERBOSE:
                    say(line)
                parts = line.split()
                if len(parts) >= 3:
                    figures[parts[1]] = parts[2]
            if line.startswith("*** STOP") and not VERBOSE:
                say(line)
            if line.startswith("KBENCH DONE"):
                state["done"] = True

        filt = a.tests if i == 0 else "sized"
        cmd = "mode=bench mem=%s" % mem + (" tests=%s" % filt if filt else "")
        code, secs = boot(a.kernel, cmd, mem, a.timeout, a.module, a.icount != 0,
                          "bench-%s.log" % mem, on_line)
        if not state["done"] or code != EXIT_SUCCESS:
            say("bench: the boot did not finish (status %s); see build/logs/bench-%s.log"
                % (code, mem))
            return 1
    # User-mode figures against the page-zeroing calibrator of the same boot.
    zero = figures.get("calib.zero_page")
    for name in sorted(figures):
        if name.startswith("vm.demand_zero_fault") and zero and not name.endswith("_per_zero_page"):
            say("BENCH %s_per_zero_page %.2f x" % (name, float(figures[name]) / float(zero)))
    for small, large in (("vm.alloc_free.100", "vm.alloc_free.10000"),
                         ("vm.query.100", "vm.query.10000")):
        if small in figures and large in figures and float(figures[small]) > 0:
            say("BENCH %s_vs_100 %.2f x" % (large, float(figures[large]) / float(figures[small])))
    sizes = a.mem.split()
    if len(sizes) > 1:
        # Sized figures side by side: the second size against the first.
        for name in sorted(figures):
            if name.endswith("." + sizes[0]) and "_per_" not in name:
                base = name[:-len(sizes[0]) - 1]
                other = figures.get(base + "." + sizes[1])
                if other and float(figures[name]) > 0:
                    say("BENCH %s.%s_vs_%s %.2f x" % (base, sizes[1], sizes[0],
                                                     float(other) / float(figures[name])))
    return 0

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--mem", default="128M")
    ap.add_argument("--tests", default="")
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--module", action="append", default=[])
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--icount", type=int, default=1)
    ap.add_argument("host_tests", nargs="*")
    ap.add_argument("--app", action="append", default=[],
                    help="a user program: ELF path, then its source for // EXPECT_EXIT:")
    a = ap.parse_args()
    for app in a.app:
        # "build/apps/x.elf:tests/apps/x.c": the source may say its exit status.
        elf, _, src = app.partition(":")
        expect = ""
        if src and os.path.exists(src):
            text = open(src).read()
            m = re.search(r"^// EXPECT_EXIT:\s*(\S+)", text, re.M)
            if m:
                expect = " expect=" + m.group(1)
            m = re.search(r"^// INSTANCES:\s*(\d+)", text, re.M)
            if m:
                expect += " instances=" + m.group(1)
        a.module.append(elf + expect)
    if a.bench:
        sys.exit(run_bench(a))
    start = time.time()
    tally = Tally()
    run_host_tests(a.host_tests, a.tests, tally)
    for i, mem in enumerate(a.mem.split()):
        tally.suffix = "" if i == 0 else "@" + mem
        run_kernel_tests(a, mem, tally)
    say("(%d tests in %.1f s)" % (tally.passed + tally.failed + tally.skipped, time.time() - start))
    tail = "%d passed, %d failed" % (tally.passed, tally.failed)
    if tally.skipped:
        tail += ", %d skipped" % tally.skipped
    say(tail)
    sys.exit(1 if tally.failed else 0)

if __name__ == "__main__":
    main()
