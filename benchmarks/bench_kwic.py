"""Keyword-in-context speed: ``govtopics.kwic`` against a bare ``str.count`` over the same units.

The units of a corpus (default: the seeds) are repeated to at least ``--chars`` characters. Printed:
characters per second and the ratio to the bare count (measured in the same run) for the bare count,
for ``normalize_text`` on every unit followed by a count (what kwic would cost without its fast path
for text that is canonical already), and for ``kwic`` itself (normalising, matching, the hits table).
Medians of ``--repeats`` runs; the machine is shared, so read the ratios.

    python benchmarks/bench_kwic.py [CORPUS] [--term 营商环境] [--chars 5000000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from govtopics import kwic, load_corpus
from govtopics.cleaning import normalize_text

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(SEEDS))
    parser.add_argument("--term", default="营商环境")
    parser.add_argument("--chars", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    units = load_corpus(args.corpus).units_frame()
    size = int(units["text"].str.len().sum())
    copies = max(1, -(-args.chars // size))
    units = units.loc[units.index.repeat(copies)].reset_index(drop=True)
    texts = units["text"].tolist()
    chars = size * copies
    print(f"{len(units):,} units, {chars:,} characters ({copies} copies of {args.corpus})")

    def bare() -> int:
        return sum(text.count(args.term) for text in texts)

    def normalise_every_unit() -> int:
        return sum(normalize_text(text).count(args.term) for text in texts)

    def govtopics_kwic() -> int:
        return len(kwic(units, args.term))

    baseline = None
    for run in (bare, normalise_every_unit, govtopics_kwic):
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            hits = run()
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        baseline = baseline or median
        print(f"{run.__name__:22s} {hits:6d} hits {median * 1000:9.1f} ms {chars / median / 1e6:8.1f} M chars/s "
              f"{median / baseline:6.1f} x the bare count")


if __name__ == "__main__":
    main()
