"""The one-command build: every table and figure from the raw reports, and a manifest.

``build(config)`` reads ``govtopics.toml`` (see the commented file at the repository root),
loads the corpus, tokenizes, scans K, fits the topic model, measures trends and writes
``tables/*.csv``, the PNG figures and ``manifest.json`` under the output folder. The same
inputs and configuration give identical tables and figures.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import pickle
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from .provenance import code_fingerprint, library_versions
from .reading import Corpus, load_corpus
from .tokenizing import default_cache_dir

__all__ = ["DEFAULTS", "BuildError", "StageCache", "load_config", "build", "FIGURES"]

FIGURES = ("prevalence", "heatmap", "stacked", "top_words", "keyness", "k_selection", "prevalence_by_part",
           "term_trends")

DEFAULTS: dict[str, dict[str, Any]] = {
    "corpus": {"path": "seeds", "max_unit_chars": 300, "min_year": None, "max_year": None,
               "max_bytes": 50_000_000, "deduplicate": True},
    "tokens": {
        "backend": "jieba",
        "layers": ["function", "formulaic", "scaffolding", "places", "numbers"],
        "extra_stopword_files": [],
        "extra_stopwords": [],
        "user_dicts": [],
        "pos": False,
        "phrases": False,
        "cache": True,
        "n_jobs": 1,
        "dask": "",
    },
    "model": {
        "k": "auto",
        "k_range": [3, 8],
        "seeds": [1, 2, 3, 4, 5],
        "random_state": 1,
        "passes": "auto",
        "iterations": 400,
        "alpha": "symmetric",
        "eta": None,  # TOML has no null: leave the key out for gensim's default
        "no_below": 5,
        "no_above": 0.5,
        "multicore": False,
        "workers": 2,
    },
    "trends": {"n_boot": 1000, "level": 0.95, "seed": 20240601, "terms": []},
    "keywords": {"top": 20, "min_count": 5},
    "figures": {"which": list(FIGURES)},
}


class BuildError(RuntimeError):
    """The corpus or configuration cannot give a build; the message says why in one line."""


def load_config(path: str | Path | None = None, **overrides: Any) -> dict[str, dict[str, Any]]:
    """The configuration: :data:`DEFAULTS`, then the TOML file, then ``overrides`` (``section={key: value}``).

    Unknown sections or keys are errors, so a typo cannot be silently ignored.

    >>> load_config(model={"k": 5})["model"]["k"]
    5
    """
    config = copy.deepcopy(DEFAULTS)
    layers: list[dict[str, Any]] = []
    if path is not None:
        with open(path, "rb") as handle:
            layers.append(tomllib.load(handle))
    layers.append(overrides)
    for layer in layers:
        for section, values in layer.items():
            if section not in config:
                raise BuildError(f"unknown config section [{section}]; known: {', '.join(config)}")
            for key, value in values.items():
                if key not in config[section]:
                    raise BuildError(f"unknown config key {section}.{key}; known: {', '.join(config[section])}")
                config[section][key] = value
    unknown = set(config["figures"]["which"]) - set(FIGURES)
    if unknown:
        raise BuildError(f"unknown figures {sorted(unknown)}; known: {', '.join(FIGURES)}")
    return config


class StageCache:
    """Results of expensive build stages on disk (pickle), keyed by a hash of everything they depend on.

    A rebuild with the same inputs and configuration reads them back instead of recomputing;
    ``hits`` names the stages that were read. Only this build writes these files: load none
    you did not make (pickle).
    """

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.hits: list[str] = []

    def get(self, stage: str, key: str, compute: Callable[[], Any]) -> Any:
        """The cached value of ``stage`` for ``key``, computing and storing it when absent."""
        if self.directory is None:
            return compute()
        path = self.directory / f"{stage}-{key[:40]}.pkl"
        if path.is_file():
            with contextlib.suppress(Exception):  # an unreadable entry is recomputed
                value = pickle.loads(path.read_bytes())
                self.hits.append(stage)
                return value
        value = compute()
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
        return value


def _key(*parts: Any) -> str:
    """A hash of JSON-able parts and of the code that computes them (:func:`code_fingerprint`)."""
    payload = json.dumps([code_fingerprint(), *parts], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _corpus_key(source: Path, c_corpus: dict[str, Any]) -> str:
    """Every file under the corpus path (hidden ones too) by relative path and content hash."""
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*"))
    listing = []
    for path in files:
        try:
            digest = _sha256(path) if path.is_file() else "-"
        except OSError as error:
            digest = f"unreadable {error.errno}"
        listing.append((path.relative_to(source).as_posix() if source.is_dir() else path.name, digest))
    # Documents keep their path as given, so the key holds it and the folder it is relative to.
    return _key("corpus", str(source), str(Path.cwd()), listing, c_corpus)


def _units_key(units: pd.DataFrame) -> str:
    h = hashlib.sha256()
    for doc_id, year, part, tokens in zip(units["doc_id"], units["year"], units["part"], units["tokens"]):
        h.update(f"{doc_id}\x1f{year}\x1f{part}\x1f{chr(0x1e).join(tokens)}\n".encode("utf-8"))
    return h.hexdigest()


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@contextlib.contextmanager
def _stage(name: str, timings: dict[str, float]) -> Iterator[None]:
    print(f"[govtopics] {name} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - start, 3)
    print(f"[govtopics] {name} done in {timings[name]:.1f} s", file=sys.stderr, flush=True)


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
    return path


def _inputs(corpus: Corpus, root: Path) -> list[dict[str, Any]]:
    """Every input file, loaded or skipped, with its hash and outcome."""
    rows = []
    for doc in corpus:
        if doc.path:
            rows.append({"path": _relative(doc.path, root), "sha256": _sha256(Path(doc.path)), "status": "loaded", "id": doc.id,
                         "encoding": doc.encoding, "year": doc.year})
    for skipped in corpus.skipped:
        path = Path(skipped.path)
        digest = _sha256(path) if path.is_file() and _readable(path) else None
        rows.append({"path": _relative(skipped.path, root), "sha256": digest, "status": "skipped", "reason": skipped.reason})
    return sorted(rows, key=lambda r: r["path"])


@contextlib.contextmanager
def dask_client(spec: str) -> Iterator[Any]:
    """A ``dask.distributed`` Client for ``spec``: "" (none), "local:N" (a local cluster of N worker
    processes, started and stopped here), or a scheduler address such as "tcp://10.0.0.5:8786"."""
    if not spec:
        yield None
        return
    from dask.distributed import Client, LocalCluster

    if spec.startswith("local:"):
        with LocalCluster(n_workers=int(spec.split(":", 1)[1]), threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            yield client
    else:
        with Client(spec) as client:
            yield client


def _relative(path: str | None, source: Path) -> str | None:
    """A path as written in the outputs: relative to the corpus folder, so tables do not depend on the machine."""
    if path is None:
        return None
    root = source if source.is_dir() else source.parent
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _readable(path: Path) -> bool:
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False


def build(config: dict[str, dict[str, Any]] | str | Path | None = None, out: str | Path = "figures",
          corpus_path: str | Path | None = None) -> dict[str, Any]:
    """Run the whole flow and write tables, figures and ``manifest.json`` under ``out``; return the manifest.

    ``config`` is a dict from :func:`load_config` or a TOML path; ``corpus_path`` overrides its corpus.
    Raises :class:`BuildError` for a corpus that cannot be modelled (nothing loaded, no years,
    too few units or words for K).
    """
    if not isinstance(config, dict):
        config = load_config(config)
    config = copy.deepcopy(config)
    if corpus_path is not None:
        config["corpus"]["path"] = str(corpus_path)
    out = Path(out)
    timings: dict[str, float] = {}
    c_corpus = config["corpus"]

    cache = StageCache(default_cache_dir() / "build" if config["tokens"]["cache"] else None)
    with _stage("loading", timings):
        source = Path(c_corpus["path"])
        if not source.exists():
            raise BuildError(f"no such file or folder: {source}")
        corpus = cache.get("corpus", _corpus_key(source, c_corpus), lambda: load_corpus(
            source, max_unit_chars=c_corpus["max_unit_chars"], max_bytes=c_corpus["max_bytes"],
            deduplicate=c_corpus["deduplicate"]))
        if not len(corpus):
            raise BuildError(f"no document could be loaded from {source} ({len(corpus.skipped)} skipped)")
        lo, hi = c_corpus["min_year"], c_corpus["max_year"]
        dated = [d for d in corpus if d.year is not None and (lo is None or d.year >= lo) and (hi is None or d.year <= hi)]
        if not dated:
            raise BuildError("no document has a year (in range): the trends need the year of each report")

    with dask_client(config["tokens"]["dask"]) as client:
        return _build(config, corpus, dated, source, out, timings, client, cache)


def _build(config: dict[str, dict[str, Any]], corpus: Corpus, dated: list, source: Path, out: Path,
           timings: dict[str, float], client: Any, cache: StageCache) -> dict[str, Any]:
    from .features import consecutive_keyness, tfidf_keywords
    from .models import LdaTopics, recommend_k, scan_k, unit_topics
    from .stopwords import Stopwords
    from .tokenizing import Tokenizer
    from .trends import term_trends, topic_prevalence, topic_words_by_year

    tables = out / "tables"
    outputs: list[Path] = []
    c_tok, c_model, c_trends = config["tokens"], config["model"], config["trends"]
    with _stage("tokenizing", timings):
        tokenizer = Tokenizer(
            backend=c_tok["backend"],
            stopwords=Stopwords(layers=c_tok["layers"], extra_words=c_tok["extra_stopwords"],
                                extra_files=c_tok["extra_stopword_files"]),
            pos=c_tok["pos"], user_dicts=c_tok["user_dicts"], cache=c_tok["cache"], n_jobs=c_tok["n_jobs"],
            client=client,
        )
        # The units' text is not needed past this point: dropped, it does not sit in memory twice.
        units = tokenizer.tokenize_corpus(Corpus(dated), phrases=c_tok["phrases"], drop_empty=True).drop(columns="text")
        docs = list(units["tokens"])
        if not docs:
            raise BuildError("no analysis tokens are left after the stopword layers")

    # Until the config follows the estimator's parameters (spine, issue 11), pass the keys both know.
    params = {key: c_model[key] for key in ("alpha", "eta", "no_below", "no_above")}
    units_key = _units_key(units)
    with _stage("choosing K", timings):
        lo_k, hi_k = c_model["k_range"]
        ks = list(range(lo_k, hi_k + 1))
        if c_model["k"] != "auto":
            ks = sorted(set(ks) | {int(c_model["k"])})
        if max(ks) >= len(docs):
            raise BuildError(f"K={max(ks)} needs more than {len(docs)} units with tokens; lower model.k or model.k_range")

        def model_stage() -> tuple[pd.DataFrame, LdaTopics]:
            fitted: dict[tuple[int, int], LdaTopics] = {}
            try:
                table = scan_k(docs, ks, seeds=c_model["seeds"], fitted=fitted, **params)
            except ValueError as error:
                raise BuildError(str(error)) from None
            chosen = recommend_k(table)[0] if c_model["k"] == "auto" else int(c_model["k"])
            model = fitted.get((chosen, c_model["random_state"]))  # the scan may have fitted it already
            if model is None:
                model = LdaTopics(num_topics=chosen, random_state=c_model["random_state"], **params).fit(docs)
            return table, model

        k_table, lda = cache.get("model", _key("model", units_key, c_model), model_stage)
        recommended, rule = recommend_k(k_table)
        k = lda.num_topics
        k_table["recommended"] = k_table["k"] == recommended
        outputs.append(_write_csv(k_table, tables / "k_selection.csv"))

    with _stage("fitting the topic model", timings):
        topic_words = lda.topic_words(10)
        unit_table = unit_topics(units, lda, theta=lda.gamma_ / lda.gamma_.sum(axis=1, keepdims=True))
        words_by_year = cache.get("words_by_year", _key("words_by_year", units_key, c_model),
                                  lambda: topic_words_by_year(lda, units))
        outputs.append(_write_csv(topic_words, tables / "topic_words.csv"))
        outputs.append(_write_csv(unit_table, tables / "unit_topics.csv"))
        outputs.append(_write_csv(words_by_year, tables / "topic_words_by_year.csv"))

    with _stage("trends", timings):
        common = dict(labels=lda.labels_, n_boot=c_trends["n_boot"], level=c_trends["level"], seed=c_trends["seed"])
        prevalence, by_part = cache.get(
            "prevalence", _key("prevalence", units_key, c_model, c_trends),
            lambda: (topic_prevalence(unit_table, lda.gamma_, **common),
                     topic_prevalence(unit_table, lda.gamma_, by=["part", "year"], **common)))
        outputs.append(_write_csv(prevalence, tables / "topic_prevalence_by_year.csv"))
        outputs.append(_write_csv(by_part, tables / "topic_prevalence_by_part.csv"))
        def keywords_stage() -> tuple[pd.DataFrame, ...]:
            top = config["keywords"]["top"]
            by_year = tfidf_keywords(units, by="year", top=top)
            terms = c_trends["terms"] or list(by_year[by_year["rank"] <= 2]["term"].drop_duplicates())
            return (by_year, tfidf_keywords(units, by="part", top=top),
                    consecutive_keyness(units, min_count=config["keywords"]["min_count"], top=top),
                    term_trends(units, terms, client=client))

        keywords, keywords_part, keyness, trends_table = cache.get(
            "keywords", _key("keywords", units_key, config["keywords"], c_trends["terms"]), keywords_stage)
        outputs.append(_write_csv(keywords, tables / "keywords_by_year.csv"))
        outputs.append(_write_csv(keywords_part, tables / "keywords_by_part.csv"))
        outputs.append(_write_csv(keyness, tables / "keyness.csv"))
        outputs.append(_write_csv(trends_table, tables / "term_trends.csv"))

    with _stage("documents table", timings):
        tokens_per_doc = units.groupby("doc_id")["tokens"].apply(lambda s: sum(map(len, s)))
        units_per_doc = units.groupby("doc_id").size()
        documents = corpus.to_frame()[["id", "path", "year", "unit", "level", "places", "characters", "units"]]
        documents["path"] = [_relative(p, source) for p in documents["path"]]
        documents = documents.rename(columns={"units": "units_all"})
        documents["units"] = documents["id"].map(units_per_doc).fillna(0).astype(int)
        documents["tokens"] = documents["id"].map(tokens_per_doc).fillna(0).astype(int)
        documents["in_trends"] = documents["id"].isin({d.id for d in dated})
        outputs.append(_write_csv(documents.drop(columns="units_all"), tables / "documents.csv"))

    with _stage("figures", timings):
        outputs += _figures(config["figures"], out, cache, prevalence, by_part, topic_words, keyness, k_table,
                            recommended, trends_table)

    manifest = {
        "govtopics_build": 1,
        "config": config,
        "k": {"chosen": k, "recommended": recommended, "rule": rule},
        "corpus": str(source),
        "inputs": _inputs(corpus, source),
        "counts": {"loaded": len(corpus), "skipped": len(corpus.skipped), "in_trends": len(dated),
                   "units": len(units), "tokens": int(sum(map(len, docs)))},
        "versions": library_versions(),
        "outputs": {p.relative_to(out).as_posix(): _sha256(p) for p in sorted(outputs)},
        "token_cache": tokenizer.cache_stats,
        "stage_cache_hits": cache.hits,
        "timings_s": timings,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _figures(settings: dict[str, Any], out: Path, cache: StageCache, prevalence: pd.DataFrame,
             by_part: pd.DataFrame, topic_words: pd.DataFrame, keyness: pd.DataFrame, k_table: pd.DataFrame,
             recommended: int, trends_table: pd.DataFrame) -> list[Path]:
    """Draw the configured figures; a figure whose data did not change is taken from the stage cache."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plots

    written: list[Path] = []

    def render(draw: Callable[[], Any]) -> bytes:
        drawn = draw()
        figure = drawn if isinstance(drawn, matplotlib.figure.Figure) else drawn.figure
        with tempfile.TemporaryDirectory() as tmp:
            data = plots.save_figure(figure, Path(tmp) / "figure.png").read_bytes()
        plt.close(figure)
        return data

    def save(name: str, draw: Callable[[], Any], *data: Any) -> None:
        key = _key("figure", name, [d.to_csv(index=False) if isinstance(d, pd.DataFrame) else d for d in data])
        path = out / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(cache.get("figure", key, lambda: render(draw)))
        written.append(path)

    which = settings["which"]
    if "prevalence" in which:
        save("prevalence", lambda: plots.plot_prevalence(prevalence), prevalence)
    if "heatmap" in which:
        save("heatmap", lambda: plots.plot_heatmap(prevalence), prevalence)
    if "stacked" in which:
        save("stacked", lambda: plots.plot_stacked(prevalence), prevalence)
    if "top_words" in which:
        save("top_words", lambda: plots.plot_top_words(topic_words), topic_words)
    if "keyness" in which:
        for (first, second), pair in keyness.groupby(["from", "to"], sort=True):
            save(f"keyness_{first}_{second}", lambda pair=pair: plots.plot_keyness(pair), pair)
    if "k_selection" in which:
        save("k_selection", lambda: plots.plot_k_selection(k_table, recommended=recommended), k_table, recommended)
    if "prevalence_by_part" in which:
        save("prevalence_by_part", lambda: plots.plot_prevalence_by_part(by_part), by_part)
    if "term_trends" in which:
        save("term_trends", lambda: plots.plot_term_trends(trends_table), trends_table)
    # A figure of an earlier build that this one did not draw (other years, a figure switched off) would be stale.
    for old in [out / f"{name}.png" for name in FIGURES] + sorted(out.glob("keyness_*.png")):
        if old.is_file() and old not in written:
            old.unlink()
    return written
