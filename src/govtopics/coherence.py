"""Topic coherence as normalised pointwise mutual information (NPMI) of top words over contexts.

A context is a unit of text: an analysis unit (paragraph) given as its tokens, or a paragraph of
a *reference* corpus given as raw text, where a word occurs when it is a substring (so that no
segmentation is favoured). Counts are a sparse binary context x word matrix, built once and
queried for any number of topics: the K scan scores dozens of fits against one matrix.

NPMI of two words (Bouma 2009) is ``log(p(a, b) / (p(a) p(b))) / -log p(a, b)`` with
probabilities as shares of contexts; it is -1 when the two occur but never together and 1 when they
always occur together. It is undefined when a word occurs in no context: such a pair says that the
contexts do not cover the word, not that the words are incoherent, so it is left out (NaN) and
:meth:`CoOccurrence.coverage` reports how many words were found. A topic's coherence is the mean over
the defined unordered pairs of its top words, as gensim's ``c_npmi`` with one context per unit (equal
to it wherever the pairs co-occur; for a pair that never does gensim's epsilon gives
log(eps / (p(a) p(b))) / -log eps, a little above -1). On 6,000 State Council units one topic set
takes 5 ms here after a 0.05 s matrix, against 1.3 s for gensim's c_npmi with its 10-token windows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["CoOccurrence", "npmi"]


class CoOccurrence:
    """Which words occur in which contexts: a binary CSR matrix (contexts x words) and its word index.

    >>> co = CoOccurrence.from_tokens([["执法", "培训"], ["执法", "培训", "队伍"], ["普法", "宣传"]])
    >>> co.n_contexts, co.counts(["执法", "普法", "调解"]).tolist()
    (3, [2, 1, 0])
    """

    def __init__(self, matrix: sp.csr_matrix, words: Sequence[str]):
        self.matrix = sp.csr_matrix(matrix, dtype=np.float64)
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}

    @property
    def n_contexts(self) -> int:
        return self.matrix.shape[0]

    @classmethod
    def from_tokens(cls, docs: Iterable[Sequence[str]], vocabulary: Iterable[str] | None = None) -> CoOccurrence:
        """Contexts are token lists (units); only words of ``vocabulary`` are kept when it is given."""
        index: dict[str, int] = {} if vocabulary is None else {w: i for i, w in enumerate(dict.fromkeys(vocabulary))}
        grow = vocabulary is None
        indptr, indices = [0], []
        for doc in docs:
            seen = set()
            for word in doc:
                j = index.get(word)
                if j is None:
                    if not grow:
                        continue
                    j = index[word] = len(index)
                seen.add(j)
            indices.extend(sorted(seen))
            indptr.append(len(indices))
        data = np.ones(len(indices))
        matrix = sp.csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
                               shape=(len(indptr) - 1, len(index)))
        return cls(matrix, list(index))

    @classmethod
    def from_substrings(cls, texts: Sequence[str], words: Iterable[str]) -> CoOccurrence:
        """Contexts are raw texts (reference paragraphs); a word occurs in a text that contains it as a substring.

        >>> co = CoOccurrence.from_substrings(["加强执法队伍建设", "开展普法宣传"], ["执法", "普法", "法"])
        >>> co.counts(["执法", "普法", "法"]).tolist()
        [1, 1, 2]
        """
        words = list(dict.fromkeys(words))
        columns = []
        for word in words:
            columns.append(np.fromiter((word in text for text in texts), dtype=bool, count=len(texts)))
        dense = np.column_stack(columns) if columns else np.zeros((len(texts), 0), dtype=bool)
        return cls(sp.csr_matrix(dense.astype(np.float64)), words)

    def counts(self, words: Sequence[str]) -> np.ndarray:
        """Number of contexts each word occurs in (0 for a word never seen)."""
        columns = [self.index.get(w) for w in words]
        known = [j for j in columns if j is not None]
        totals = np.asarray(self.matrix[:, known].sum(axis=0)).ravel() if known else np.zeros(0)
        out = np.zeros(len(words), dtype=np.int64)
        out[[i for i, j in enumerate(columns) if j is not None]] = totals
        return out

    def joint(self, words: Sequence[str]) -> np.ndarray:
        """Contexts in which each pair of ``words`` occurs together (a symmetric matrix; the diagonal holds the counts)."""
        columns = [self.index.get(w) for w in words]
        known = [i for i, j in enumerate(columns) if j is not None]
        sub = self.matrix[:, [columns[i] for i in known]]
        together = (sub.T @ sub).toarray() if known else np.zeros((0, 0))
        out = np.zeros((len(words), len(words)))
        out[np.ix_(known, known)] = together
        return out

    def coverage(self, top_words: Sequence[Sequence[str]], topn: int = 10) -> float:
        """Share of the topics' top words that occur in at least one context.

        >>> CoOccurrence.from_tokens([["a", "b"], ["c"]]).coverage([["a", "x"], ["b", "c"]])
        0.75
        """
        words = [w for topic in top_words for w in topic[:topn]]
        return float(np.mean(self.counts(words) > 0)) if words else 0.0

    def npmi(self, top_words: Sequence[Sequence[str]], topn: int = 10) -> np.ndarray:
        """Per-topic mean NPMI over the defined unordered pairs of each topic's first ``topn`` words
        (NaN for a topic none of whose pairs is defined).

        >>> co = CoOccurrence.from_tokens([["a", "b"], ["a", "b"], ["c"], ["c", "d"]])
        >>> co.npmi([["a", "b"], ["a", "c"], ["a", "x", "b"], ["x", "y"]]).round(3).tolist()
        [1.0, -1.0, 1.0, nan]
        """
        words = list(dict.fromkeys(w for topic in top_words for w in topic[:topn]))
        position = {w: i for i, w in enumerate(words)}
        together = self.joint(words)
        n = max(self.n_contexts, 1)
        p = np.diag(together) / n
        scores = []
        for topic in top_words:
            pairs = [(position[a], position[b]) for a, b in itertools.combinations(topic[:topn], 2)]
            values = [v for i, j in pairs if not np.isnan(v := _npmi(together[i, j] / n, p[i], p[j]))]
            scores.append(float(np.mean(values)) if values else np.nan)
        return np.asarray(scores)


def _npmi(p_ab: float, p_a: float, p_b: float) -> float:
    if p_a <= 0 or p_b <= 0:
        return np.nan
    if p_ab <= 0:
        return -1.0
    if p_ab >= 1:
        return 1.0
    return float(np.log(p_ab / (p_a * p_b)) / -np.log(p_ab))


def npmi(top_words: Sequence[Sequence[str]], docs: Iterable[Sequence[str]], topn: int = 10) -> np.ndarray:
    """Per-topic NPMI of the top words with the units (token lists) as contexts.

    Hand-checkable: "a" and "b" occur in 2 of 4 units, together in 1, so
    NPMI = log(0.25 / 0.25) / -log 0.25 = 0.

    >>> npmi([["a", "b"]], [["a", "b"], ["a"], ["b"], ["c"]]).tolist()
    [0.0]
    """
    vocabulary = {w for topic in top_words for w in topic[:topn]}
    return CoOccurrence.from_tokens(docs, vocabulary).npmi(top_words, topn)
