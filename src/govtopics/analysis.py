"""One analysis, many faces: the stages that the build, the CLI and the notebooks all read.

``Analysis(config)`` computes nothing until asked. Each stage (:attr:`~Analysis.corpus`,
:attr:`~Analysis.units`, :attr:`~Analysis.model`, :attr:`~Analysis.prevalence` …) is computed
once, on first use, from the stages before it and the :class:`~govtopics.config.Config`; the
expensive ones are also kept on disk by :class:`StageCache`, keyed by everything they depend on,
so a notebook, a CLI command and a build with the same settings share one computation.

>>> analysis = Analysis.from_toml("govtopics.toml", model={"k": 4}, trends={"n_boot": 50},
...                               tokens={"cache": False}, progress=False)
>>> len(analysis.corpus), analysis.model.num_topics, analysis.k_table is None
(5, 4, True)
>>> analysis.prevalence.groupby("year")["prevalence"].sum().round(6).tolist()
[1.0, 1.0, 1.0, 1.0]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle  # only to hash a given corpus for its cache key; nothing is unpickled
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import safestore
from .config import MODEL_KEYS, Config, load_config, scan_keys
from .executor import CacheNotes, private_dir
from .provenance import code_fingerprint
from .reading import Corpus, Document, load_corpus
from .tokenizing import default_cache_dir

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .codebook import Codebook
    from .effects import TopicEffects
    from .explorer import Explorer
    from .tokenizing import Tokenizer
    from .validation import IntrusionTest

__all__ = ["Analysis", "AnalysisError", "StageCache", "dask_client"]


class AnalysisError(RuntimeError):
    """The corpus or configuration cannot give an analysis; the message says why in one line."""


class StageCache:
    """Results of expensive stages on disk, keyed by a hash of everything they depend on.

    An analysis with the same inputs and configuration reads them back instead of computing;
    ``hits`` names the stages that were read. Entries are data, not code (:mod:`govtopics.safestore`:
    JSON and NumPy arrays, no pickle), each with the SHA-256 of its content: a damaged or truncated
    entry, or one naming a class the cache never stores, is computed again and replaced, and
    :attr:`notes` says so (as does stderr). A folder that others can write to is not used
    (:func:`~govtopics.executor.private_dir`). A value the format cannot hold is computed each time.
    """

    SUFFIX = ".gts"

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.hits: list[str] = []
        self.notes = CacheNotes()
        self._usable: bool | None = None

    def usable(self) -> bool:
        """Whether the folder is one to read and write (made, private, checked once)."""
        if self.directory is None:
            return False
        if self._usable is None:
            problem = private_dir(self.directory)
            if problem:
                self.notes.add(f"stage cache not used: {problem}")
            self._usable = problem is None
        return self._usable

    def get(self, stage: str, key: str, compute: Callable[[], Any]) -> Any:
        """The cached value of ``stage`` for ``key``, computing and storing it when absent or damaged."""
        if not self.usable():
            return compute()
        path = self.directory / f"{stage}-{key[:40]}{self.SUFFIX}"
        if path.is_file():
            try:
                value = safestore.loads(path.read_bytes())
            except (safestore.DamagedEntry, OSError) as error:
                self.notes.add(f"stage cache entry {path.name} ({stage}) is damaged: {error}; computed again")
            else:
                self.hits.append(stage)
                return value
        value = compute()
        try:
            data = safestore.dumps(value)
        except safestore.Unstorable as why:
            self.notes.add(f"stage {stage} is not cached: it holds {why}")
            return value
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        partial.replace(path)
        return value


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


class Analysis:
    """Lazy, cached stages of one analysis of one corpus with one :class:`~govtopics.config.Config`.

    ``config`` is a Config, a TOML path, a ``{section: {key: value}}`` mapping or None (the
    defaults, which are those of the repository's ``govtopics.toml``); ``overrides`` change
    sections (``model={"k": 7}``). ``loaded`` gives documents already loaded (e.g. from a
    DataFrame, see :meth:`from_corpus`) instead of ``corpus.path``. ``progress`` reports each
    stage on stderr. Use it as a context manager when ``tokens.dask`` starts a cluster, so the
    cluster is stopped at the end.
    """

    def __init__(self, config: Config | Mapping[str, Any] | str | Path | None = None, *,
                 loaded: Corpus | None = None, progress: bool = True, **overrides: Mapping[str, Any]):
        if isinstance(config, (str, Path)):
            config = Config.from_toml(config)
        elif config is None or not isinstance(config, Config):
            config = Config(**(config or {}))
        self.config = config.replace(**overrides) if overrides else config
        self.progress = progress
        self.cache = StageCache(default_cache_dir() / "build" if self.config.tokens.cache else None)
        self.timings: dict[str, float] = {}
        self._given_corpus = loaded
        self._memo: dict[tuple[str, str], Any] = {}
        self._keys: dict[str, str] = {}
        self._resources = contextlib.ExitStack()
        self._client: Any = None
        self._tokenizer: Tokenizer | None = None

    @classmethod
    def from_toml(cls, path: str | Path, *, progress: bool = True, **overrides: Mapping[str, Any]) -> Analysis:
        """The analysis that ``govtopics build --config path`` makes, with ``overrides``."""
        return cls(load_config(path, **overrides), progress=progress)

    @classmethod
    def from_corpus(cls, corpus: Corpus, config: Config | Mapping[str, Any] | str | Path | None = None, *,
                    progress: bool = True, **overrides: Mapping[str, Any]) -> Analysis:
        """The analysis of documents already loaded (``load_corpus(frame)`` for a DataFrame of reports)."""
        return cls(config, loaded=corpus, progress=progress, **overrides)

    def replace(self, **overrides: Mapping[str, Any]) -> Analysis:
        """The same analysis with changed settings; stages the change does not touch are reused.

        >>> a = Analysis(model={"k": 4}, progress=False)
        >>> a.replace(model={"name": "nmf"}).config.model.name, a.config.model.name
        ('nmf', 'lda')
        """
        other = Analysis(self.config.replace(**overrides), loaded=self._given_corpus, progress=self.progress)
        other._memo = self._memo  # values are stored under their keys, so sharing them is safe
        return other

    def __enter__(self) -> Analysis:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop the dask cluster this analysis started, if any."""
        self._resources.close()
        self._client = None

    def __repr__(self) -> str:
        m = self.config.model
        return f"Analysis(corpus={self.config.corpus.path!r}, model={m.name!r}, k={m.k!r})"

    # -- machinery -----------------------------------------------------------------------------
    def _key(self, *parts: Any) -> str:
        """A hash of JSON-able parts and of the code that computes them (:func:`code_fingerprint`)."""
        payload = json.dumps([code_fingerprint(), *parts], ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _stage(self, name: str, key: str, compute: Callable[[], Any], disk: bool = True) -> Any:
        """The value of stage ``name`` for ``key``: from memory, else the stage cache, else ``compute``."""
        if (name, key) not in self._memo:
            with self.timed(name):
                self._memo[name, key] = self.cache.get(name, key, compute) if disk else compute()
        return self._memo[name, key]

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Time a step into :attr:`timings` (added up when it runs again), saying so on stderr."""
        if self.progress:
            print(f"[govtopics] {name} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
        self.timings[name] = round(self.timings.get(name, 0.0) + elapsed, 3)
        if self.progress:
            print(f"[govtopics] {name} done in {elapsed:.1f} s", file=sys.stderr, flush=True)

    @property
    def client(self) -> Any:
        """The ``dask.distributed`` Client of ``tokens.dask`` (started on first use), or None."""
        spec = self.config.tokens.dask
        if spec and self._client is None:
            self._client = self._resources.enter_context(dask_client(spec))
        return self._client

    def corpus_paths(self) -> list[Path]:
        """``corpus.path`` as a list of paths."""
        path = self.config.corpus.path
        return [Path(p) for p in ([path] if isinstance(path, str) else path)]

    def corpus_key(self) -> str:
        """A hash of every input (each file under the corpus paths, by path and content) and the loading options."""
        if "corpus" not in self._keys:
            if self._given_corpus is not None:
                listing: Any = hashlib.sha256(pickle.dumps(self._given_corpus)).hexdigest()
            else:
                listing = [_listing(path, self.config.corpus.max_bytes) for path in self.corpus_paths()]
            options = {k: v for k, v in self.config.corpus.items() if k not in ("min_year", "max_year")}
            table = self.config.corpus.metadata
            # The table's content, not only its name: an edited table gives other documents.
            table_hash = _listing(Path(table)) if table is not None and Path(table).exists() else None
            # Documents keep their path as given, so the key holds the folder it is relative to.
            self._keys["corpus"] = self._key("corpus", listing, str(Path.cwd()), options, table_hash)
        return self._keys["corpus"]

    @property
    def cache_notes(self) -> list[str]:
        """What the stage and token caches found wrong in this analysis (damaged entries rebuilt, a folder not used)."""
        return [*self.cache.notes, *(self._tokenizer.cache_notes if self._tokenizer is not None else [])]

    def output_key(self, name: str) -> str:
        """A hash of everything an output named ``name`` can depend on: the inputs and every setting."""
        settings = self.config.to_dict()
        del settings["figures"]
        settings["model"] = self.model_settings()
        return self._key("output", name, self.corpus_key(), settings)

    # -- stages --------------------------------------------------------------------------------
    @property
    def corpus(self) -> Corpus:
        """Every input, loaded (``corpus.documents``) or skipped with its reason (``corpus.skipped``)."""
        if self._given_corpus is not None:
            return self._given_corpus
        paths = self.corpus_paths()
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise AnalysisError(f"no such file or folder: {', '.join(missing)}")
        options = {k: v for k, v in self.config.corpus.items() if k not in ("path", "min_year", "max_year")}
        options["suffixes"] = tuple(options.get("suffixes", ()))
        source = paths[0] if len(paths) == 1 else paths
        return self._stage("corpus", self.corpus_key(), lambda: load_corpus(source, **options))

    @property
    def excluded(self) -> dict[str, str]:
        """Loaded documents that the analysis leaves out, by id, with the reason (no year, year out of range)."""
        lo, hi = self.config.corpus.min_year, self.config.corpus.max_year
        out = {}
        for doc in self.corpus:
            if doc.year is None:
                out[doc.id] = "no year: the analysis needs the year of each report"
            elif (lo is not None and doc.year < lo) or (hi is not None and doc.year > hi):
                out[doc.id] = f"year {doc.year} outside corpus.min_year..max_year ({lo}..{hi})"
        return out

    @property
    def documents(self) -> Corpus:
        """The documents the analysis models: loaded, with a year in ``[corpus.min_year, corpus.max_year]``."""
        corpus = self.corpus
        if not len(corpus):
            where = ", ".join(map(str, self.corpus_paths())) if self._given_corpus is None else "the given corpus"
            raise AnalysisError(f"no document could be loaded from {where} ({len(corpus.skipped)} skipped)")
        excluded = self.excluded
        kept = [doc for doc in corpus if doc.id not in excluded]
        if not kept:
            raise AnalysisError("no document has a year (in range): the trends need the year of each report")
        return Corpus(kept)

    @property
    def trends_excluded(self) -> dict[str, str]:
        """Loaded reports that take no part in the trends, by id, with the reason: those of :attr:`excluded` (no
        year, a year out of range) and those none of whose units keeps a token after the stopword layers."""
        out = dict(self.excluded)
        with_tokens = set(self.units["doc_id"])
        out.update((doc.id, "no tokens: every unit is empty after the stopword layers")
                   for doc in self.documents if doc.id not in with_tokens)
        return {doc.id: out[doc.id] for doc in self.corpus if doc.id in out}

    def group_excluded(self, by: str) -> pd.DataFrame:
        """Reports in the trends that :meth:`prevalence_by` ``(["year", by])`` leaves out (no value of ``by``):
        columns doc_id, reason (:func:`~govtopics.trends.exclusions`)."""
        from .trends import exclusions

        units = self.unit_topics
        excluded = exclusions(units, ["year", self._group_column(by)])
        return excluded[excluded["reason"] != "no year"].reset_index(drop=True)

    @property
    def tokenizer(self) -> Tokenizer:
        """The :class:`~govtopics.tokenizing.Tokenizer` of the ``tokens`` settings."""
        if self._tokenizer is None:
            from .stopwords import Stopwords
            from .tokenizing import Tokenizer

            t = self.config.tokens
            self._tokenizer = Tokenizer(
                backend=t.backend,
                stopwords=Stopwords(layers=t.layers, extra_words=t.extra_stopwords, extra_files=t.extra_stopword_files),
                pos=t.pos, user_dicts=t.user_dicts, cache=t.cache, n_jobs=t.n_jobs, progress=self.progress,
                client=self.client,
            )
        return self._tokenizer

    @property
    def units(self) -> pd.DataFrame:
        """One row per analysis unit of :attr:`documents` that keeps tokens: the units table with a
        ``tokens`` column and without ``text`` (see :meth:`unit_texts`)."""
        t = self.config.tokens

        def tokenize() -> pd.DataFrame:
            units = self.tokenizer.tokenize_corpus(self.documents, phrases=t.phrases, drop_empty=True)
            if units.empty:
                raise AnalysisError("no analysis tokens are left after the stopword layers")
            # The text is not needed past this point: dropped, it does not sit in memory twice.
            return units.drop(columns="text")

        return self._stage("units", self._units_stage_key(), tokenize, disk=False)

    def _units_stage_key(self) -> str:
        c = self.config.corpus
        return self._key("units", self.corpus_key(), c.min_year, c.max_year, self.tokenizer.fingerprint(),
                         self.config.tokens.phrases)

    def units_key(self) -> str:
        """A hash of the units' content (every column and every token): the key of the stages after the model.

        Settings that give the same units (a stopword that never occurs) give the same key, so
        what follows is not computed again.
        """
        memo = ("units_key", self._units_stage_key())
        if memo not in self._memo:
            units = self.units
            h = hashlib.sha256(self.tokens_key().encode())
            for column in units.columns.drop("tokens"):
                h.update(column.encode() + b"\0" + repr(units[column].tolist()).encode("utf-8"))
            self._memo[memo] = h.hexdigest()
        return self._memo[memo]

    def tokens_key(self) -> str:
        """A hash of the units' tokens alone, in order: the model's key. The model is fitted on nothing else, so a
        new covariate or a corrected year in a metadata table does not fit it again."""
        memo = ("tokens_key", self._units_stage_key())
        if memo not in self._memo:
            h = hashlib.sha256()
            for tokens in self.units["tokens"]:
                h.update("\x1f".join(tokens).encode("utf-8") + b"\x1e")
            self._memo[memo] = h.hexdigest()
        return self._memo[memo]

    def unit_texts(self, rows: pd.DataFrame) -> list[str]:
        """The text of each unit in ``rows`` (any frame with ``doc_id`` and ``unit_index``), read from the corpus."""
        by_doc = {doc.id: doc for doc in self.corpus}
        return [_unit(by_doc[d], i).text for d, i in zip(rows["doc_id"], rows["unit_index"])]

    def model_settings(self) -> dict[str, Any]:
        """The ``model`` settings and, with a codebook, a hash of its content: what the model and every stage after it
        depend on (an edited codebook at the same path fits the model again)."""
        settings = dict(self.config.model)
        if settings["codebook"]:
            book = self.codebook
            settings["codebook_content"] = [book.free_topics, [[c.name, list(c.seeds)] for c in book.concepts]]
        return settings

    @property
    def codebook(self) -> Codebook | None:
        """The :class:`~govtopics.codebook.Codebook` of ``model.codebook`` (a file, or a shipped one by name), or None."""
        from .codebook import CodebookError, load_codebook

        path = self.config.model.codebook
        if not path:
            return None
        try:
            return load_codebook(path)
        except CodebookError as error:
            raise AnalysisError(f"model.codebook: {error}") from None

    def _fit(self) -> tuple[pd.DataFrame | None, Any]:
        from .models import KRangeWarning, fit_topics

        m = self.config.model
        docs = list(self.units["tokens"])
        scan_options = {key: m[key] for key in scan_keys()}
        params = {key: value for key, value in m.items() if key not in MODEL_KEYS and key not in scan_options}
        ks = None if m.k_range == "auto" else range(m.k_range[0], m.k_range[1] + 1)
        name, k = m.name, m.k
        book = self.codebook
        if book is not None:
            # K is the codebook's: one topic per concept and its free topics; nothing to scan.
            if name not in ("lda", "seeded"):
                raise AnalysisError(f"model.codebook needs an LDA model (model.name = \"lda\" or \"seeded\"), "
                                    f"not {name!r}")
            if k != "auto" and k != book.n_topics:
                raise AnalysisError(f"model.k = {k}, but the codebook {m.codebook} gives {len(book.concepts)} concepts "
                                    f"and {book.free_topics} free topics = {book.n_topics}: set model.k = \"auto\" "
                                    "or change free_topics in the codebook")
            name, k = "seeded", book.n_topics
            params["seed_words"] = book.seed_words
        elif name == "seeded":
            raise AnalysisError('model.name = "seeded" needs model.codebook: a codebook file of concepts and seed words')
        if k != "auto" and k >= len(docs):
            raise AnalysisError(f"model.k = {k} is not possible with {len(docs)} units with tokens: "
                                f"choose 1 <= k < {len(docs)}")
        if k == "auto" and ks is not None and ks[-1] >= len(docs):
            raise AnalysisError(f"K={ks[-1]} needs more than {len(docs)} units with tokens; lower model.k_range")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", KRangeWarning)
                result = fit_topics(docs, k=k, ks=ks, model=name, groups=list(self.units["doc_id"]),
                                    progress=self.progress, **scan_options, **params)
        except ValueError as error:
            raise AnalysisError(str(error)) from None
        table = result.k_table
        if table is not None:
            # The rule and its warnings travel with the table (and its cache entry) to the manifest.
            table.attrs.update(rule=result.rule, warnings=[str(w.message) for w in caught
                                                           if issubclass(w.category, KRangeWarning)])
        for w in caught:
            if not issubclass(w.category, KRangeWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return table, result.model

    def _fitted(self) -> tuple[pd.DataFrame | None, Any]:
        return self._stage("model", self._key("model", self.tokens_key(), self.model_settings()), self._fit)

    @property
    def k_table(self) -> pd.DataFrame | None:
        """The K scan (one row per K, the recommended one marked) when ``model.k = "auto"``; None for a fixed K."""
        return self._fitted()[0]

    @property
    def model(self) -> Any:
        """The fitted topic model (``model.name`` from :data:`~govtopics.models.MODELS`) with K topics."""
        return self._fitted()[1]

    @property
    def k(self) -> int:
        """The number of topics of :attr:`model`."""
        return int(self.model.num_topics)

    @property
    def k_rule(self) -> tuple[int | None, str]:
        """The K the scan recommends and the rule it applied; ``(None, why)`` for a fixed K."""
        table = self.k_table
        if table is None:
            return None, "fixed by model.k"
        return int(table.loc[table["recommended"], "k"].iloc[0]), table.attrs["rule"]

    @property
    def k_warnings(self) -> list[str]:
        """What the K scan warned about (e.g. a K at the edge of the range scanned)."""
        table = self.k_table
        return [] if table is None else list(table.attrs.get("warnings", []))

    @property
    def keyword_diagnostics(self) -> pd.DataFrame | None:
        """With a codebook: each seed word in the units (:func:`~govtopics.codebook.keyword_diagnostics`: count, units,
        unit share, shared_with, status: kept, absent, rare, too common); None without one."""
        return getattr(self.model, "keyword_diagnostics_", None) if self.codebook is not None else None

    @property
    def concepts(self) -> pd.DataFrame | None:
        """With a codebook: one row per concept and free topic (:meth:`~govtopics.seeded.SeededTopics.concept_table`:
        keyword rate, token share, top words); None without one."""
        return self.model.concept_table() if self.codebook is not None else None

    @property
    def topic_words(self) -> pd.DataFrame:
        """Each topic's ten heaviest words: topic, label, rank, word, weight."""
        return self.model.topic_words(10)

    def _theta(self) -> tuple[Any, bool]:
        """Unit-topic parameters and whether they are Dirichlet parameters (posterior draws possible)."""
        model = self.model
        if hasattr(model, "gamma_"):
            return model.gamma_, True
        return model.transform(list(self.units["tokens"])), False

    @property
    def unit_topics(self) -> pd.DataFrame:
        """One row per unit: its metadata, ``n_tokens`` and topic proportions ``topic_0`` …"""
        from .models import unit_topics

        def compute() -> pd.DataFrame:
            theta, dirichlet = self._theta()
            if dirichlet:
                theta = theta / theta.sum(axis=1, keepdims=True)
            return unit_topics(self.units, self.model, theta=theta)

        key = self._key("unit_topics", self.units_key(), self.model_settings())
        return self._stage("unit_topics", key, compute, disk=False)

    def prevalence_by(self, by: str | Sequence[str]) -> pd.DataFrame:
        """Topic prevalence per group of ``by`` columns with bootstrap intervals (the ``trends`` settings).

        See :func:`~govtopics.trends.topic_prevalence`.
        """
        from .trends import topic_prevalence

        by = [by] if isinstance(by, str) else list(by)
        for column in by:
            self._group_column(column)
        t = {key: value for key, value in self.config.trends.items() if key not in ("terms", "by")}
        key = self._key("prevalence", self.units_key(), self.model_settings(), t, by)

        def compute() -> pd.DataFrame:
            gamma, dirichlet = self._theta()
            options = dict(t)
            if not dirichlet:  # proportions, not Dirichlet parameters: nothing to draw from
                options["model_uncertainty"] = False
            return topic_prevalence(self.unit_topics, gamma, self.model.labels_, by=by, **options)

        return self._stage("prevalence", key, compute)

    @property
    def prevalence(self) -> pd.DataFrame:
        """Topic prevalence per year with intervals: :meth:`prevalence_by` ``("year")``."""
        return self.prevalence_by("year")

    def _group_column(self, column: str) -> str:
        """``column`` when the units have it, else an AnalysisError naming the columns there are."""
        columns = [c for c in self.units.columns if c not in ("tokens", "unit_index", "heading")]
        if column not in columns:
            raise AnalysisError(f"no column {column!r} to group or fit by; the units have {', '.join(columns)} "
                                "(a metadata table, [corpus] metadata, adds its columns)")
        return column

    @property
    def prevalence_groups(self) -> dict[str, pd.DataFrame]:
        """Prevalence by year and each group of ``trends.by`` (e.g. ``level``): ``{group: prevalence_by(["year", group])}``."""
        return {group: self.prevalence_by(["year", group]) for group in self.config.trends.by}

    @property
    def effects(self) -> TopicEffects | None:
        """How the covariates of ``effects.formula`` move report-level topic prevalence
        (:func:`~govtopics.effects.estimate_effects`); None while the formula is empty (the default).

        Standard errors are clustered by ``effects.cluster``: by default the issuing government or
        department (``issuer``: places and unit), so reports of one government are not counted as
        independent and two cities' 司法局 are two clusters.
        """
        e = self.config.effects
        if not e.formula:
            return None
        key = self._key("effects", self.units_key(), self.model_settings(), dict(e))

        def compute() -> TopicEffects:
            from formulaic.errors import FormulaicError

            from .effects import estimate_effects

            gamma, dirichlet = self._theta()
            cluster = self._group_column(e.cluster) if e.cluster else None
            try:
                return estimate_effects(self.unit_topics, gamma, e.formula, labels=self.model.labels_, cluster=cluster,
                                        n_draws=e.n_draws, level=e.level, seed=e.seed, year_df=e.year_df,
                                        model_uncertainty=e.model_uncertainty and dirichlet)
            except (ValueError, FormulaicError) as error:
                message = " ".join(re.sub(r"\x1b\[[\d;]*m", "", str(error)).split())  # formulaic's: coloured, lines
                raise AnalysisError(f"effects.formula = {e.formula!r}: {message}") from None

        return self._stage("effects", key, compute)

    def effect_differences(self) -> pd.DataFrame | None:
        """Year-to-year differences in expected prevalence (or between ``effects.periods``), with intervals;
        None when the effects are off or their formula has no year."""
        fit = self.effects
        if fit is None or "year" not in fit.variables:
            return None
        periods = [tuple(period) for period in self.config.effects.periods] or None
        try:
            return fit.differences("year", periods=periods)
        except ValueError as error:
            raise AnalysisError(f"effects.periods: {error}") from None

    def _texts(self) -> pd.DataFrame:
        """The units frame of :attr:`documents` with its text, kept in memory for passages, the explorer and validation."""
        memo = ("texts", self._units_stage_key())
        if memo not in self._memo:
            self._memo[memo] = self.documents.units_frame()
        return self._memo[memo]

    def passages(self, by: str | Sequence[str] | None = None, n: int | None = None) -> pd.DataFrame:
        """Each topic's most representative units (:func:`~govtopics.passages.representative_passages`), over all
        reports or per group of ``by``: ``passages.n`` of them (``passages.n_per_year`` for ``by="year"``), among
        units of at least ``passages.min_tokens`` tokens."""
        from .passages import representative_passages

        p = self.config.passages
        n = n if n is not None else p.n_per_year if by == "year" else p.n
        return representative_passages(self._texts(), self.unit_topics, n=n, by=by, labels=self.model.labels_,
                                       min_tokens=p.min_tokens)

    @property
    def explorer(self) -> Explorer:
        """The offline topic explorer of this analysis (:func:`~govtopics.explorer.explore`): ``explorer.html``
        of the build, shown inline in a notebook."""
        from .explorer import explore

        p, x = self.config.passages, self.config.explorer
        return explore(self.model, self._texts(), self.unit_topics, self.prevalence, n_terms=x.n_terms,
                       n_passages=p.n, n_passages_per_year=p.n_per_year, min_tokens=p.min_tokens,
                       max_chars=x.max_chars, lambda_=x["lambda"])

    @property
    def intrusion_test(self) -> IntrusionTest:
        """Word- and topic-intrusion questions for coders, with their answer key (the ``validation`` settings;
        :func:`~govtopics.validation.intrusion_test`)."""
        from .validation import intrusion_test

        v = self.config.validation
        if v.n_passages > 0 and self.k <= v.n_top_topics:
            raise AnalysisError(f"validation: a topic-intrusion question shows validation.n_top_topics = {v.n_top_topics} "
                                f"topics and an intruder, so it needs more topics than the model's {self.k}: set "
                                f"validation.n_top_topics to at most {self.k - 1}, or validation.n_passages = 0")
        try:
            return intrusion_test(self.model, self._texts(), self.unit_topics, **self.config.validation)
        except ValueError as error:
            raise AnalysisError(f"validation: {error}") from None

    @property
    def words_by_year(self) -> pd.DataFrame:
        """Each topic's top words re-estimated from each year's units (:func:`~govtopics.trends.topic_words_by_year`)."""
        from .trends import topic_words_by_year

        key = self._key("words_by_year", self.units_key(), self.model_settings())
        return self._stage("words_by_year", key, lambda: topic_words_by_year(self.model, self.units))

    def keywords(self, by: str | None = "year") -> pd.DataFrame:
        """Top TF-IDF terms (``keywords.top``) per year, per report part (``by="part"``) or per report (``by=None``)."""
        from .features import tfidf_keywords

        top = self.config.keywords.top
        key = self._key("keywords", self.units_key(), top, by)
        return self._stage("keywords", key, lambda: tfidf_keywords(self.units, by=by, top=top))

    @property
    def keyness(self) -> pd.DataFrame:
        """Rising and falling terms between consecutive years (``keywords.min_count``, ``keywords.top``)."""
        from .features import consecutive_keyness

        k = self.config.keywords
        key = self._key("keyness", self.units_key(), dict(k))
        return self._stage("keyness", key, lambda: consecutive_keyness(self.units, min_count=k.min_count, top=k.top))

    @property
    def terms(self) -> list[str]:
        """The terms followed over the years: ``trends.terms``, or :func:`~govtopics.features.trend_terms` of the
        keywords by year."""
        from .features import trend_terms

        if self.config.trends.terms:
            return self.config.trends.terms
        return trend_terms(self.keywords("year"))

    @property
    def term_trends(self) -> pd.DataFrame:
        """Occurrences of :attr:`terms` per year, per 10,000 tokens (:func:`~govtopics.trends.term_trends`)."""
        from .trends import term_trends

        terms = self.terms
        key = self._key("term_trends", self.units_key(), terms)
        return self._stage("term_trends", key, lambda: term_trends(self.units, terms, client=self.client))

    @property
    def documents_table(self) -> pd.DataFrame:
        """One row per loaded report: id, path, year, unit, level, places, issuer, genre, period, characters, units,
        tokens, in_trends, then the metadata table's covariates."""
        units = self.units
        frame = self.corpus.to_frame()
        covariates = list(frame.columns[frame.columns.get_loc("units") + 1:])
        documents = frame[["id", "path", "year", "unit", "level", "places", "issuer", "genre", "period", "characters"]].copy()
        roots = self.corpus_paths() if self._given_corpus is None else []
        documents["path"] = [relative_path(p, roots) for p in documents["path"]]
        documents["units"] = documents["id"].map(units.groupby("doc_id").size()).fillna(0).astype(int)
        tokens = units.groupby("doc_id")["tokens"].apply(lambda s: sum(map(len, s)))
        documents["tokens"] = documents["id"].map(tokens).fillna(0).astype(int)
        documents["in_trends"] = ~documents["id"].isin(set(self.trends_excluded))
        return pd.concat([documents, frame[covariates]], axis=1)

    def figures(self, *names: str) -> dict[str, Figure]:
        """The registered figures ``names`` (default: ``figures.which``) drawn from this analysis, by file name.

        A figure that does not apply (the K scan for a fixed K) raises
        :class:`~govtopics.outputs.NotApplicable` saying why.
        """
        from matplotlib.figure import Figure

        from .outputs import FIGURES

        drawn: dict[str, Figure] = {}
        for name in names or self.config.figures.which:
            result = FIGURES.get_or_raise(name)(self)
            for file_name, item in (result.items() if isinstance(result, Mapping) else [(name, result)]):
                while not isinstance(item, Figure):  # an Axes or a SubFigure: the figure it is drawn in
                    item = item.figure
                drawn[file_name] = item
        return drawn


def _listing(source: Path, max_bytes: int | None = None) -> list[tuple[str, str]]:
    """Every file under ``source`` (hidden ones too) by relative path and content hash.

    What loading never reads is not read here either: a link leading outside ``source`` counts by
    its target's name, a file over ``max_bytes`` by its size and modification time.
    """
    files = [source] if source.is_file() else sorted(source.rglob("*"))
    inside = source.resolve()
    listing = [("", str(source))]
    for path in files:
        try:
            if source.is_dir() and path.is_symlink() and not path.resolve().is_relative_to(inside):
                digest = f"link outside to {os.readlink(path)}"
            elif not path.is_file():
                digest = "-"
            elif max_bytes is not None and (status := path.stat()).st_size > max_bytes:
                digest = f"too large {status.st_size} {status.st_mtime_ns}"
            else:
                digest = sha256_file(path)
        except OSError as error:
            digest = f"unreadable {error.errno}"
        listing.append((path.relative_to(source).as_posix() if source.is_dir() else path.name, digest))
    return listing


def inside_roots(path: Path, roots: Sequence[Path]) -> bool:
    """Whether ``path`` (a link followed) lies under one of the corpus ``roots`` (a file root: its folder)."""
    resolved = path.resolve()
    return any(resolved.is_relative_to((root if root.is_dir() else root.parent).resolve()) for root in roots)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def relative_path(path: str | None, roots: Sequence[Path]) -> str | None:
    """A path as written in the outputs: relative to the corpus folder, so tables do not depend on the machine."""
    if path is None:
        return None
    resolved = Path(path).resolve()
    for source in roots:
        root = source if source.is_dir() else source.parent
        with contextlib.suppress(ValueError):
            return resolved.relative_to(root.resolve()).as_posix()
    return Path(path).as_posix()


def _unit(doc: Document, index: int) -> Any:
    return next(u for u in doc.units if u.index == index)
