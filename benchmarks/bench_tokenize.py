"""Tokenizing speed: construction, one paragraph per call, whole corpora cold and cached.

    python benchmarks/bench_tokenize.py [--corpus PATH ...] [--repeats 11] [--corpus-repeats 3]
                                        [--parts construction paragraphs corpora]

1. Construction: ``Tokenizer()`` reads nothing; its cost against the first use (dictionary
   loading), both in a fresh process.
2. One paragraph per call, as a user in a notebook would (``govtopics.tokenize(p)`` for each
   analysis unit of the seeds and of each ``--corpus``), against plain ``jieba.lcut`` on the same
   paragraphs, measured in the same run: CPU time, the methods taking turns over all paragraphs;
   figures are medians over repeats, ratios medians of the per-repeat ratios (wall-clock ratios are
   printed too).
3. ``Tokenizer.tokenize_corpus`` on the seeds and each ``--corpus``: no cache, cold cache (a new
   folder each repeat) and warm cache (a new Tokenizer on the filled folder), both backends.

Targets (issue 11): ``govtopics.tokenize`` per paragraph <= 1.15 x the time of ``jieba.lcut``; the
rjieba backend >= 10 x faster than the jieba backend per call. The machine is shared: read the
ratios, not the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jieba

import govtopics
from govtopics import Tokenizer, load_corpus

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
PARTS = ("construction", "paragraphs", "corpora")
MIN_PASS_CHARS = 300_000

_FIRST_USE = """
import json, time
t0 = time.perf_counter()
from govtopics import Tokenizer
t1 = time.perf_counter()
tok = Tokenizer(backend={backend!r}, cache={cache!r})
t2 = time.perf_counter()
tok.tokenize_many(["大进镇坚持以习近平法治思想为指导。"])
t3 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "construct": t2 - t1, "first use": t3 - t2}}))
"""


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def construction(repeats: int) -> None:
    print("## Construction (no I/O) against first use (dictionary, word lists, cache), fresh processes")
    per_call = median_time(lambda: [Tokenizer() for _ in range(1000)], repeats) / 1000
    per_call_rj = median_time(lambda: [Tokenizer(backend="rjieba", cache=False) for _ in range(1000)], repeats) / 1000
    print(f"Tokenizer() in a warm process: {per_call * 1e6:.1f} us; Tokenizer(backend='rjieba', cache=False): "
          f"{per_call_rj * 1e6:.1f} us (median of {repeats} x 1000)")
    with tempfile.TemporaryDirectory() as cache_dir:
        for backend in ("jieba", "rjieba"):
            runs = []
            for i in range(3):
                code = _FIRST_USE.format(backend=backend, cache=f"{cache_dir}/{backend}{i}")
                out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                runs.append(json.loads(out.stdout))
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(f"{backend:6}: import govtopics {med['import']:.3f} s, construct {med['construct'] * 1e3:.3f} ms, "
                  f"first tokenize_many (loads everything) {med['first use']:.3f} s; "
                  f"construction / first use = {med['construct'] / med['first use']:.5f} (median of 3 processes)")
    print()


def per_paragraph(label: str, paragraphs: list[str], repeats: int) -> dict[str, float]:
    """CPU seconds per pass over ``paragraphs`` for each method (medians over repeats), and median per-repeat ratios.

    Each repeat runs every method over all paragraphs, one method after the other (in rotating order),
    so that whatever else the machine does falls on all of them alike, and each runs as in a user's
    loop, with its own dictionary warm in the CPU caches. CPU time (``time.process_time``) leaves out
    the time this process waited for a core.
    """
    methods: dict[str, Callable[[str], list[str]]] = {
        "jieba.lcut (baseline)": jieba.lcut,
        "govtopics.tokenize, jieba": govtopics.tokenize,
        "govtopics.tokenize, rjieba": lambda p: govtopics.tokenize(p, backend="rjieba"),
    }
    for method in methods.values():  # load dictionaries, fill the per-word decisions
        for paragraph in paragraphs[:50]:
            method(paragraph)
    chars = sum(map(len, paragraphs))
    loops = max(1, -(-MIN_PASS_CHARS // chars))  # a small set is gone through several times a pass
    names = list(methods)
    cpu: dict[str, list[float]] = {name: [] for name in names}
    wall: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            method = methods[name]
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            for _ in range(loops):
                for paragraph in paragraphs:
                    method(paragraph)
            cpu[name].append((time.process_time() - start_cpu) / loops)
            wall[name].append((time.perf_counter() - start_wall) / loops)
    base = cpu[names[0]]
    print(f"### {label}: {len(paragraphs)} paragraphs, {chars / 1e3:.0f} k characters ({chars / len(paragraphs):.0f} per "
          f"paragraph); median of {repeats} repeats" + (f", each going {loops} times through the set" if loops > 1 else ""))
    print(f"{'':30} {'CPU s/pass':>10} {'CPU us/call':>12} {'CPU / baseline':>15} {'wall / baseline':>16}")
    for name in names:
        ratio = statistics.median(t / b for t, b in zip(cpu[name], base))
        wall_ratio = statistics.median(t / b for t, b in zip(wall[name], wall[names[0]]))
        per_call = statistics.median(cpu[name]) / len(paragraphs) * 1e6
        print(f"{name:30} {statistics.median(cpu[name]):10.3f} {per_call:12.1f} {ratio:15.3f} {wall_ratio:16.3f}")
    ratios = [t / b for t, b in zip(cpu[names[1]], base)]
    speedups = [j / r for j, r in zip(cpu[names[1]], cpu[names[2]])]
    jieba_ratio, speedup = statistics.median(ratios), statistics.median(speedups)
    print(f"govtopics.tokenize(jieba) / jieba.lcut = {jieba_ratio:.3f}  (target <= 1.15; "
          f"repeats {min(ratios):.3f}-{max(ratios):.3f})")
    print(f"rjieba speed-up over jieba, per call   = {speedup:.1f} x (target >= 10; "
          f"repeats {min(speedups):.1f}-{max(speedups):.1f})")
    print()
    return {"jieba / lcut": jieba_ratio, "rjieba speed-up": speedup}


def corpus_runs(label: str, corpus: govtopics.Corpus, repeats: int, corpus_repeats: int) -> None:
    units = sum(len(d.units) for d in corpus)
    chars = sum(len(u.text) for d in corpus for u in d.units)
    print(f"### tokenize_corpus on {label}: {len(corpus)} reports, {units} units, {chars / 1e3:.0f} k characters")
    print(f"{'':34} {'seconds':>8} {'k chars/s':>10} {'cold / this':>12}")
    for backend in ("jieba", "rjieba"):
        Tokenizer(backend=backend, cache=False, progress=False).tokenize("预热")  # the engine is loaded once per process
        uncached = median_time(lambda: Tokenizer(backend=backend, cache=False, progress=False).tokenize_corpus(corpus),
                               corpus_repeats)
        with tempfile.TemporaryDirectory() as root:
            colds = []
            for i in range(corpus_repeats):
                folder = Path(root) / f"cold{i}"
                start = time.perf_counter()
                Tokenizer(backend=backend, cache=folder, progress=False).tokenize_corpus(corpus)
                colds.append(time.perf_counter() - start)
            cold = statistics.median(colds)
            warm = median_time(lambda: Tokenizer(backend=backend, cache=Path(root) / "cold0", progress=False).tokenize_corpus(corpus),
                               repeats)
        for name, seconds in (("no cache", uncached), ("cold cache", cold), ("warm cache", warm)):
            print(f"{backend + ', ' + name:34} {seconds:8.3f} {chars / seconds / 1e3:10.0f} {cold / seconds:12.1f}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", default=[], help="another corpus folder (repeatable)")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--corpus-repeats", type=int, default=3, help="repeats of the uncached and cold runs")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS), help="what to measure (default: all)")
    args = parser.parse_args()

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    if "construction" in args.parts:
        construction(args.repeats)

    corpora = {"seeds": load_corpus(SEEDS)}
    for path in args.corpus:
        corpora[Path(path).name] = load_corpus(path)

    if "paragraphs" in args.parts:
        print("## One paragraph per call (the analysis units), as in a notebook")
        results = {label: per_paragraph(label, [u.text for d in c for u in d.units], args.repeats)
                   for label, c in corpora.items()}
        if len(results) > 1:
            print(f"over all sets: jieba / lcut at most {max(r['jieba / lcut'] for r in results.values()):.3f}, "
                  f"rjieba speed-up at least {min(r['rjieba speed-up'] for r in results.values()):.1f} x\n")
    if "corpora" in args.parts:
        print("## Whole corpora")
        for label, corpus in corpora.items():
            corpus_runs(label, corpus, args.repeats, args.corpus_repeats)


if __name__ == "__main__":
    main()
