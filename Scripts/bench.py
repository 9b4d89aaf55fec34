#!/usr/bin/env python3
"""Benchmark harness for Scripts/bench (run that, not this).

For each dump size, runs interleaved repetitions of the libyaml floor and of
`csi-migrate scan`, `translate` and `plan`, each timed as the wall-clock time
of the whole process (time.perf_counter around spawn + os.wait4) with its peak
RSS from wait4's rusage. Prints a Markdown table with the median time, the
median of the per-repetition ratios to the floor, the peak RSS and the budgets
from DESIGN.md; `--check` exits 1 when a budget fails.

Python standard library only.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MIB = 1024 * 1024

# Budgets (DESIGN.md "Budgets" and the bench issue). Time ratios are judged at
# sizes >= --judge-from PVs (process start-up dominates small dumps); peak
# memory at every size.
BUDGETS = {
    "scan": {"ratio": 1.3, "rss_mib": 64},
    "translate": {"rss_mib": 64},
    "plan": {"ratio": 3.0, "rss_mib": 64},
}
# Cost must stay linear in the dump: time per MiB at a size may exceed the
# time per MiB at the previous size by at most this factor.
LINEAR_TOLERANCE = 1.5
LINEAR_MIN_FLOOR_S = 0.2  # ignore sizes whose floor is too short to compare

OK_EXIT_CODES = (0, 3, 4)  # 3 and 4 are findings (in-tree volumes, blockers)
USAGE_PATTERN = re.compile(
    r"unknown (option|subcommand|command)|unexpected argument|invalid (sub)?command"
    r"|no such (sub)?command|not (yet )?implemented",
    re.IGNORECASE,
)


class Sample:
    __slots__ = ("seconds", "rss_kib", "code", "stderr")

    def __init__(self, seconds, rss_kib, code, stderr):
        self.seconds = seconds
        self.rss_kib = rss_kib
        self.code = code
        self.stderr = stderr


def run(argv):
    """Run argv to completion: wall seconds, peak RSS (KiB), exit code, stderr."""
    with open(os.devnull, "rb") as stdin, open(os.devnull, "wb") as stdout, \
            tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=err, close_fds=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read(64 * 1024).decode("utf-8", "replace")
    return Sample(seconds, usage.ru_maxrss, code, text)


def describe_exit(code):
    return "signal %d" % -code if code < 0 else "exit %d" % code


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def command_output(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, timeout=60)
        return first_line(out.stdout.decode("utf-8", "replace")) if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def file_system(path):
    """The type of the file system holding path (ext4, tmpfs, ...), or "unknown"."""
    return (command_output(["findmnt", "-n", "-o", "FSTYPE", "--target", path])
            or command_output(["stat", "-f", "-c", "%T", path]) or "unknown")


def machine_info(binary, plan_dir):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                    cpu = value.strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / MIB)
                    break
    except OSError:
        pass
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count()
    swift = command_output(["swift", "--version"]) if shutil.which("swift") else ""
    libyaml = command_output(["pkg-config", "--modversion", "yaml-0.1"])
    tool = command_output([binary, "--version"])
    os_name = ""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return [
        ("machine", platform.machine()),
        ("cpu", cpu),
        ("cpus (nproc)", str(cpus)),
        ("memory", mem or "unknown"),
        ("os", "%s, Linux %s" % (os_name or platform.system(), platform.release())),
        ("swift", swift or "not found"),
        ("libyaml", libyaml or "unknown"),
        ("python", platform.python_version()),
        ("csi-migrate", "%s (%s)" % (tool or "no --version", binary)),
        ("plan written to", "%s (%s)" % (plan_dir, file_system(plan_dir))),
    ]


class Command:
    def __init__(self, name, label, argv_for):
        self.name = name
        self.label = label
        self.argv_for = argv_for


def median(values):
    return statistics.median(values) if values else float("nan")


def fmt_s(x):
    return "%.3f" % x if x < 10 else "%.2f" % x


def main():
    ap = argparse.ArgumentParser(description="csi-migrate benchmark harness (use Scripts/bench)")
    ap.add_argument("--bin", required=True, help="csi-migrate binary")
    ap.add_argument("--floor", required=True, help="bench-floor binary")
    ap.add_argument("--dump", action="append", required=True, metavar="PVS=PATH",
                    help="a generated dump and its PV count (repeatable)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--judge-from", type=int, default=100000, metavar="PVS",
                    help="judge time ratios only at sizes with at least this many PVs")
    ap.add_argument("--check", action="store_true", help="exit 1 when a budget fails")
    ap.add_argument("--raw", metavar="FILE", help="also write every sample as JSON here")
    ap.add_argument("--reproduce", default="", help="the command line to print for reproduction")
    ap.add_argument("--plan-dir", default=None, metavar="DIR",
                    help="where plan writes its directories (default: the system temp directory)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    dumps = []
    for spec in args.dump:
        pvs, _, path = spec.partition("=")
        dumps.append((int(pvs), path))
    dumps.sort()

    # Each plan run writes a new directory, removed once the run is timed: a plan's cost is
    # writing the directory, not deleting the previous one (which `--force` would add).
    plan_root = tempfile.mkdtemp(prefix="csi-migrate-bench-", dir=args.plan_dir)
    plan_parent = os.path.dirname(plan_root)
    plan_out = os.path.join(plan_root, "plan")
    commands = [
        Command("floor", "floor (libyaml parse)", lambda f: [args.floor, f]),
        Command("scan", "scan -o json", lambda f: [args.bin, "scan", f, "-o", "json"]),
        Command("translate", "translate", lambda f: [args.bin, "translate", f]),
        Command("plan", "plan --out DIR",
                lambda f: [args.bin, "plan", f, "--out", plan_out]),
    ]

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    # wait4's ru_maxrss of a child includes the RSS it had before exec, i.e. a copy
    # of this harness (Linux keeps the old mm's high-water mark across exec), so
    # readings at or below what /bin/true reads are only an upper bound.
    baseline_kib = max(run(["true"]).rss_kib for _ in range(3))

    results = []  # one dict per (size, command)
    try:
        for pvs, path in dumps:
            mib = os.path.getsize(path) / MIB
            log("bench: %s PVs, %.1f MiB (%s)" % (format(pvs, ","), mib, path))
            # Warm-up run of each command (also puts the dump in the page cache)
            # and decides which subcommands this binary has.
            status = {}
            for c in commands:
                s = run(c.argv_for(path))
                shutil.rmtree(plan_out, ignore_errors=True)
                if s.code in OK_EXIT_CODES:
                    status[c.name] = "ok"
                elif c.name == "floor":
                    log("bench: the floor failed on %s (%s): %s" % (path, describe_exit(s.code), s.stderr.strip()))
                    return 2
                elif s.code == 64 or (s.code > 0 and USAGE_PATTERN.search(s.stderr)):
                    status[c.name] = "n/a: not in this binary"
                    log("bench:   %s: not available (%s: %s)" % (c.name, describe_exit(s.code), first_line(s.stderr)))
                else:
                    status[c.name] = "failed (%s)" % describe_exit(s.code)
                    log("bench:   %s FAILED on warm-up (%s):\n%s" % (c.name, describe_exit(s.code), s.stderr.strip()[-2000:]))
            samples = {c.name: [] for c in commands}
            for rep in range(args.runs):
                for c in commands:
                    if status[c.name] != "ok":
                        continue
                    s = run(c.argv_for(path))
                    shutil.rmtree(plan_out, ignore_errors=True)
                    if s.code not in OK_EXIT_CODES:
                        status[c.name] = "failed (%s)" % describe_exit(s.code)
                        log("bench:   %s FAILED in run %d (%s):\n%s" % (c.name, rep + 1, describe_exit(s.code), s.stderr.strip()[-2000:]))
                        continue
                    samples[c.name].append((rep, s))
                done = ", ".join("%s %s" % (c.name, fmt_s(samples[c.name][-1][1].seconds))
                                 for c in commands if status[c.name] == "ok" and samples[c.name])
                log("bench:   run %d/%d: %s" % (rep + 1, args.runs, done))
            floor_by_rep = {rep: s.seconds for rep, s in samples["floor"]}
            floor_median = median([s.seconds for _, s in samples["floor"]])
            for c in commands:
                ss = samples[c.name]
                row = {"pvs": pvs, "mib": mib, "command": c.name, "label": c.label,
                       "status": status[c.name], "floor_s": floor_median,
                       "seconds": [s.seconds for _, s in ss], "rss_kib": [s.rss_kib for _, s in ss],
                       "codes": sorted({s.code for _, s in ss})}
                if status[c.name] == "ok" and ss:
                    row["median_s"] = median(row["seconds"])
                    row["ratio"] = median([s.seconds / floor_by_rep[rep] for rep, s in ss if rep in floor_by_rep])
                    row["peak_rss_mib"] = max(row["rss_kib"]) / 1024
                results.append(row)
    finally:
        shutil.rmtree(plan_root, ignore_errors=True)

    # ---- budgets ----------------------------------------------------------
    def verdicts(row):
        """(text, failed) for one row."""
        name = row["command"]
        if name == "floor":
            return "—", False
        budget = BUDGETS.get(name, {})
        if row["status"] != "ok":
            return row["status"], True
        parts, failed = [], False
        if "ratio" in budget:
            limit = budget["ratio"]
            if row["pvs"] >= args.judge_from:
                ok = row["ratio"] <= limit
                failed |= not ok
                parts.append("time %s (≤%gx)" % ("ok" if ok else "FAIL", limit))
            else:
                parts.append("time not judged (≤%gx at ≥%s PVs)" % (limit, format(args.judge_from, ",")))
        else:
            parts.append("time: report only")
        if "rss_mib" in budget:
            limit = budget["rss_mib"]
            ok = row["peak_rss_mib"] < limit
            failed |= not ok
            parts.append("mem %s (<%g MiB)" % ("ok" if ok else "FAIL", limit))
        return ", ".join(parts), failed

    def fmt_rss(row):
        kib = max(row["rss_kib"])
        if kib <= baseline_kib + 512:
            return "≤%.1f" % (baseline_kib / 1024)
        return "%.1f" % (kib / 1024)

    any_failed = False
    failed_items = []
    print("## csi-migrate benchmarks")
    print()
    print("| PVs | dump MiB | floor s | command | median s | × floor | peak RSS MiB | budget |")
    print("|---:|---:|---:|---|---:|---:|---:|---|")
    for row in results:
        text, failed = verdicts(row)
        if failed:
            any_failed = True
            failed_items.append("%s at %s PVs: %s" % (row["command"], format(row["pvs"], ","), text))
        if row["status"] == "ok":
            cells = (fmt_s(row["median_s"]), "%.2f" % row["ratio"], fmt_rss(row))
        else:
            cells = ("n/a", "n/a", "n/a")
        print("| %s | %.1f | %s | `%s` | %s | %s | %s | %s |" % (
            format(row["pvs"], ","), row["mib"], fmt_s(row["floor_s"]), row["label"],
            cells[0], cells[1], cells[2], text))
    if dumps[-1][0] < args.judge_from:
        print()
        print("Time ratios were not judged: no size reached %s PVs (--judge-from)." % format(args.judge_from, ","))

    # ---- linearity ----------------------------------------------------------
    sizes = [pvs for pvs, _ in dumps]
    if len(sizes) > 1:
        print()
        print("Cost per MiB of dump (ms/MiB); linear when each size is within %gx of the previous one"
              " (sizes whose floor is under %gs are not compared):" % (LINEAR_TOLERANCE, LINEAR_MIN_FLOOR_S))
        print()
        print("| command | " + " | ".join(format(s, ",") + " PVs" for s in sizes) + " | linear |")
        print("|---|" + "---:|" * len(sizes) + "---|")
        for c in commands:
            rows = [r for r in results if r["command"] == c.name]
            cells, verdict, prev = [], "ok", None
            for r in rows:
                if r["status"] != "ok":
                    cells.append("n/a")
                    verdict = "n/a"
                    continue
                per = 1000 * r["median_s"] / r["mib"]
                cells.append("%.1f" % per)
                if r["floor_s"] >= LINEAR_MIN_FLOOR_S:
                    if prev is not None and per > LINEAR_TOLERANCE * prev:
                        verdict = "FAIL (%.2fx at %s PVs)" % (per / prev, format(r["pvs"], ","))
                    prev = per
            if verdict.startswith("FAIL") and c.name != "floor":
                any_failed = True
                failed_items.append("%s: cost not linear in the dump, %s" % (c.name, verdict))
            print("| `%s` | %s | %s |" % (c.label, " | ".join(cells), verdict))

    # ---- machine and reproduction -------------------------------------------
    print()
    print("Machine:")
    print()
    for key, value in machine_info(args.bin, plan_parent):
        print("- %s: %s" % (key, value))
    print()
    print("Each figure: %d interleaved runs per size after one warm-up run (dump in the page cache);"
          " time is the wall clock of the whole process, × floor the median of per-run ratios,"
          " peak RSS the largest ru_maxrss over the runs (an upper bound when shown as ≤: a child's"
          " ru_maxrss includes the harness's own %.1f MiB copied at fork)." % (args.runs, baseline_kib / 1024))
    if args.reproduce:
        print()
        print("Reproduce:")
        print()
        print("    " + args.reproduce)

    if args.raw:
        with open(args.raw, "w") as f:
            json.dump({"runs": args.runs, "results": results, "baseline_rss_kib": baseline_kib,
                       "machine": dict(machine_info(args.bin, plan_parent))}, f, indent=2)
            f.write("\n")

    if any_failed:
        print()
        print("Budgets: FAILED" + ("" if args.check else " (report only; --check makes this fatal)"))
        print()
        for item in failed_items:
            print("- " + item)
        return 1 if args.check else 0
    print()
    print("Budgets: all met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
