"""Provenance: the versions and the code that produced a result, for manifests and cache keys."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

__all__ = ["LIBRARIES", "library_versions", "code_fingerprint"]

# Every library whose version can change a table: reading, cleaning, segmenting, modelling, drawing.
LIBRARIES = (
    "govtopics", "numpy", "pandas", "scipy", "scikit-learn", "gensim", "jieba", "rjieba", "matplotlib", "mplfonts",
    "charset-normalizer", "opencc-python-reimplemented",
)


@functools.cache
def library_versions() -> dict[str, str]:
    """Python's and the :data:`LIBRARIES`' installed versions.

    >>> library_versions()["python"] == sys.version.split()[0]
    True
    """
    out = {"python": sys.version.split()[0]}
    for name in LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


@functools.cache
def code_fingerprint() -> str:
    """Hash of this package's code and data files and of the library versions.

    Part of every cache key, so that changed code or an upgraded library never reads old entries.

    >>> len(code_fingerprint())
    64
    """
    h = hashlib.sha256(json.dumps(library_versions(), sort_keys=True).encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".txt"):
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
