"""Limits on outsized input (issue 16): loading a corpus with a 200 MB file or a 5 MB line stays bounded.

    python benchmarks/bench_limits.py [--repeats 3]

Each case loads the five seed reports plus one outsized file with :func:`govtopics.load_corpus`
(default limits), in a fresh process, and prints the median wall time, the process's peak
resident memory and the ratios of both to the baseline (the seeds alone, measured in the same
run). Cases:

- ``200MB``: a 200 MB file of text (written out, not sparse): skipped as too large, never read;
- ``5MB-line``: 5 MB of Chinese characters on one line (1.67 million characters): skipped as too long
  after decoding, before any cleaning;
- ``120k-line``: 120,000 characters on one line: loaded, the line cut into units of <= 300 characters;
- ``5MB-line, no limit`` (``max_chars=None``): what the limit saves; the loading alone (cleaning and
  structure), without the tokenizing that would follow (~1 minute for such a line on this machine).

The machine is shared: read the ratios, not the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

CHILD = """
import json, resource, sys, time
from govtopics import load_corpus
folder, limit = sys.argv[1], json.loads(sys.argv[2])
start = time.perf_counter()
corpus = load_corpus(folder, **({} if limit == "default" else {"max_chars": limit}))
seconds = time.perf_counter() - start
print(json.dumps({"s": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "loaded": len(corpus), "skipped": [s.reason for s in corpus.skipped],
                  "units": sum(len(d.units) for d in corpus)}))
"""


def one_line(n_chars: int, seed: int) -> str:
    chars = sorted({c for path in SEEDS for c in path.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"})
    rng = random.Random(seed)
    return "".join(rng.choice(chars) for _ in range(n_chars))


def make(folder: Path, case: str) -> None:
    folder.mkdir()
    for path in SEEDS:
        shutil.copy(path, folder / path.name)
    if case == "200MB":
        block = (SEEDS[0].read_text(encoding="utf-8") * 50).encode("utf-8")
        with open(folder / "huge.txt", "wb") as handle:
            for _ in range(200_000_000 // len(block) + 1):
                handle.write(block)
    elif case.startswith("5MB-line"):
        (folder / "oneline.txt").write_text("某县2023年法治政府建设情况报告\n" + one_line(5_000_000 // 3 + 1, 1), encoding="utf-8")
    elif case == "120k-line":
        (folder / "longline.txt").write_text("某县2021年法治政府建设情况报告\n" + one_line(120_000, 2), encoding="utf-8")


def run(folder: Path, limit: object) -> dict:
    output = subprocess.run([sys.executable, "-c", CHILD, str(folder), json.dumps(limit)], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cases = [("seeds (baseline)", "default"), ("200MB", "default"), ("5MB-line", "default"), ("120k-line", "default"),
             ("5MB-line, no limit", None)]
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for name, limit in cases:
            folder = Path(tmp) / f"case{len(results)}"
            make(folder, name)
            runs = [run(folder, limit) for _ in range(args.repeats)]
            results[name] = {"s": statistics.median(r["s"] for r in runs),
                             "rss_mb": statistics.median(r["rss_mb"] for r in runs), **runs[-1]}
            shutil.rmtree(folder)
    base = results["seeds (baseline)"]
    print(f"{'case':22} {'time s':>8} {'x base':>7} {'peak RSS MB':>12} {'x base':>7}  outcome")
    for name, r in results.items():
        outcome = f"loaded {r['loaded']}, {r['units']} units; skipped: {r['skipped'] or 'none'}"
        print(f"{name:22} {r['s']:8.2f} {r['s'] / base['s']:7.2f} {r['rss_mb']:12.0f} {r['rss_mb'] / base['rss_mb']:7.2f}"
              f"  {outcome}")


if __name__ == "__main__":
    main()
