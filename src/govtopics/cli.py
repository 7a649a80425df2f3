"""Command line: ``govtopics inspect|...``. Each command only calls the library."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .reading import Corpus, load_corpus
from .structure import PARTS

EXIT_USAGE = 2


class UsageError(Exception):
    """A problem with what the user asked for: printed as one line, exit code 2."""


def _load(paths: Sequence[str]) -> Corpus:
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


def _tokenized(paths: Sequence[str], backend: str):
    from .tokenizing import Tokenizer

    corpus = _load(paths)
    if not len(corpus):
        raise UsageError("no documents could be loaded from " + ", ".join(paths))
    units = Tokenizer(backend=backend, progress=True).tokenize_corpus(corpus, drop_empty=True)
    if units.empty:
        raise UsageError("the corpus is empty after filtering: no analysis tokens are left")
    return corpus, units


def _print_frame(frame, as_csv: bool) -> None:
    if as_csv:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(frame.to_string(index=False))


def cmd_keywords(args: argparse.Namespace) -> int:
    from .features import tfidf_keywords

    _, units = _tokenized(args.paths, args.backend)
    by = None if args.by == "doc" else args.by
    if by == "year" and units["year"].isna().all():
        raise UsageError("no report has a year: use --by doc or --by part")
    _print_frame(tfidf_keywords(units.dropna(subset=[by]) if by else units, by=by, top=args.top), args.csv)
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    from .models import LdaTopics, recommend_k, scan_k

    _, units = _tokenized(args.paths, args.backend)
    docs = list(units["tokens"])
    k = args.k
    try:
        if k is None:
            ks = range(3, min(10, len(docs) - 1) + 1)
            if not ks:
                raise UsageError(f"{len(docs)} units are too few to scan K; give -k")
            k, rule = recommend_k(scan_k(docs, ks, seeds=(1, 2, 3), no_below=args.no_below))
            print(f"# K = {k}: {rule}", file=sys.stderr)
        if k < 1 or k >= len(docs):
            raise UsageError(f"-k {k} is not possible with {len(docs)} units: choose 1 <= k < {len(docs)}")
        model = LdaTopics(num_topics=k, no_below=args.no_below).fit(docs)
    except ValueError as error:
        raise UsageError(str(error)) from None
    _print_frame(model.topic_words(args.top), args.csv)
    return 0


def cmd_trends(args: argparse.Namespace) -> int:
    from .models import LdaTopics, unit_topics
    from .trends import topic_prevalence

    _, units = _tokenized(args.paths, args.backend)
    units = units.dropna(subset=["year"]).reset_index(drop=True)
    if units.empty:
        raise UsageError("no report has a year, so there is no trend to show")
    docs = list(units["tokens"])
    if args.k >= len(docs):
        raise UsageError(f"-k {args.k} is not possible with {len(docs)} dated units")
    try:
        model = LdaTopics(num_topics=args.k, no_below=args.no_below).fit(docs)
    except ValueError as error:
        raise UsageError(str(error)) from None
    theta = model.gamma_ / model.gamma_.sum(axis=1, keepdims=True)
    prevalence = topic_prevalence(unit_topics(units, model, theta=theta), model.gamma_, model.labels_, n_boot=args.n_boot)
    _print_frame(prevalence.round(4), args.csv)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildError, build, load_config

    if not Path(args.config).is_file():
        raise UsageError(f"no such config file: {args.config}")
    try:
        manifest = build(load_config(args.config), out=args.out, corpus_path=args.corpus)
    except BuildError as error:
        raise UsageError(str(error)) from None
    counts = manifest["counts"]
    print(f"built {len(manifest['outputs'])} files in {args.out}: {counts['loaded']} reports loaded, "
          f"{counts['skipped']} skipped, K = {manifest['k']['chosen']}")
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

    def corpus_command(name: str, help_text: str, examples: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="examples:\n" + examples)
        command.add_argument("paths", nargs="+", help="report files or folders (searched recursively)")
        command.add_argument("--backend", default="jieba", choices=["jieba", "rjieba"])
        command.add_argument("--csv", action="store_true", help="print CSV instead of a text table")
        return command

    keywords = corpus_command("keywords", "top TF-IDF terms per report, year or report part",
                              "  govtopics keywords seeds/ --by year\n  govtopics keywords seeds/ --by part --top 10 --csv")
    keywords.add_argument("--by", default="year", choices=["doc", "year", "part"])
    keywords.add_argument("--top", type=int, default=15)
    keywords.set_defaults(func=cmd_keywords)

    topics = corpus_command("topics", "fit an LDA topic model and print each topic's top words",
                            "  govtopics topics seeds/ -k 6\n  govtopics topics seeds/      # K chosen by a scan")
    topics.add_argument("-k", type=int, help="number of topics (default: scan K = 3..10 and take the recommended)")
    topics.add_argument("--top", type=int, default=10, help="words per topic")
    topics.add_argument("--no-below", type=int, default=5, help="a word must occur in at least this many units")
    topics.set_defaults(func=cmd_topics)

    trends = corpus_command("trends", "topic prevalence per year with 95%% bootstrap intervals",
                            "  govtopics trends seeds/ -k 6\n  govtopics trends reports/ -k 10 --csv > prevalence.csv")
    trends.add_argument("-k", type=int, default=6, help="number of topics (default 6)")
    trends.add_argument("--no-below", type=int, default=5, help="a word must occur in at least this many units")
    trends.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicates")
    trends.set_defaults(func=cmd_trends)

    build_cmd = sub.add_parser(
        "build", help="every table and figure, and manifest.json, from the configuration",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  govtopics build\n  govtopics build --config govtopics.toml --out figures\n"
        "  govtopics build --corpus my_reports/ --out my_figures",
    )
    build_cmd.add_argument("--config", default="govtopics.toml", help="TOML configuration (default govtopics.toml)")
    build_cmd.add_argument("--out", default="figures", help="output folder (default figures)")
    build_cmd.add_argument("--corpus", help="corpus path, overriding [corpus] path of the configuration")
    build_cmd.set_defaults(func=cmd_build)
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
