"""Every row of issue 14's target table in one run: build, parse, validation, serving and writes
on world-shaped graphs (bench/world.py), each figure beside the baseline measured in the same run.

    .venv/bin/python bench/bench_world.py --sizes 10k,100k,1M       # the documented run (an hour or more)
    .venv/bin/python bench/bench_world.py --sizes 10k --quick       # a smoke run: fewer repeats and writes

It runs the four world benchmarks one after the other, each in its own process, for each size, and
prints their own output as it comes, then the table:

- ``bench_world_build.py``: build end to end (fast engines against owlrl + pyshacl, stopped after a
  budget) and parse into the store (against Oxigraph's own bulk load of the same files);
- ``bench_world_validate.py``: full validation, ours against Jena SHACL on the same files;
- ``bench_world_serve.py``: the example queries over HTTP, 1 client, against Virtuoso (slowest, the
  geometric mean of the ratios, HTTP against in process), the server's RSS and start-up;
- ``bench_home.py``: the home page on the same store as ``bench_world_serve.py`` (kept for it): its
  charts' queries against their first forms, in process, and the first ``GET /`` over HTTP with the
  rows the build keeps, against nothing kept, and after a write (the first visitor, and the
  seconds until a visit counts the new state);
- ``bench_world_writes.py``: validated writes per second and p50 (against ``--writes-baseline-src``
  when given, a ``src/`` folder of an older version).

The machine's load average is printed with every part: on a shared machine read the ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale != 1 else text) * scale)


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 and size % 1_000_000 == 0 else f"{size // 1000}k"


def run(script: str, *args: str) -> str:
    """Run one bench, echo its output as it comes, and return it."""
    command = [sys.executable, str(HERE / script), *args]
    print(f"\n$ {' '.join(command[1:])}   (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})",
          flush=True)
    lines = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as child:
        assert child.stdout is not None
        for line in child.stdout:
            print(line, end="", flush=True)
            lines.append(line)
    return "".join(lines)


def find(pattern: str, text: str, default: str = "not measured") -> str:
    found = re.findall(pattern, text, re.M)
    return found[-1] if found else default


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k,1M", help="world sizes in asserted triples (k, M suffixes)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and writes, short baselines")
    parser.add_argument("--writes-baseline-src", type=Path, help="a src/ folder of the version writes compare with")
    parser.add_argument("--no-virtuoso", action="store_true")
    parser.add_argument("--no-jena", action="store_true")
    args = parser.parse_args(argv)
    budget = "60" if args.quick else "240"
    rows: list[tuple[str, str, str]] = []
    for size in (parse_size(s) for s in args.sizes.split(",")):
        name = label(size)
        build = run("bench_world_build.py", "--sizes", str(size), "--baseline-budget", budget)
        total = re.findall(r"^\| \*\*all stages\*\* \| ([\d.]+) \| \| ([^|]+) \| \| ([^|]+) \|", build, re.M)
        if total:
            fast, base, ratio = total[-1]
            rows.append((f"build ~{name}, end to end", f"{fast} s",
                         f"owlrl + pyshacl {base.strip()} s: {ratio.strip()}"))
        parse = find(r"Parse into the store: (.*)$", build)
        rows.append((f"parse into the store ~{name}", parse, "Oxigraph's own bulk load in the sentence"))
        validate = run("bench_world_validate.py", str(size), "--pyshacl-budget", budget,
                       *(["--no-jena"] if args.no_jena else []))
        rows.append((f"full validation ~{name}, ours / Jena", find(r"compiled\s+([\d.]+) s", validate) + " s",
                     find(r"jena\s+([\d.]+) s", validate) + " s: " + find(r"compiled/jena ([\d.]+x)", validate)))
        kept = tempfile.TemporaryDirectory(prefix=f"bench-world-{name}-")
        store = str(Path(kept.name) / "store")
        serve = run("bench_world_serve.py", "--triples", str(size), "--repeat", "3" if args.quick else "5",
                    "--query-budget", "5", "--keep", store, *(["--no-virtuoso"] if args.no_virtuoso else []))
        home = run("bench_home.py", "--keep", store)
        kept.cleanup()
        charts = re.findall(r"^\| \*\*all, one language\*\* \| \| ([\d.]+) \| ([\d.]+) \| ([^|]+) \|", home, re.M)
        if charts:
            first, now, ratio = charts[-1]
            rows.append((f"home page charts ~{name}, no choice, in process from disk", f"{now} s",
                         f"first forms {first} s: {ratio.strip()}"))
        page = re.findall(r"^\| request 1 \| ([\d.]+) \| (\d+) \| ([\d,]+) \|", home, re.M)
        step = re.findall(r"^\| the build's step: (\d+) home-page queries run and kept \| ([\d.]+) \|", home, re.M)
        fresh = find(r"^\| from the first request until a GET / counts the new state \| ([\d.]+) \|", home)
        if len(page) == 3:  # nothing kept, kept by the build, after a write
            (before, _, _), (seconds, status, size_bytes), (written, _, _) = page
            rows.append((f"home page ~{name}, first GET / over HTTP after the build",
                         f"{seconds} s ({status}, {size_bytes} bytes)", f"nothing kept {before} s"))
            rows.append((f"home page ~{name}, first GET / after a write (the counts before)", f"{written} s",
                         f"a visit counts the new state after {fresh} s"))
        if step:
            rows.append((f"home page ~{name}, the build's step keeping its rows", f"{step[-1][1]} s",
                         f"{step[-1][0]} queries, beside the search index"))
        for mode in ("no", "yes"):
            found = re.findall(rf"^HTTP {mode}: slowest (\S+) ([\d.]+) s; heavy queries [^:]*: (?:geometric mean "
                               rf"([\d.]+×), max ([\d.]+×)|none at this size)"
                               rf"(?:; geometric mean ours / Virtuoso ([\d.]+×))?", serve, re.M)
            if found:
                slug, seconds, heavy, worst, virtuoso = found[-1]
                where = "disk" if mode == "no" else "memory"
                rows.append((f"slowest example ~{name} over HTTP, 1 client ({where})", f"{seconds} s ({slug})", ""))
                rows.append((f"geometric mean ours / Virtuoso ~{name} ({where})", virtuoso or "not measured",
                             "Virtuoso in the same run"))
                rows.append((f"HTTP / in process, heavy queries ~{name} ({where})",
                             f"mean {heavy}, max {worst}" if heavy else "none (no example takes 0.1 s on disk)",
                             "the same query in process"))
            started = re.findall(rf"^HTTP store_in_memory={mode} .*start-up ([\d.]+ s).*RSS of the tree ([\d,]+ MiB)"
                                 r"(?: \(PSS ([\d,]+ MiB))?", serve, re.M)
            peak = find(rf"^HTTP store_in_memory={mode}: peak RSS of the tree during the queries ([\d,]+ MiB)", serve)
            peak_pss = find(rf"^HTTP store_in_memory={mode}: peak RSS .*\(peak PSS ([\d,]+ MiB)", serve)
            if started:
                startup, rss, pss = started[-1]
                rows.append((f"server RSS ~{name} (store_in_memory={mode}, whole tree)",
                             f"{rss}, peak {peak}; PSS {pss or 'not measured'}, peak {peak_pss}", ""))
                rows.append((f"start-up of a built ~{name} store (store_in_memory={mode})", startup, ""))
        writes = run("bench_world_writes.py", "--sizes", name, "--writes", "15" if args.quick else "40",
                     *(["--baseline-src", str(args.writes_baseline_src)] if args.writes_baseline_src else []))
        per_s = re.findall(r"^\| writes/s \(1 client\) \| (.*) \|$", writes, re.M)
        p50 = re.findall(r"^\| p50 s \| (.*) \|$", writes, re.M)
        if per_s:
            rows.append((f"validated writes/s ~{name}", per_s[-1].split(" | ")[0],
                         " | ".join(per_s[-1].split(" | ")[1:]) or "no baseline"))
        if p50:
            rows.append((f"write p50 ~{name}", p50[-1].split(" | ")[0] + " s",
                         " | ".join(p50[-1].split(" | ")[1:]) or "no baseline"))
    print("\n## Issue 14's targets, this run\n")
    print("| figure | ours | baseline, same run |\n|---|---|---|")
    for figure, ours, baseline in rows:
        print(f"| {figure} | {ours} | {baseline} |")
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
