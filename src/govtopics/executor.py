"""Running the tokenizer over many texts: the SQLite token cache, a process pool or a dask cluster, progress.

The :class:`Executor` takes a picklable *job runner* (an object with ``tokenize(text, names)``
and ``fingerprint()``, such as a :class:`~govtopics.tokenizing.Tokenizer` made ready for
workers) and a list of texts with their names. Texts found in the cache are read back; the
rest are tokenized in this process, in ``n_jobs`` spawned processes, or on a dask cluster, and
stored. Parallelism is our own pool, each worker loading the dictionary itself
(``jieba.enable_parallel`` ignores a user dictionary loaded after it and is POSIX-only).
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import sqlite3
import stat
import sys
import zlib
from array import array
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

__all__ = ["Executor", "TokenCache", "default_cache_dir", "cache_key", "private_dir", "CacheNotes", "usable_cores"]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it): what ``n_jobs=-1`` means.

    >>> usable_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Runner(Protocol):
    def tokenize(self, text: str, names: Iterable[str] = ()) -> list[str]: ...

    def fingerprint(self) -> str: ...


def default_cache_dir() -> Path:
    """``$GOVTOPICS_CACHE`` or ``~/.cache/govtopics``."""
    return Path(os.environ.get("GOVTOPICS_CACHE") or Path.home() / ".cache" / "govtopics")


def private_dir(directory: Path) -> str | None:
    """Make ``directory`` (mode 0700) if missing; None when it is yours alone, else why a cache must not use it.

    A cache folder that someone else owns, or that others may write to, could hold entries they
    made: a cache reads only from folders of your own, inside folders only you (or root) can change,
    sticky ones such as ``/tmp`` aside (not checked where there are no user ids).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "cache"
    >>> private_dir(folder) is None, oct(folder.stat().st_mode & 0o777)
    (True, '0o700')
    >>> folder.chmod(0o777)
    >>> private_dir(folder).endswith("is writable by others (mode 0777): chmod go-w it, or set GOVTOPICS_CACHE to a folder of your own")
    True
    """
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = directory.stat()
    except OSError as error:
        return f"cache folder {directory} cannot be made: {error.strerror or error}"
    if not hasattr(os, "getuid"):
        return None
    fix = "set GOVTOPICS_CACHE to a folder of your own"
    if status.st_uid != os.getuid():
        return f"cache folder {directory} belongs to another user (uid {status.st_uid}): {fix}"
    if status.st_mode & 0o022:
        return (f"cache folder {directory} is writable by others (mode {status.st_mode & 0o777:04o}): chmod go-w it, "
                f"or {fix}")
    for parent in directory.resolve().parents:  # whoever may rename a folder above it may swap the cache
        status = parent.stat()
        if status.st_uid not in (os.getuid(), 0):
            return f"cache folder {directory} is inside {parent}, which belongs to another user (uid {status.st_uid}): {fix}"
        if status.st_mode & 0o022 and not status.st_mode & stat.S_ISVTX:
            return (f"cache folder {directory} is inside {parent}, which is writable by others "
                    f"(mode {status.st_mode & 0o777:04o}): chmod go-w it, or {fix}")
    return None


class CacheNotes(list):
    """What a cache found wrong (a damaged entry, a folder it would not use), each said once on stderr too."""

    def add(self, message: str) -> None:
        if message not in self:
            self.append(message)
            print(f"[govtopics] {message}", file=sys.stderr, flush=True)


def cache_key(text: str, names: frozenset[str], fingerprint: str) -> str:
    """The cache key of one text: its tokens depend on the text, the names given with it, and the tokenizer.

    >>> cache_key("法治", frozenset({"大进镇"}), "f") == cache_key("法治", frozenset({"大进镇"}), "g")
    False
    """
    joined = "\x1e".join(sorted(names))
    return hashlib.sha256("\x1f".join([fingerprint, joined, text]).encode("utf-8")).hexdigest()


class TokenCache:
    """Analysis tokens on disk (SQLite), keyed by :func:`cache_key`; the file is opened on first use.

    Token lists are stored as arrays of ids into a shared vocabulary table, so reading them back
    reuses one string object per distinct token (fast, and light on memory for large corpora).
    ``hits`` and ``misses`` count look-ups, so a test can see that a re-run did not segment again.

    Nothing read back is trusted blindly: each row carries a CRC-32 of its ids, and a row whose
    ids do not match it or name no vocabulary entry is a miss (tokenized again and rewritten); a
    file that is not a sound SQLite database is set aside and the cache starts afresh. Both are
    said in :attr:`notes` (and on stderr). A folder others can write to is not used at all
    (:func:`private_dir`).
    """

    FILE = "tokens-v3.sqlite"

    def __init__(self, directory: str | Path):
        self.path = Path(directory) / self.FILE
        self.hits = 0
        self.misses = 0
        self.notes = CacheNotes()
        self._vocab: list[str] = []
        self._ids: dict[str, int] = {}
        self._ready = False
        self._usable = True

    def _connect(self) -> sqlite3.Connection | None:
        """A connection to the database (made on first use), or None when the folder is not one to use."""
        if not self._ready:
            problem = private_dir(self.path.parent)
            if problem:
                self.notes.add(f"token cache not used: {problem}")
                self._usable = False
            else:
                with contextlib.closing(sqlite3.connect(self.path, timeout=60)) as db, db:
                    db.execute("CREATE TABLE IF NOT EXISTS vocab (id INTEGER PRIMARY KEY, token TEXT UNIQUE NOT NULL)")
                    db.execute("CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, ids BLOB NOT NULL, "
                               "crc INTEGER NOT NULL)")
            self._ready = True
        return sqlite3.connect(self.path, timeout=60) if self._usable else None

    def _damaged(self, error: Exception) -> None:
        """The database file cannot be read: set it aside (``.damaged``) and start an empty one."""
        self.notes.add(f"token cache {self.path} is damaged ({error}): set aside as {self.path.name}.damaged, "
                       "tokens computed again")
        with contextlib.suppress(OSError):
            self.path.replace(self.path.with_name(self.path.name + ".damaged"))
        for suffix in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                self.path.with_name(self.path.name + suffix).unlink()
        self._vocab, self._ids, self._ready = [], {}, False

    def _sync_vocab(self, db: sqlite3.Connection) -> None:
        """Read vocabulary rows other processes may have added since the last read (ids are dense)."""
        for token_id, token in db.execute("SELECT id, token FROM vocab WHERE id >= ? ORDER BY id", (len(self._vocab),)):
            if token_id != len(self._vocab) or not isinstance(token, str):
                raise sqlite3.DatabaseError(f"vocabulary row {token_id} is out of order")
            self._ids[token] = token_id
            self._vocab.append(token)

    def get_many(self, keys: Sequence[str]) -> dict[str, list[str]]:
        """Cached token lists for those keys that are present and sound."""
        try:
            found, damaged = self._read(keys)
        except sqlite3.DatabaseError as error:
            self._damaged(error)
            found, damaged = {}, []
        if damaged:
            self.notes.add(f"token cache: {len(damaged)} entr{'y' if len(damaged) == 1 else 'ies'} did not match "
                           "their checksum or vocabulary: tokenized again")
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        return found

    def _read(self, keys: Sequence[str]) -> tuple[dict[str, list[str]], list[str]]:
        found: dict[str, list[str]] = {}
        damaged: list[str] = []
        db = self._connect()
        if db is None:
            return found, damaged
        batch_size = 5000 if sqlite3.sqlite_version_info >= (3, 32) else 900
        with contextlib.closing(db), db:
            self._sync_vocab(db)
            get = self._vocab.__getitem__
            for start in range(0, len(keys), batch_size):
                batch = list(keys[start:start + batch_size])
                marks = ",".join("?" * len(batch))
                for key, blob, crc in db.execute(f"SELECT key, ids, crc FROM tokens WHERE key IN ({marks})", batch):
                    try:
                        if not isinstance(blob, bytes) or zlib.crc32(blob) != crc:
                            raise ValueError("checksum")
                        found[key] = list(map(get, array("I", blob)))
                    except (ValueError, IndexError):
                        damaged.append(key)
            if damaged:
                db.executemany("DELETE FROM tokens WHERE key = ?", [(key,) for key in damaged])
        return found, damaged

    def put_many(self, items: dict[str, list[str]]) -> None:
        """Store token lists under their keys."""
        try:
            self._write(items)
        except sqlite3.DatabaseError as error:
            self._damaged(error)
            with contextlib.suppress(sqlite3.DatabaseError):
                self._write(items)

    def _write(self, items: dict[str, list[str]]) -> None:
        db = self._connect()
        if db is None:
            return
        with contextlib.closing(db), db:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time keeps vocabulary ids dense
            self._sync_vocab(db)
            new = sorted({t for tokens in items.values() for t in tokens} - self._ids.keys())
            db.executemany("INSERT INTO vocab VALUES (?, ?)", [(len(self._vocab) + i, t) for i, t in enumerate(new)])
            self._sync_vocab(db)
            ids = self._ids
            rows = []
            for key, tokens in items.items():
                blob = array("I", [ids[t] for t in tokens]).tobytes()
                rows.append((key, blob, zlib.crc32(blob)))
            db.executemany("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?)", rows)


class Executor:
    """Where and how many texts are tokenized: cache, processes or a dask client, progress bar.

    ``cache``: True for :func:`default_cache_dir`, False, or a folder; ``n_jobs``: processes
    (-1 for one per core; fewer than 50 texts always run here); ``client``: a
    ``dask.distributed`` Client; ``progress``: a tqdm bar on stderr when a run takes more than
    a moment. Nothing is opened or started before :meth:`run`.
    """

    def __init__(self, cache: bool | str | Path = True, n_jobs: int = 1, client: Any = None, progress: bool = True):
        self.n_jobs = n_jobs
        self.client = client
        self.progress = progress
        self.cache = TokenCache(default_cache_dir() if cache is True else cache) if cache else None

    @property
    def cache_stats(self) -> dict[str, int]:
        """Cache hits and misses so far (zeros without a cache)."""
        return {"hits": self.cache.hits, "misses": self.cache.misses} if self.cache else {"hits": 0, "misses": 0}

    @property
    def cache_notes(self) -> list[str]:
        """What the token cache found wrong (damaged entries, a folder it would not use)."""
        return list(self.cache.notes) if self.cache else []

    def run(self, runner: Runner, texts: Sequence[str], names: Sequence[frozenset[str]]) -> list[list[str]]:
        """Tokens of each text with its names: cached ones read back, the others computed and stored."""
        fingerprint = runner.fingerprint()
        keys = [cache_key(t, n, fingerprint) for t, n in zip(texts, names)]
        found = self.cache.get_many(keys) if self.cache else {}
        todo: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key not in found and key not in todo:
                todo[key] = i
        computed = dict(zip(todo, self._compute(runner, [(texts[i], names[i]) for i in todo.values()])))
        if self.cache and computed:
            self.cache.put_many(computed)
        found.update(computed)
        return [found[key] for key in keys]

    def _compute(self, runner: Runner, jobs: list[tuple[str, frozenset[str]]]) -> list[list[str]]:
        bar = dict(total=len(jobs), delay=2, disable=not self.progress, desc="tokenizing", unit="unit")
        if self.client is not None and jobs:
            import dask.bag

            partitions = max(1, min(len(jobs) // 100, 8 * len(self.client.scheduler_info()["workers"])))
            bag = dask.bag.from_sequence(jobs, npartitions=partitions).map_partitions(_run_partition, runner)
            return _shared_strings(self.client.compute(bag, sync=True))
        if self.n_jobs == 1 or len(jobs) < 50:
            return _shared_strings(runner.tokenize(t, n) for t, n in tqdm(jobs, **bar))
        n_jobs = usable_cores() if self.n_jobs < 0 else self.n_jobs
        chunk = max(1, min(256, len(jobs) // (n_jobs * 4)))
        # Spawned, not forked: a worker does not inherit (and keep alive) the parent's loaded corpus.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(n_jobs, mp_context=context, initializer=_init_worker, initargs=(runner,)) as pool:
            return _shared_strings(tqdm(pool.map(_run_in_worker, jobs, chunksize=chunk), **bar))


_WORKER: Runner | None = None


def _init_worker(runner: Runner) -> None:
    global _WORKER
    _WORKER = runner
    runner.tokenize("")  # load the dictionary once, before the first job


def _run_in_worker(job: tuple[str, frozenset[str]]) -> list[str]:
    assert _WORKER is not None
    return _WORKER.tokenize(*job)


def _run_partition(jobs: Iterable[tuple[str, frozenset[str]]], runner: Runner) -> list[list[str]]:
    """One dask partition; the engine is loaded once per worker process (engines are cached by dictionary)."""
    return [runner.tokenize(text, names) for text, names in jobs]


def _shared_strings(results: Iterable[list[str]]) -> list[list[str]]:
    """Token lists that share one string object per distinct token (results from other processes don't)."""
    pool: dict[str, str] = {}
    return [[pool.setdefault(t, t) for t in tokens] for tokens in results]
