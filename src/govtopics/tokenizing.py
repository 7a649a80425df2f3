"""Tokenizing: the :class:`Tokenizer` facade over a segmenter, a token filter and an executor.

``segment`` is raw segmentation; ``tokenize`` gives analysis tokens (segmentation, then the
stopword layers, minimum length, no digits or punctuation). The work is done by three parts,
each usable on its own:

- :class:`~govtopics.segmenting.Segmenter`: jieba or rjieba with the domain dictionary and the
  user's dictionaries; keeps the report's own names and short quoted slogans whole;
- :class:`~govtopics.token_filter.TokenFilter`: stopword layers (the report's own names among
  them), numbers, minimum length, optional part of speech;
- :class:`~govtopics.executor.Executor`: the token cache, a process pool or dask, progress.

Making a ``Tokenizer`` reads nothing: dictionaries, word lists and the cache are opened on
first use. Text is normalised once per call (a :class:`~govtopics.reading.Document`'s text
already is; normalising it again changes nothing).

A report's names travel with its :class:`~govtopics.reading.Document` (read once at load, see
:func:`document_names`); the tokenizer is given them and never reads metadata itself. A plain
string given to :func:`tokenize` or :func:`segment` without ``names`` has no names: a paragraph
is tokenized the same wherever it comes from and at no extra cost, however often it is called.
For a whole report, load it (:func:`~govtopics.reading.load_corpus` takes files, folders or a
DataFrame of texts) and pass ``names=document_names(doc)``, or use :meth:`Tokenizer.tokenize_corpus`.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cleaning import normalize_text
from .executor import Executor, TokenCache, default_cache_dir
from .provenance import code_fingerprint
from .segmenting import BACKENDS, ENGINES, Entry, Segmenter, dictionary_entries, domain_terms, read_user_dict
from .stopwords import Stopwords, name_variants
from .token_filter import DEFAULT_POS, TokenFilter

if TYPE_CHECKING:
    import pandas as pd

    from .metadata import Metadata
    from .reading import Corpus, Document

__all__ = [
    "BACKENDS",
    "DEFAULT_POS",
    "Tokenizer",
    "TokenCache",
    "add_phrases",
    "default_cache_dir",
    "document_names",
    "domain_terms",
    "read_user_dict",
    "segment",
    "token_agreement",
    "tokenize",
]


def document_names(doc: Document | Metadata) -> frozenset[str]:
    """Names kept whole and removed by the ``places`` layer for one report, with short forms.

    From the document's metadata only (read once at load, user-supplied or extracted):
    ``meta.names`` when the metadata has them, else the unit's place (大进镇 of
    大进镇人民政府, so that 人民政府 stays an ordinary word) and the parent places.

    >>> from govtopics.metadata import Metadata
    >>> sorted(document_names(Metadata(unit="大进镇人民政府", unit_place="大进镇", places=["重庆市", "开州区"])))
    ['大进', '大进镇', '开州', '开州区', '重庆', '重庆市']
    """
    if isinstance(doc, str):
        raise TypeError("document_names takes a Document or its Metadata; load a report's text with load_corpus")
    meta = getattr(doc, "meta", doc)
    names = getattr(meta, "names", None) or [meta.unit_place or meta.unit, *meta.places]
    return frozenset(name_variants(n for n in names if n))


@dataclass
class Tokenizer:
    """Segmentation and analysis tokens with one set of choices.

    Parameters: ``backend`` (a registered engine: "jieba" or "rjieba"); ``stopwords``
    (:class:`Stopwords`); ``min_len`` (shorter tokens are dropped); ``pos`` (None, True for
    :data:`DEFAULT_POS`, or a tuple of jieba tags to keep); ``user_dicts`` (extra jieba-format
    dictionaries); ``user_words`` (extra entries given directly, ``(word, freq or None, tag or
    None)``); ``cache`` (True for :func:`default_cache_dir`, False, or a folder); ``n_jobs``;
    ``progress`` (a tqdm bar on stderr when a corpus takes more than a moment); ``client``
    (a ``dask.distributed`` Client: texts not in the cache are tokenized on its workers).

    The parts are built on first use: :attr:`segmenter`, :attr:`token_filter`, :attr:`executor`.

    >>> tok = Tokenizer(cache=False)
    >>> tok.tokenize("2025年,大进镇深入学习习近平法治思想,开展“八五”普法宣传活动26次。", names={"大进镇"})
    ['习近平法治思想', '八五普法', '宣传']
    """

    backend: str = "jieba"
    stopwords: Stopwords = field(default_factory=Stopwords)
    min_len: int = 2
    pos: bool | tuple[str, ...] | None = None
    user_dicts: tuple[str, ...] = ()
    user_words: tuple[Entry, ...] = ()
    cache: bool | str | Path = True
    n_jobs: int = 1
    progress: bool = True
    client: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.backend not in ENGINES:
            raise ValueError(f"unknown backend {self.backend!r}; choose from: {', '.join(ENGINES)}")
        self.user_dicts = tuple(str(p) for p in self.user_dicts)
        self.user_words = tuple(tuple(entry) for entry in self.user_words)  # type: ignore[misc]
        self._segmenter: Segmenter | None = None
        self._filter: TokenFilter | None = None
        self._executor: Executor | None = None
        self._fingerprint: str | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "client": None, "_executor": None}

    # -- the parts -----------------------------------------------------------------------
    @property
    def segmenter(self) -> Segmenter:
        """The engine with the domain dictionary, the user's dictionaries and the stopwords' entries."""
        if self._segmenter is None:
            entries = dictionary_entries(self.user_dicts, self.user_words, self.stopwords.dictionary_words())
            self._segmenter = Segmenter(self.backend, entries)
        return self._segmenter

    @property
    def token_filter(self) -> TokenFilter:
        """Stopword layers, minimum length and part of speech."""
        if self._filter is None:
            self._filter = TokenFilter(self.stopwords, self.min_len, self.pos)
        return self._filter

    @property
    def executor(self) -> Executor:
        """Cache, processes or dask client, progress."""
        if self._executor is None:
            self._executor = Executor(self.cache, self.n_jobs, self.client, self.progress)
        return self._executor

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Dictionary entries the engine learns (:func:`~govtopics.segmenting.dictionary_entries`)."""
        return self.segmenter.entries

    def fingerprint(self) -> str:
        """Hash of every choice that changes the tokens: the cache key's configuration part."""
        if self._fingerprint is None:
            h = hashlib.sha256(code_fingerprint().encode())  # the code that segments, and jieba's and rjieba's versions
            h.update(repr((self.backend, self.min_len, self.token_filter.keep_tags, self.entries)).encode())
            h.update(self.stopwords.fingerprint().encode())
            self._fingerprint = h.hexdigest()[:16]
        return self._fingerprint

    @property
    def cache_stats(self) -> dict[str, int]:
        """Cache hits and misses so far (zeros without a cache)."""
        return self._executor.cache_stats if self._executor else {"hits": 0, "misses": 0}

    @property
    def cache_notes(self) -> list[str]:
        """What the token cache found wrong so far: damaged entries rebuilt, a folder it would not use."""
        return self._executor.cache_notes if self._executor else []

    # -- one text ------------------------------------------------------------------------
    def segment(self, text: str, names: Iterable[str] = ()) -> list[str]:
        """Raw segmentation (punctuation included, whitespace dropped)."""
        return [w for w in self.segmenter.cut(normalize_text(text), frozenset(names)) if w.strip()]

    def segment_tagged(self, text: str, names: Iterable[str] = ()) -> list[tuple[str, str]]:
        """``(token, tag)`` pairs; names and slogans are tagged ``nz``, whitespace dropped."""
        return self.segmenter.tag(normalize_text(text), frozenset(names))

    def why_removed(self, token: str, names: frozenset[str] | set[str] = frozenset(), tag: str | None = None) -> str | None:
        """Why ``token`` is not an analysis token (a stopword layer, "punctuation", "short", "pos"), or None."""
        return self.token_filter.why_removed(token, names, tag)

    def tokenize(self, text: str, names: Iterable[str] = ()) -> list[str]:
        """Analysis tokens of one text (see the class example)."""
        return self._tokenize(normalize_text(text), frozenset(names))

    def _tokenize(self, text: str, names: frozenset[str]) -> list[str]:
        """Analysis tokens of normalised text."""
        token_filter = self._filter or self.token_filter
        segmenter = self._segmenter or self.segmenter
        if token_filter.keep_tags is not None:
            return token_filter.apply_tagged(segmenter.tag(text, names), names)
        # Names are protected pieces, dropped there when a layer removes them, not checked token by token.
        return token_filter.apply(segmenter.cut(text, names, token_filter.drop_names))

    # -- many texts ----------------------------------------------------------------------
    def tokenize_many(self, texts: Sequence[str], names: Sequence[Iterable[str]] | None = None) -> list[list[str]]:
        """Analysis tokens of many texts, from the cache where possible, across ``n_jobs`` processes."""
        name_sets = [frozenset(n) for n in names] if names is not None else [frozenset()] * len(texts)
        return self.executor.run(self._for_workers(), texts, name_sets)

    def _for_workers(self) -> Tokenizer:
        """A copy that runs in this process, carrying its dictionary entries and words (not paths) to workers."""
        self.fingerprint()  # builds the segmenter and the filter
        ready = copy.copy(self)
        ready.cache, ready.n_jobs, ready.progress, ready.client, ready._executor = False, 1, False, None, None
        return ready

    def tokenize_corpus(self, corpus: Corpus, phrases: bool = False, drop_empty: bool = False) -> pd.DataFrame:
        """The corpus's analysis units (:meth:`Corpus.units_frame`) with a ``tokens`` column.

        With ``phrases=True``, frequent bigrams are joined (:func:`add_phrases`); with
        ``drop_empty=True``, units left without tokens are dropped (they weigh nothing in a model).
        """
        frame = corpus.units_frame()
        names = {doc.id: document_names(doc) for doc in corpus}
        tokens = self.tokenize_many(list(frame["text"]), [names[d] for d in frame["doc_id"]])
        frame["tokens"] = add_phrases(tokens) if phrases else tokens
        if drop_empty:
            frame = frame[frame["tokens"].map(len) > 0].reset_index(drop=True)
        return frame

    def removed_counts(self, corpus: Corpus) -> pd.DataFrame:
        """How often each token was removed, and by what: columns ``reason, token, count``."""
        import pandas as pd

        counts: Counter[tuple[str, str]] = Counter()
        tagged = self.token_filter.keep_tags is not None
        for doc in corpus:
            names = document_names(doc)
            for unit in doc.units:
                if tagged:
                    pairs: list[tuple[str, str | None]] = list(self.segment_tagged(unit.text, names))
                else:
                    pairs = [(w, None) for w in self.segment(unit.text, names)]
                for word, tag in pairs:
                    reason = self.why_removed(word, names, tag)
                    if reason:
                        counts[reason, word] += 1
        rows = [(reason, token, n) for (reason, token), n in counts.items()]
        frame = pd.DataFrame(rows, columns=["reason", "token", "count"])
        return frame.sort_values(["reason", "count", "token"], ascending=[True, False, True], ignore_index=True)


def add_phrases(token_lists: Sequence[list[str]], min_count: int = 3, threshold: float = 10.0) -> list[list[str]]:
    """Join frequent bigrams with ``_`` (gensim ``Phrases``, default scoring), learned on ``token_lists``.

    >>> docs = [["行政", "执法", "规范"], ["行政", "执法", "培训"], ["行政", "执法"], ["普法", "宣传"]]
    >>> add_phrases(docs, min_count=2, threshold=1.0)[0]
    ['行政_执法', '规范']
    """
    from gensim.models.phrases import Phrases

    model = Phrases(token_lists, min_count=min_count, threshold=threshold, delimiter="_").freeze()
    return [model[tokens] for tokens in token_lists]


def token_agreement(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of identical tokens between two segmentations of one text (aligned, over the longer one).

    >>> token_agreement(["重大", "事项"], ["重", "大事", "项"]), token_agreement(["法治"], ["法治"])
    (0.0, 1.0)
    """
    if not a and not b:
        return 1.0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), len(b))


_DEFAULTS: dict[str, Tokenizer] = {}


def _default(backend: str) -> Tokenizer:
    tokenizer = _DEFAULTS.get(backend)
    if tokenizer is None:
        tokenizer = _DEFAULTS[backend] = Tokenizer(backend=backend, cache=False)
    return tokenizer


def segment(text: str, names: Iterable[str] | None = None, backend: str = "jieba") -> list[str]:
    """Segment ``text`` with the domain dictionary, keeping ``names`` whole (see the module notes).

    >>> segment("大进镇坚持以习近平法治思想为指导", names={"大进镇"})
    ['大进镇', '坚持', '以', '习近平法治思想', '为', '指导']
    """
    return [w for w in _default(backend).segmenter.cut(normalize_text(text), frozenset(names or ())) if w.strip()]


def tokenize(text: str, names: Iterable[str] | None = None, backend: str = "jieba") -> list[str]:
    """Analysis tokens of ``text`` with the default stopword layers (see :class:`Tokenizer`); no names unless given.

    >>> tokenize("2025年,大进镇联合司法所开展“宪法宣传周”“民法典宣传月”活动70余场。", names={"大进镇"})
    ['司法所', '宪法宣传周', '民法典宣传月']
    """
    return _default(backend)._tokenize(normalize_text(text), frozenset(names or ()))
