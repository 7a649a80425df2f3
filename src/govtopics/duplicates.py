"""Near-duplicate reports: the same report saved twice under other headers, or a truncated copy of it.

Each report's body becomes a set of character shingles (5 characters in a row, whitespace and
punctuation left out, so a copy wrapped or punctuated otherwise is the same set). A MinHash
signature summarises the set: 128 numbers whose agreement between two reports estimates
the Jaccard similarity of their sets (Broder 1997). The signature is built with one
permutation hashing (Li, Owen & Zhang 2012): each shingle is hashed once, the hashes are
spread over 128 bins by their top bits, and a bin keeps its smallest value; an empty bin
borrows from the next full one (densification, Shrivastava & Li 2014). That is a sort of
the shingle hashes (32 bits), O(n log n) in numpy, instead of 128 hash passes.

Candidate pairs come from locality-sensitive hashing: the signature is cut into 32 bands of
4 values and reports that agree on a whole band share a bucket, so a pair is looked at only if
its similarity is likely above about 0.4 (the chance to share a band is 1 - (1 - J^4)^32);
nothing is compared all against all. Hashes are computed with fixed constants, so the
result does not depend on the run, the machine or ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np

__all__ = ["SHINGLE", "BINS", "BANDS", "MIN_SHINGLES", "shingle_hashes", "minhash", "similarity", "near_duplicates"]

SHINGLE = 5
BINS = 128
BANDS = 32
_ROWS = BINS // BANDS
_TOP = np.uint32(32 - 7)  # 2**7 == BINS bins, chosen by the top bits of a 32-bit hash
_LOW = np.uint32((1 << 25) - 1)
_EMPTY = np.iinfo(np.uint32).max
# Texts with fewer shingles (some 300 characters) are not compared: a report is thousands of characters, and a
# signature of a few shingles spread over 128 bins is mostly borrowed values, too coarse to measure similarity.
MIN_SHINGLES = 300
# Most members a bucket keeps, and most candidates (those sharing most bands) checked for one text: a corpus of
# thousands of reports written to one template stays linear.
BUCKET_SIZE = 50
CANDIDATES = 64
_NOT_TEXT = re.compile(r"[\W_]+")


def _mix(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finalizer: a fixed bijection of 64-bit integers that spreads every input bit."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def shingle_hashes(text: str, k: int = SHINGLE) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the ``k``-character shingles of ``text`` (letters, digits and CJK only).

    32 bits are plenty: a report has some 20,000 shingles, so two of them share a hash about
    once in 20 reports, and sorting them is twice as fast as sorting 64-bit ones.

    >>> len(shingle_hashes("依法行政,依法行政。")), len(shingle_hashes("依法行"))
    (4, 0)
    """
    chars = np.frombuffer(_NOT_TEXT.sub("", text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(chars) - k + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            hashes = hashes * np.uint64(1_000_003) + chars[j:j + count]
    hashes = np.sort((_mix(hashes) >> np.uint64(32)).astype(np.uint32))  # np.unique is slower than a sort and a mask
    distinct = np.ones(count, dtype=bool)
    distinct[1:] = hashes[1:] != hashes[:-1]
    return hashes[distinct]


def minhash(text: str) -> tuple[np.ndarray, int] | None:
    """The MinHash signature (:data:`BINS` values) of a text's shingles and the number of shingles; None if it has none.

    >>> signature, size = minhash("坚持依法行政,推进法治政府建设。" * 3)
    >>> signature.shape, size
    ((128,), 14)
    """
    hashes = shingle_hashes(text)
    if not len(hashes):
        return None
    bins = (hashes >> _TOP).astype(np.int64)  # hashes are sorted, so each bin's first is its smallest
    first = np.ones(len(bins), dtype=bool)
    first[1:] = bins[1:] != bins[:-1]
    signature = np.full(BINS, _EMPTY, dtype=np.uint64)
    signature[bins[first]] = hashes[first] & _LOW
    full = np.flatnonzero(signature != _EMPTY)
    empty = np.flatnonzero(signature == _EMPTY)
    if len(empty):  # an empty bin takes the next full bin's value (cyclically), offset by the distance
        nearest = full[np.searchsorted(full, empty) % len(full)]
        distance = (nearest - empty) % BINS
        signature[empty] = signature[nearest] + (distance.astype(np.uint32) << np.uint32(25))
    return signature, len(hashes)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity two signatures estimate: the share of bins where they agree."""
    return float(np.mean(a == b))


def near_duplicates(texts: Sequence[str], threshold: float = 0.9, *, keys: Sequence[Hashable | None] | None = None,
                    ) -> list[tuple[int, int, float]]:
    """Texts that are near-duplicates of another: ``(index, index of the copy kept, similarity)``.

    Two texts are near-duplicates when the Jaccard similarity of their shingle sets is at least
    ``threshold``, or when the smaller is contained in the larger for at least ``threshold``
    of its shingles while sharing at least half of their union (a truncated copy). Of each
    group the text with the most shingles is kept (the first given on a tie), so a truncated
    copy goes rather than the whole one. Texts of fewer than :data:`MIN_SHINGLES` shingles
    are left alone. Texts whose ``keys`` differ (both not None), such as
    two reports that state different years, are never near-duplicates.

    >>> report = "".join(f"第{i}项工作,我镇全年开展普法活动{i}次,受益群众{i * 37}人。" for i in range(40))
    >>> texts = [report, "来源:县政府网\\n" + report, report[: len(report) * 3 // 4], "另一份报告。" * 50]
    >>> [(i, j) for i, j, _ in near_duplicates(texts)]  # the copy with a header line is the largest
    [(0, 1), (2, 1)]
    """
    signatures = [minhash(text) for text in texts]
    order = sorted((i for i, s in enumerate(signatures) if s is not None and s[1] >= MIN_SHINGLES), key=lambda i: (-signatures[i][1], i))
    buckets: dict[tuple[int, bytes], list[int]] = {}
    found: list[tuple[int, int, float]] = []
    for i in order:
        signature, size = signatures[i]
        bands = [(band, signature[band * _ROWS:(band + 1) * _ROWS].tobytes()) for band in range(BANDS)]
        shared = Counter(j for band in bands for j in buckets.get(band, ()))
        if keys is not None and keys[i] is not None:
            shared = Counter({j: n for j, n in shared.items() if keys[j] is None or keys[j] == keys[i]})
        candidates = [j for j, _ in shared.most_common(CANDIDATES)]  # ties in first-seen order: deterministic
        best: tuple[float, int] | None = None
        if candidates:
            others = np.stack([signatures[j][0] for j in candidates])
            jaccards = (others == signature).mean(axis=1)
            for j, jaccard in zip(candidates, jaccards.tolist()):
                other_size = signatures[j][1]
                contained = jaccard * (size + other_size) / ((1 + jaccard) * min(size, other_size))
                if (jaccard >= threshold or (contained >= threshold and jaccard >= 0.5)) and (best is None or jaccard > best[0]):
                    best = (jaccard, j)
        if best is not None:
            found.append((i, best[1], round(best[0], 3)))
            continue
        for band in bands:
            members = buckets.setdefault(band, [])
            if len(members) < BUCKET_SIZE:
                members.append(i)
    return sorted(found)
