"""Command line: ``govtopics inspect|...``. Each command only calls the library."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .reading import Corpus, load_corpus
from .structure import PARTS

EXIT_USAGE = 2


class UsageError(Exception):
    """A problem with what the user asked for: printed as one line, exit code 2."""


def _load(paths: Sequence[str]) -> Corpus:
    from pathlib import Path

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    return load_corpus(list(paths))


def cmd_inspect(args: argparse.Namespace) -> int:
    corpus = _load(args.paths)
    rows = [doc.summary() for doc in corpus]
    skipped = [{"path": s.path, "reason": s.reason} for s in corpus.skipped]
    if args.json:
        json.dump({"documents": rows, "skipped": skipped}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    header = ["id", "year", "unit", "level", "places", "chars", *PARTS, "units", "path"]
    table = [
        [r["id"], r["year"] or "-", r["unit"] or "-", r["level"], "/".join(r["places"]) or "-",
         r["characters"], *(r["parts"][p] for p in PARTS), r["units"], r["path"]]
        for r in rows
    ]
    print("\t".join(header))
    for line in table:
        print("\t".join(str(x) for x in line))
    print(f"# {corpus.summary()}")
    for s in skipped:
        print(f"# skipped {s['path']}: {s['reason']}")
    return 0


def cmd_stopwords(args: argparse.Namespace) -> int:
    from .stopwords import Stopwords
    from .tokenizing import Tokenizer

    stopwords = Stopwords(layers=args.layers, extra_files=args.extra or ())
    print("layer\tentries")
    for layer, size in stopwords.sizes().items():
        print(f"{layer}\t{size if layer != 'places' else 'per document'}")
    if not args.paths:
        return 0
    corpus = _load(args.paths)
    if not len(corpus):
        raise UsageError("no documents could be loaded from " + ", ".join(args.paths))
    removed = Tokenizer(backend=args.backend, stopwords=stopwords, cache=False).removed_counts(corpus)
    print(f"\n# most frequent tokens removed in {len(corpus)} documents, by layer (token count)")
    for reason, group in removed.groupby("reason", sort=False):
        top = group.head(args.top)
        print(f"{reason}\t" + " ".join(f"{t}({n})" for t, n in zip(top["token"], top["count"])))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govtopics",
        description="Topic modelling of Chinese government reports.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    inspect = sub.add_parser(
        "inspect",
        help="one row per report: year, unit, level, places, characters per part, units",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  govtopics inspect seeds/\n  govtopics inspect a.txt b.txt --json",
    )
    inspect.add_argument("paths", nargs="+", help="report files or folders (searched recursively)")
    inspect.add_argument("--json", action="store_true", help='print {"documents": [...], "skipped": [...]}')
    inspect.set_defaults(func=cmd_inspect)

    from .stopwords import LAYERS

    stop = sub.add_parser(
        "stopwords",
        help="the stopword layers with their sizes; with a corpus, the tokens each layer removed",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  govtopics stopwords\n  govtopics stopwords seeds/ --top 15\n"
        "  govtopics stopwords seeds/ --layers function formulaic --extra my_words.txt",
    )
    stop.add_argument("paths", nargs="*", help="report files or folders (optional)")
    stop.add_argument("--layers", nargs="+", default=list(LAYERS), choices=LAYERS, help="layers to switch on (default: all)")
    stop.add_argument("--extra", nargs="+", help="your own word-list files, one word a line, # comments")
    stop.add_argument("--top", type=int, default=10, help="tokens shown per layer (default 10)")
    stop.add_argument("--backend", default="jieba", choices=["jieba", "rjieba"])
    stop.set_defaults(func=cmd_stopwords)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``govtopics`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as error:
        print(f"govtopics: error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
