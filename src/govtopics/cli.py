"""Command line: ``govtopics inspect|stopwords|keywords|kwic|topics|trends|validate|build|config``.

Every command makes one :class:`~govtopics.analysis.Analysis` and prints one of its stages. Its
settings are the defaults (those of the repository's ``govtopics.toml``), or ``--config FILE``,
then ``--set section.key=value``, then the command's own flags (``-k 7`` is ``model.k = 7``, the
paths are ``corpus.path``): ``govtopics topics seeds/`` shows the topics ``govtopics build`` makes.
``govtopics validate score KEY ANSWERS...`` scores coders' answers and needs no analysis.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tomllib
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .analysis import Analysis, AnalysisError
from .config import Config, ConfigError, load_config
from .metadata import MetadataTableError
from .outputs import write_table

EXIT_USAGE = 2
# `govtopics validate score ...` is parsed as this one command.
SCORE = "validate score"

# Flags of the commands and the config keys they set.
FLAGS = {
    "k": "model.k",
    "model": "model.name",
    "no_below": "model.no_below",
    "codebook": "model.codebook",
    "n_boot": "trends.n_boot",
    "weight": "trends.weight",
    "backend": "tokens.backend",
    "layers": "tokens.layers",
    "extra": "tokens.extra_stopword_files",
    "keywords_top": "keywords.top",
    "figures": "figures.which",
}


class UsageError(Exception):
    """A problem with what the user asked for: printed as one line, exit code 2."""


def toml_value(text: str) -> Any:
    """A flag's value as TOML reads it (``7``, ``0.5``, ``true``, ``["a", "b"]``), else the text itself.

    >>> toml_value("7"), toml_value("[3, 8]"), toml_value("rjieba"), toml_value('"7"')
    (7, [3, 8], 'rjieba', '7')
    """
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def _k(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or auto, not {text!r}") from None


def config_of(args: argparse.Namespace) -> Config:
    """The configuration a command runs with: ``--config`` (or the defaults), ``--set``, its flags, its paths."""
    overrides: dict[str, dict[str, Any]] = {}

    def put(key: str, value: Any) -> None:
        section, _, name = key.partition(".")
        overrides.setdefault(section, {})[name] = value

    for item in getattr(args, "set", None) or []:
        key, equals, raw = item.partition("=")
        if not equals or "." not in key:
            raise UsageError(f"--set needs section.key=value, not {item!r}")
        put(key.strip(), toml_value(raw.strip()))
    for flag, key in FLAGS.items():
        value = getattr(args, flag, None)
        if value is not None:
            put(key, value)
    paths = getattr(args, "paths", None)
    if paths:
        put("corpus.path", paths[0] if len(paths) == 1 else list(paths))
    elif getattr(args, "needs_corpus", False) and not args.config:
        raise UsageError("give report files or folders, or --config FILE whose [corpus] path names them")
    base = load_config(args.config) if args.config else Config()
    return base.replace(**overrides)


def _print_frame(frame, as_csv: bool, digits: int | None = None, guard: bool = True) -> None:
    if as_csv:
        write_table(frame, sys.stdout, guard=guard)
    else:
        print((frame.round(digits) if digits is not None else frame).to_string(index=False))


def cmd_inspect(args: argparse.Namespace, analysis: Analysis) -> int:
    from .structure import PARTS

    corpus = analysis.corpus
    rows = [doc.summary() for doc in corpus]
    skipped = [{"path": s.path, "reason": s.reason} for s in corpus.skipped]
    if args.json:
        json.dump({"documents": rows, "skipped": skipped}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print("\t".join(["id", "year", "unit", "level", "places", "genre", "period", "chars", *PARTS, "units", "path"]))
    for r in rows:
        line = [r["id"], r["year"] or "-", r["unit"] or "-", r["level"], "/".join(r["places"]) or "-", r["genre"],
                r["period"] or "-", r["characters"], *(r["parts"][p] for p in PARTS), r["units"], r["path"]]
        print("\t".join(str(x) for x in line))
    print(f"# {corpus.summary()}")
    for s in skipped:
        print(f"# skipped {s['path']}: {s['reason']}")
    return 0


def cmd_stopwords(args: argparse.Namespace, analysis: Analysis) -> int:
    tokenizer = analysis.tokenizer
    print("layer\tentries")
    for layer, size in tokenizer.stopwords.sizes().items():
        print(f"{layer}\t{size if layer != 'places' else 'per document'}")
    if not args.paths:
        return 0
    corpus = analysis.corpus
    if not len(corpus):
        raise UsageError(f"no documents could be loaded ({len(corpus.skipped)} skipped)")
    removed = tokenizer.removed_counts(corpus)
    print(f"\n# most frequent tokens removed in {len(corpus)} documents, by layer (token count)")
    for reason, group in removed.groupby("reason", sort=False):
        top = group.head(args.top)
        print(f"{reason}\t" + " ".join(f"{t}({n})" for t, n in zip(top["token"], top["count"])))
    return 0


def cmd_keywords(args: argparse.Namespace, analysis: Analysis) -> int:
    _print_frame(analysis.keywords(None if args.by == "doc" else args.by), args.csv, guard=_guard(analysis))
    return 0


def cmd_topics(args: argparse.Namespace, analysis: Analysis) -> int:
    model = analysis.model
    recommended, rule = analysis.k_rule
    if recommended is not None:
        print(f"# K = {analysis.k}: {rule}", file=sys.stderr)
    _print_k_warnings(analysis)
    _print_frame(model.topic_words(args.top), args.csv, digits=4, guard=_guard(analysis))
    concepts = analysis.concepts
    if concepts is not None:
        for row in concepts.itertuples(index=False):
            if row.kind == "seeded":
                print(f"# {row.label}: keyword rate {row.keyword_rate:.2f}, {row.token_share:.1%} of tokens, "
                      f"{row.n_kept}/{row.n_seeds} seed words kept", file=sys.stderr)
            elif row.kind != "free":
                print(f"# {row.label}: {row.kind}", file=sys.stderr)
    return 0


def cmd_trends(args: argparse.Namespace, analysis: Analysis) -> int:
    by = ["year", args.by] if args.by and args.by != "year" else ["year"]
    _print_frame(analysis.prevalence_by(by), args.csv, digits=4, guard=_guard(analysis))
    return 0


def cmd_kwic(args: argparse.Namespace, analysis: Analysis) -> int:
    from .passages import kwic

    corpus = analysis.corpus
    if not len(corpus):
        raise UsageError(f"no documents could be loaded ({len(corpus.skipped)} skipped)")
    try:
        hits = kwic(corpus, args.term, window=args.window, regex=args.regex)
    except (ValueError, re.error) as error:
        raise UsageError(f"kwic: {error}") from None
    if args.csv:
        write_table(hits, sys.stdout, guard=_guard(analysis))
    elif len(hits):
        print("\t".join(["doc_id", "year", "unit", "part", "context"]))
        for hit in hits.to_dict("records"):
            left, right = (hit[side].replace("\n", "↵") for side in ("left", "right"))
            context = f"{_pad_left(left, 2 * args.window)}【{hit['keyword']}】{right}"
            print("\t".join(str(x) for x in [hit["doc_id"], _missing(hit["year"]), _missing(hit["unit"]), hit["part"], context]))
    print(f"# {len(hits)} hits of {args.term!r} in {hits['doc_id'].nunique() if len(hits) else 0} of "
          f"{len(corpus)} reports", file=sys.stderr)
    return 0


def _guard(analysis: Analysis) -> bool:
    """Whether CSVs neutralise formula-like text cells (``outputs.csv_guard``)."""
    return bool(analysis.config.outputs.csv_guard)


def _missing(value: Any) -> Any:
    return "-" if value is None or value is pd.NA or value != value else value


def _pad_left(text: str, columns: int) -> str:
    """``text`` right-aligned in ``columns`` terminal columns (a CJK character takes two).

    >>> _pad_left("营商", 6) + "|", _pad_left("ab", 3) + "|"
    ('  营商|', ' ab|')
    """
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return " " * max(columns - width, 0) + text


def cmd_validate(args: argparse.Namespace, analysis: Analysis) -> int:
    out = Path(args.out)
    if (out / "manifest.json").is_file():
        raise UsageError(f"{out} holds a build's outputs (manifest.json): write the sheets elsewhere, so the answer "
                         "key is never shipped with the figures")
    test = analysis.intrusion_test
    paths = test.write(out, guard=_guard(analysis))
    words = int((test.sheet["task"] == "word").sum())
    print(f"sheet {test.sheet_id}: {words} word-intrusion and {len(test.sheet) - words} topic-intrusion questions "
          f"for a model of {analysis.k} topics")
    print(f"  give coders:  {paths['form']}  (offline form; answers download as CSV)\n"
          f"                {paths['sheet']}  (the same questions as a spreadsheet)")
    print(f"  keep to yourself: {paths['key']}  (the answer key)")
    print(f"  then: govtopics validate score {paths['key']} ANSWERS.csv ...")
    return 0


def cmd_validate_score(args: argparse.Namespace, analysis: Analysis) -> int:
    from .validation import score_intrusion

    missing = [p for p in [args.key, *args.answers] if not Path(p).is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    try:
        scores = score_intrusion(args.key, args.answers)
    except (ValueError, KeyError) as error:
        raise UsageError(f"validate score: {error}") from None
    if args.csv:
        write_table(scores.summary, sys.stdout, guard=_guard(analysis))
        return 0
    print(scores.summary.round(3).to_string(index=False))
    if len(scores.by_topic):
        print("\n# model precision by topic")
        print(scores.by_topic.round(3).to_string(index=False))
    print("\n# by coder")
    print(scores.by_coder.round(3).to_string(index=False))
    return 0


def cmd_build(args: argparse.Namespace, analysis: Analysis) -> int:
    from .build import write_outputs

    manifest = write_outputs(analysis, args.out)
    counts = manifest["counts"]
    print(f"built {len(manifest['outputs'])} files in {args.out}: {counts['loaded']} reports loaded, "
          f"{counts['skipped']} skipped, {counts['in_trends']} in the trends, K = {manifest['k']['chosen']}")
    _print_k_warnings(analysis)
    return 0


def _print_k_warnings(analysis: Analysis) -> None:
    for warning in analysis.k_warnings:
        print(f"warning: {warning}", file=sys.stderr)


def cmd_config(args: argparse.Namespace, analysis: Analysis) -> int:
    print(analysis.config.to_toml(), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``govtopics`` argument parser; choices come from the registries (models, stopword layers, figures)."""
    from .models import MODELS
    from .outputs import FIGURES
    from .segmenting import ENGINES
    from .stopwords import STOPWORD_LAYERS
    from .trends import WEIGHTINGS

    parser = argparse.ArgumentParser(prog="govtopics", description="Topic modelling of Chinese government reports.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Settings: the defaults (as in govtopics.toml), or --config FILE, then --set "
                                            "section.key=value, then a command's flags.")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str, examples: str, *, paths: bool = True, config: str | None = None,
                needs_corpus: bool = True) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, formatter_class=argparse.RawDescriptionHelpFormatter,
                             epilog="examples:\n" + examples)
        if paths:
            cmd.add_argument("paths", nargs="*", help="report files or folders, searched recursively (corpus.path)")
        cmd.add_argument("--config", default=config, metavar="FILE",
                         help=f"TOML configuration (default: {config or 'the defaults, as in govtopics.toml'})")
        cmd.add_argument("--set", action="append", metavar="KEY=VALUE",
                         help="set any config key, e.g. --set model.max_iter=500 --set tokens.n_jobs=2 (repeatable)")
        cmd.set_defaults(needs_corpus=needs_corpus)
        return cmd

    def tokens_flags(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--backend", choices=list(ENGINES), help="segmenter (tokens.backend)")

    def model_flags(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("-k", type=_k, help='number of topics, or auto: scan model.k_range (model.k)')
        cmd.add_argument("--model", choices=list(MODELS), help="topic model (model.name)")
        cmd.add_argument("--no-below", type=toml_value, help="a word must occur in at least this many units (model.no_below)")
        cmd.add_argument("--codebook", metavar="FILE", help="fit a keyword-seeded model of this codebook (a TOML file, or "
                         "a shipped one: rule_of_law_outline, government_work) (model.codebook)")

    inspect = command("inspect", "one row per report: year, unit, level, places, genre, period, characters per part, units",
                      "  govtopics inspect seeds/\n  govtopics inspect a.txt b.txt --json")
    inspect.add_argument("--json", action="store_true", help='print {"documents": [...], "skipped": [...]}')
    inspect.set_defaults(func=cmd_inspect)

    stop = command("stopwords", "the stopword layers with their sizes; with a corpus, the tokens each layer removed",
                   "  govtopics stopwords\n  govtopics stopwords seeds/ --top 15\n"
                   "  govtopics stopwords seeds/ --layers function formulaic --extra my_words.txt",
                   needs_corpus=False)
    stop.add_argument("--layers", nargs="+", choices=list(STOPWORD_LAYERS), help="layers to switch on (tokens.layers)")
    stop.add_argument("--extra", nargs="+", metavar="FILE",
                      help="your own word-list files, one word a line, # comments (tokens.extra_stopword_files)")
    stop.add_argument("--top", type=int, default=10, help="tokens shown per layer (default 10)")
    tokens_flags(stop)
    stop.set_defaults(func=cmd_stopwords)

    keywords = command("keywords", "top TF-IDF terms per year, report part or report",
                       "  govtopics keywords seeds/ --by year\n  govtopics keywords seeds/ --by part --top 10 --csv")
    keywords.add_argument("--by", default="year", choices=["doc", "year", "part"])
    keywords.add_argument("--top", dest="keywords_top", type=int, help="terms per group (keywords.top)")
    keywords.add_argument("--csv", action="store_true", help="print CSV instead of a text table")
    tokens_flags(keywords)
    keywords.set_defaults(func=cmd_keywords)

    topics = command("topics", "fit the topic model and print each topic's top words",
                     "  govtopics topics seeds/        # K chosen by a scan, as the build does\n"
                     "  govtopics topics seeds/ -k 6\n  govtopics topics --config my.toml --model nmf\n"
                     "  govtopics topics seeds/ --codebook rule_of_law_outline   # seeded topics named by a codebook")
    model_flags(topics)
    topics.add_argument("--top", type=int, default=10, help="words per topic (default 10)")
    topics.add_argument("--csv", action="store_true", help="print CSV instead of a text table")
    tokens_flags(topics)
    topics.set_defaults(func=cmd_topics)

    trends = command("trends", "topic prevalence per year (or per year and group) with bootstrap intervals",
                     "  govtopics trends seeds/ -k 6\n  govtopics trends reports/ -k 10 --csv > prevalence.csv\n"
                     "  govtopics trends reports/ --by level")
    model_flags(trends)
    trends.add_argument("--by", metavar="COLUMN", help="prevalence by year and this column: level, genre or a "
                        "metadata-table column")
    trends.add_argument("--weight", choices=WEIGHTINGS, help="report: each report counts once in its year; tokens: "
                        "each token does (trends.weight)")
    trends.add_argument("--n-boot", type=int, help="bootstrap replicates (trends.n_boot)")
    trends.add_argument("--csv", action="store_true", help="print CSV instead of a text table")
    tokens_flags(trends)
    trends.set_defaults(func=cmd_trends)

    kwic = command("kwic", "every occurrence of a term in its context, with the report's metadata (no tokenizing)",
                   "  govtopics kwic seeds/ 营商环境\n  govtopics kwic seeds/ 普法 --window 10\n"
                   "  govtopics kwic reports/ '营商环境|法治化营商' --regex --csv > hits.csv")
    kwic.add_argument("term", help="the term (matched on normalised text: full- and half-width forms are the same)")
    kwic.add_argument("--window", type=int, default=20, help="characters shown each side (default 20)")
    kwic.add_argument("--regex", action="store_true", help="the term is a regular expression")
    kwic.add_argument("--csv", action="store_true", help="print every column as CSV instead of a text table")
    kwic.set_defaults(func=cmd_kwic)

    validate = command("validate", "word- and topic-intrusion sheets for coders from the configured model, with "
                       "their answer key; then `govtopics validate score`",
                       "  govtopics validate seeds/ --out validation/\n"
                       "  govtopics validate --config my.toml --out coding/ --set validation.n_passages=40\n"
                       "  govtopics validate score coding/intrusion_key.csv li.csv wang.csv")
    validate.add_argument("--out", required=True, metavar="DIR",
                          help="folder for the form, the sheet and the answer key (not a build's output folder)")
    model_flags(validate)
    validate.set_defaults(func=cmd_validate)

    score = sub.add_parser(SCORE, help="score coders' answers against the answer key: model precision, topic log "
                           "odds, Krippendorff's alpha", formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog="examples:\n  govtopics validate score coding/intrusion_key.csv li.csv wang.csv")
    score.add_argument("key", help="the answer key (intrusion_key.csv)")
    score.add_argument("answers", nargs="+", help="one CSV of answers per coder (the form's download or a filled-in sheet)")
    score.add_argument("--csv", action="store_true", help="print the summary as CSV")
    score.set_defaults(func=cmd_validate_score, config=None, needs_corpus=False)

    build_cmd = command("build", "every table and figure, and manifest.json, from the configuration",
                        "  govtopics build\n  govtopics build --config govtopics.toml --out figures\n"
                        "  govtopics build --corpus my_reports/ --out my_figures -k 10",
                        paths=False, config="govtopics.toml")
    build_cmd.add_argument("--out", default="figures", help="output folder (default figures)")
    build_cmd.add_argument("--corpus", dest="paths", nargs="+", metavar="PATH", help="corpus.path, overriding the config")
    build_cmd.add_argument("--figures", nargs="*", choices=list(FIGURES), help="figures to draw (figures.which)")
    model_flags(build_cmd)
    build_cmd.set_defaults(func=cmd_build)

    config = command("config", "print the configuration a command would run with, as TOML",
                     "  govtopics config > my.toml\n  govtopics config --config my.toml -k 7",
                     paths=False, needs_corpus=False)
    model_flags(config)
    config.set_defaults(func=cmd_config)
    return parser


# Characters a terminal acts on instead of showing: C0/C1 controls but TAB and newline (ESC starts a sequence that can
# retitle the window or rewrite the screen, CR overwrites the line) and the bidirectional overrides.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    r"""``text`` as a terminal should show report text: control characters written out as ``\x..`` or ``\u....``.

    >>> terminal_safe("报告\x1b]0;pwned\x07\u202e文本\t末")
    '报告\\x1b]0;pwned\\x07\\u202e文本\t末'
    """
    return _CONTROLS.sub(lambda m: repr(m.group())[1:-1], text)


class _TerminalText:
    """A text stream to a terminal that shows control characters in report text instead of obeying them."""

    def __init__(self, stream: Any):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_safe(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _guard_terminals() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, _TerminalText) and stream.isatty():
            setattr(sys, name, _TerminalText(stream))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``govtopics`` console script.

    Report text printed to a terminal has its control characters written out (:func:`terminal_safe`); piped or
    redirected output is left as it is.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    _guard_terminals()
    if argv[:2] == ["validate", "score"]:  # a command of two words: one parser of its own
        argv = [SCORE, *argv[2:]]
    args = build_parser().parse_args(argv)
    try:
        with Analysis(config_of(args)) as analysis:
            return args.func(args, analysis)
    except (UsageError, ConfigError, AnalysisError, MetadataTableError) as error:
        print(f"govtopics: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader stopped early (`govtopics kwic ... | head`): not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
