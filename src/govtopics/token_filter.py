"""The token filter: which segmented words become analysis tokens.

A word is dropped when it is punctuation or whitespace, when a stopword layer removes it
(:class:`~govtopics.stopwords.Stopwords`, the report's own names included), when it is
shorter than ``min_len``, or, with a part-of-speech filter, when its tag is not kept. Kept
words are lowercased (Latin letters: APP and app are one token).
"""

from __future__ import annotations

import re
from typing import Any

from .stopwords import Stopwords

__all__ = ["DEFAULT_POS", "TokenFilter"]

# jieba part-of-speech tags kept when ``pos=True``: nouns, verbal nouns, verbs, idioms, abbreviations.
DEFAULT_POS = ("n", "nr", "ns", "nt", "nz", "vn", "v", "l", "i", "j", "an")
_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


class TokenFilter:
    """Stopword layers, minimum length and an optional part-of-speech filter.

    ``pos``: None (no filter), True (:data:`DEFAULT_POS`) or a tuple of jieba tags (prefixes) to keep.

    >>> f = TokenFilter(Stopwords(), min_len=2)
    >>> f.why_removed("切实"), f.why_removed("大进镇", names={"大进镇"}), f.why_removed("26次"), f.why_removed("执法")
    ('formulaic', 'places', 'numbers', None)
    >>> f.apply(["切实", "加强", "行政", "执法", ",", "APP", "法"])
    ['行政', '执法', 'app']
    >>> f.apply(["行政", "APP", "推进", "复议"]), f.apply(["行政", "执法"])  # decided words, then a new one
    (['行政', 'app', '复议'], ['行政', '执法'])
    """

    def __init__(self, stopwords: Stopwords | None = None, min_len: int = 2, pos: bool | tuple[str, ...] | None = None):
        self.stopwords = Stopwords() if stopwords is None else stopwords
        self.min_len = min_len
        self.keep_tags = tuple(DEFAULT_POS) if pos is True else (tuple(pos) if pos else None)
        self.drop_names = self.stopwords.removes_names  # the segmenter leaves the document's names out
        self._decided: dict[str, str] = {}  # word -> its analysis form, "" when removed (names aside)
        self._removed: set[str] = set()  # removed words of at least min_len characters
        self._same: set[str] = set()  # kept words that are their own analysis form (no capitals)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_decided": {}, "_removed": set(), "_same": set()}

    def why_removed(self, token: str, names: frozenset[str] | set[str] = frozenset(), tag: str | None = None) -> str | None:
        """Why ``token`` is not an analysis token (a stopword layer, "punctuation", "short", "pos"), or None."""
        if not _WORDLIKE.search(token):
            return "punctuation"
        layer = self.stopwords.layer_of(token.lower(), names)
        if layer:
            return layer
        if len(token) < self.min_len:
            return "short"
        if self.keep_tags is not None and tag is not None and not tag.startswith(self.keep_tags):
            return "pos"
        return None

    def apply(self, words: list[str]) -> list[str]:
        """Analysis tokens of segmented words whose names were already taken out (as the segmenter does).

        Each distinct word is decided once. A word shorter than ``min_len`` is removed whatever else
        is true of it; the others are looked up in the (small) set of removed words, and the words
        left are checked to be known and kept as they are (else they are decided, or lowercased).
        """
        n, removed = self.min_len, self._removed
        out = [word for word in words if len(word) >= n and word not in removed]
        if self._same.issuperset(out):
            return out
        self._decide(out)
        decided = self._decided
        return [token for word in out if (token := decided[word])]

    def _decide(self, words: list[str]) -> None:
        for word in set(words).difference(self._decided):
            token = word.lower() if self.why_removed(word) is None else ""
            self._decided[word] = token
            if not token and len(word) >= self.min_len:
                self._removed.add(word)
            elif token == word:
                self._same.add(word)

    def apply_tagged(self, pairs: list[tuple[str, str]], names: frozenset[str] = frozenset()) -> list[str]:
        """Analysis tokens of ``(word, tag)`` pairs; the document's ``names`` are removed when a layer says so."""
        self._decide([word for word, _ in pairs])
        decided, tags, drop_names = self._decided, self.keep_tags, self.drop_names
        return [
            decided[word]
            for word, tag in pairs
            if decided[word] and not (drop_names and word in names) and (tags is None or tag.startswith(tags))
        ]
