"""How well the toolkit reads report metadata: accuracy against a hand-made truth table.

Usage::

    python benchmarks/eval_metadata.py CORPUS TRUTH.csv [--metadata TABLE] [--show 20]

CORPUS is a folder of reports (loaded as ``govtopics inspect`` loads it); TRUTH.csv has a ``path``
column (the file's path under CORPUS) and any of ``year``, ``unit``, ``level``, ``places``, ``genre``.
An empty cell is "no value" (a year that is not known must also be read as none). Prints, for
each field, the share of truth rows read right (a file that was skipped counts as wrong and is
listed with its reason), confusion tables for level and genre, the wrong rows, and the size of the
analysis units (median, 90th percentile and largest, in characters). ``unit~`` scores the unit's
place only (大进镇 for 大进镇人民政府), so a different naming of the same unit is told apart from a
wrong unit.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from govtopics.reading import load_corpus

FIELDS = ("year", "unit", "level", "places", "genre")


def _core(unit: str) -> str:
    """A unit's name without government suffixes, for the looser ``unit~`` score."""
    return re.sub(r"(人民政府|政府|街道办事处|办事处)$", "", unit or "")


def _value(doc, name: str):
    if name == "places":
        return "/".join(doc.places)
    value = getattr(doc.meta, name, None)
    return "" if value is None else str(value)


def evaluate(corpus_path: Path, truth_path: Path, metadata: str | None = None) -> dict:
    """Accuracy per field, the wrong rows, confusions and unit sizes as a dict of frames and figures."""
    truth = pd.read_csv(truth_path, dtype=str, keep_default_na=False)
    started = time.perf_counter()
    corpus = load_corpus(corpus_path, metadata=metadata) if metadata else load_corpus(corpus_path)
    seconds = time.perf_counter() - started
    root = Path(corpus_path)
    by_path = {Path(d.path).relative_to(root).as_posix(): d for d in corpus if d.path}
    skipped = {Path(s.path).relative_to(root).as_posix() if s.path.startswith(str(root)) else s.path: s.reason
               for s in corpus.skipped}
    rows = []
    for _, expected in truth.iterrows():
        doc = by_path.get(expected["path"])
        row = {"path": expected["path"], "status": "loaded" if doc else f"skipped: {skipped.get(expected['path'], 'not found')}"}
        for name in FIELDS:
            if name not in truth.columns:
                continue
            got = _value(doc, name) if doc else "(skipped)"
            row[f"{name}_expected"], row[f"{name}_got"] = expected[name], got
            row[f"{name}_ok"] = got == expected[name]
        if "unit" in truth.columns:
            row["unit~_ok"] = doc is not None and _core(row["unit_got"]) == _core(expected["unit"])
        rows.append(row)
    table = pd.DataFrame(rows)
    scored = [n for n in (*FIELDS, "unit~") if f"{n}_ok" in table.columns]
    accuracy = {name: (int(table[f"{name}_ok"].sum()), len(table)) for name in scored}
    sizes = np.array([len(u.text) for d in corpus for u in d.units]) if len(corpus) else np.array([0])
    return {
        "table": table, "accuracy": accuracy, "corpus": corpus, "seconds": seconds,
        "unit_sizes": {"units": int(len(sizes)), "median": float(np.median(sizes)),
                       "p90": float(np.percentile(sizes, 90)), "max": int(sizes.max())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("truth", type=Path)
    parser.add_argument("--metadata", help="a metadata table to load with the corpus")
    parser.add_argument("--show", type=int, default=20, help="wrong rows to list per field")
    args = parser.parse_args(argv)
    result = evaluate(args.corpus, args.truth, args.metadata)
    table, corpus = result["table"], result["corpus"]
    print(f"# {args.corpus}: {corpus.summary()} in {result['seconds']:.2f} s; truth rows: {len(table)}")
    for s in corpus.skipped:
        print(f"# skipped {s.path}: {s.reason}")
    print("field\tright\tof\taccuracy")
    for name, (right, total) in result["accuracy"].items():
        print(f"{name}\t{right}\t{total}\t{right / total:.3f}")
    for name in ("level", "genre"):
        if f"{name}_ok" in table.columns:
            confusion = pd.crosstab(table[f"{name}_expected"], table[f"{name}_got"],
                                    rownames=["expected"], colnames=["got"])
            print(f"\n# {name} confusion\n{confusion.to_string()}")
    sizes = result["unit_sizes"]
    print(f"\n# unit size (characters): units {sizes['units']}, median {sizes['median']:.0f}, "
          f"p90 {sizes['p90']:.0f}, max {sizes['max']}")
    periods = [d.period for d in corpus if getattr(d, "period", None)]
    print(f"# period read for {len(periods)} of {len(corpus)} documents; audit notes: {len(getattr(corpus, 'notes', []))}")
    for name in FIELDS:
        if f"{name}_ok" not in table.columns:
            continue
        wrong = table[~table[f"{name}_ok"]]
        if len(wrong):
            print(f"\n# wrong {name} ({len(wrong)})")
            for _, row in wrong.head(args.show).iterrows():
                print(f"{row['path']}\texpected {row[f'{name}_expected'] or '-'}\tgot {row[f'{name}_got'] or '-'}"
                      + ("" if row["status"] == "loaded" else f"\t({row['status']})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
