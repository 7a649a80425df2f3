"""Near-duplicate detection at scale: linear time, and the same pairs an exact all-pairs search finds.

Builds N distinct synthetic reports from the seed paragraphs (each report a seeded random draw
of paragraphs, its figures changed), plants near-duplicates among them (a copy under another
header, a copy cut to two thirds, a copy with two paragraphs edited), and runs
:func:`govtopics.duplicates.near_duplicates` on N, 2N and 4N reports. Prints the time per
report and the ratio of each run to the one before (2.0 is linear, 4.0 would be all pairs);
the baseline, measured in the same run on the smallest size, is an exact all-pairs Jaccard
search with Python sets, whose time grows with N².

    python benchmarks/bench_duplicates.py [--reports 1000] [--repeats 3]

Targets: doubling the corpus costs about 2 x the time; the planted copies that are similar by
the exact measure are found, and (almost) no pair found falls short of it.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from itertools import combinations
from pathlib import Path

from govtopics import load_corpus
from govtopics.duplicates import near_duplicates

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def shingles(text: str, k: int = 5) -> set[str]:
    chars = re.sub(r"[\W_]+", "", text)
    return {chars[i:i + k] for i in range(len(chars) - k + 1)}


def workload(n: int, seed: int = 0) -> tuple[list[str], dict[int, int]]:
    """``n`` reports, one in ten of them a near-duplicate of an earlier one; returns them and {copy: source}."""
    rng = random.Random(seed)
    paragraphs = [u.text for doc in load_corpus(SEEDS) for u in doc.units if len(u.text) > 60]
    texts: list[str] = []
    planted: dict[int, int] = {}
    while len(texts) < n:
        if texts and rng.random() < 0.1:
            source_index = rng.randrange(len(texts))
            source = texts[source_index].split("\n")
            kind = rng.randrange(3)
            if kind == 0:
                copy = ["转载自某县政务网", *source[1:]]
            elif kind == 1:
                copy = source[: len(source) * 2 // 3 + 1]
            else:
                copy = source[:]
                for i in rng.sample(range(len(copy)), 2):
                    copy[i] = copy[i].replace("法治", "依法")
            planted[len(texts)] = source_index
            texts.append("\n".join(copy))
            continue
        draw = rng.sample(paragraphs, 16)
        shift = rng.randrange(1, 10_000)
        texts.append("\n".join(re.sub(r"\d+", lambda m: str(int(m.group()) + shift), p) for p in draw))
    return texts, planted


def similar(a: set[str], b: set[str], threshold: float = 0.9) -> bool:
    """The definition near_duplicates estimates, computed exactly."""
    inter = len(a & b)
    jaccard = inter / len(a | b)
    return jaccard >= threshold or (inter / min(len(a), len(b)) >= threshold and jaccard >= 0.5)


def all_pairs(texts: list[str]) -> set[int]:
    """The exact search: every pair compared; of each similar pair the one with fewer shingles is a copy."""
    sets = [shingles(t) for t in texts]
    copies = set()
    for i, j in combinations(range(len(texts)), 2):
        if similar(sets[i], sets[j]):
            copies.add(j if (len(sets[j]), -j) < (len(sets[i]), -i) else i)
    return copies


def timed(fn, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    small = max(200, args.reports // 4)
    texts, _ = workload(small)
    base_time, exact = timed(lambda: all_pairs(texts), 1)
    lsh_time, found = timed(lambda: near_duplicates(texts), args.repeats)
    flagged = {i for i, _, _ in found}
    print(f"{small} reports: exact all-pairs {base_time:.2f} s, near_duplicates {lsh_time:.2f} s "
          f"({base_time / lsh_time:.0f} x faster); copies found {len(flagged)}, by the exact search {len(exact)}, "
          f"in both {len(flagged & exact)}")

    previous = None
    for n in (args.reports, 2 * args.reports, 4 * args.reports):
        texts, planted = workload(n)
        seconds, found = timed(lambda: near_duplicates(texts), args.repeats)
        sets: dict[int, set[str]] = {}

        def exact_similar(i: int, j: int) -> bool:
            return similar(sets.setdefault(i, shingles(texts[i])), sets.setdefault(j, shingles(texts[j])))

        qualifying = {copy for copy, source in planted.items() if exact_similar(copy, source)}
        flagged = {i for i, _, _ in found} | {j for _, j, _ in found}
        wrong = sum(1 for i, j, _ in found if not exact_similar(i, j))
        ratio = f", {seconds / previous:.2f} x the time of half as many" if previous else ""
        print(f"{n} reports: {seconds:.2f} s, {1000 * seconds / n:.2f} ms per report{ratio}; planted copies similar enough "
              f"{len(qualifying)}, found {len(qualifying & flagged)}; pairs found {len(found)}, not similar by the exact measure {wrong}")
        previous = seconds
    print(f"an exact all-pairs search on {4 * args.reports} reports would take about "
          f"{base_time * (4 * args.reports / small) ** 2:.0f} s")


if __name__ == "__main__":
    main()
