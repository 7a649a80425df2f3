"""Tokenizing speed on the seed reports repeated to >= 5 M characters.

Prints characters per second for plain ``jieba.lcut`` (the baseline, measured in the same run),
``jieba.posseg.cut``, ``tokenize`` with the jieba and rjieba backends, ``n_jobs=2``, and a cached
re-run, each with its ratio against the baseline. Medians of ``--repeats`` runs; the machine is
shared, so read the ratios, not the absolute figures.

    python benchmarks/bench_tokenize.py [--chars 5000000] [--repeats 3]

Targets (issue 3): tokenize(jieba) <= 1.15 x the time of jieba.lcut; rjieba >= 10 x faster than
jieba with the same options; a cached re-run >= 50 x faster than the first run.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

import jieba
import jieba.posseg

from govtopics import load_corpus
from govtopics.tokenizing import Tokenizer, document_names

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def workload(chars: int) -> tuple[list[str], list[frozenset[str]]]:
    """Seed units repeated until they hold ``chars`` characters; each copy is made distinct."""
    corpus = load_corpus(SEEDS)
    units = [(u.text, document_names(doc)) for doc in corpus for u in doc.units]
    texts, names, total, copy = [], [], 0, 0
    while total < chars:
        for text, name_set in units:
            # A copy marker keeps cache keys distinct without changing what is segmented.
            texts.append(f"{text}\n{copy}")
            names.append(name_set)
            total += len(text)
        copy += 1
    return texts, names


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chars", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    texts, names = workload(args.chars)
    chars = sum(map(len, texts))
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    tok_jieba = Tokenizer(backend="jieba", cache=False, progress=False)
    tok_rjieba = Tokenizer(backend="rjieba", cache=False, progress=False)
    tok_parallel = Tokenizer(backend="jieba", cache=False, progress=False, n_jobs=2)
    tok_jieba.tokenize("预热"), tok_rjieba.tokenize("预热")  # load dictionaries outside the timings

    rows: list[tuple[str, float]] = []
    rows.append(("jieba.lcut (baseline)", timed(lambda: [jieba.lcut(t) for t in texts], args.repeats)))
    rows.append(("jieba.posseg.lcut", timed(lambda: [jieba.posseg.lcut(t) for t in texts], 1)))
    rows.append(("tokenize, jieba", timed(lambda: [tok_jieba.tokenize(t, n) for t, n in zip(texts, names)], args.repeats)))
    rows.append(("tokenize, rjieba", timed(lambda: [tok_rjieba.tokenize(t, n) for t, n in zip(texts, names)], args.repeats)))
    rows.append(("tokenize, jieba, n_jobs=2", timed(lambda: tok_parallel.tokenize_many(texts, names), 1)))
    tok_rjieba_pos = Tokenizer(backend="rjieba", pos=True, cache=False, progress=False)
    rows.append(("tokenize, rjieba, pos=True", timed(lambda: [tok_rjieba_pos.tokenize(t, n) for t, n in zip(texts, names)], 1)))

    with tempfile.TemporaryDirectory() as cache_dir:
        cached = Tokenizer(backend="jieba", cache=cache_dir, progress=False)
        cold = timed(lambda: cached.tokenize_many(texts, names), 1)
        warm = timed(lambda: cached.tokenize_many(texts, names), args.repeats)
    rows += [("tokenize_many, jieba, cold cache", cold), ("tokenize_many, jieba, warm cache", warm)]

    base = rows[0][1]
    print(f"{len(texts)} units, {chars / 1e6:.2f} M characters; median of {args.repeats} runs (1 for posseg, n_jobs, cold)")
    print(f"{'':36} {'seconds':>8} {'M chars/s':>10} {'time / baseline':>16}")
    for name, seconds in rows:
        print(f"{name:36} {seconds:8.2f} {chars / seconds / 1e6:10.3f} {seconds / base:16.3f}")
    by = dict(rows)
    print()
    print(f"tokenize(jieba) / jieba.lcut time      = {by['tokenize, jieba'] / base:.3f}   (target <= 1.15)")
    print(f"rjieba speed-up over jieba (tokenize)  = {by['tokenize, jieba'] / by['tokenize, rjieba']:.1f} x (target >= 10)")
    print(f"n_jobs=2 speed-up over n_jobs=1        = {by['tokenize, jieba'] / by['tokenize, jieba, n_jobs=2']:.2f} x")
    print(f"warm cache speed-up over cold          = {cold / warm:.0f} x (target >= 50)")


if __name__ == "__main__":
    main()
