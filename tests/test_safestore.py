"""Caches that cannot run code: the stage cache's data format, damaged entries, the token cache, private folders."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govtopics import Tokenizer, load_corpus, safestore
from govtopics.analysis import Analysis, StageCache
from govtopics.executor import TokenCache, private_dir

ROOT = Path(__file__).resolve().parents[1]
SMALL = dict(model={"k": 3, "max_iter": 50}, trends={"n_boot": 20})


def test_a_corpus_comes_back_equal(tmp_path):
    corpus = load_corpus(ROOT / "seeds")
    back = safestore.loads(safestore.dumps(corpus))
    assert back == corpus and back is not corpus
    assert [u.heading_path for u in back[0].units] == [u.heading_path for u in corpus[0].units]
    assert isinstance(back[0].units[0].heading_path, tuple)
    # the report's text and its cleaned copy are one string, stored once
    assert back[0].text is back[0].cleaning.text


def test_frames_keep_their_dtypes_index_and_attrs():
    frame = pd.DataFrame({
        "year": pd.array([2022, None, 2024], dtype="Int64"),
        "word": pd.Series(["普法", None, "=1+1"], index=["a", "b", "c"]),  # pandas' str dtype, a missing value
        "tokens": pd.Series([["依法", "行政"], [], ["普法"]], index=["a", "b", "c"], dtype=object),
        "level": pd.Categorical(["city", "county", "city"], categories=["county", "city"], ordered=True),
        "share": [0.5, np.nan, -0.25],
        "few": [True, False, True],
        "flag": pd.array([True, None, False], dtype="boolean"),
    }, index=pd.Index(["a", "b", "c"], name="doc"))
    frame.attrs = {"weighting": "report", "by": ["year"], "level": 0.95}
    back = safestore.loads(safestore.dumps(frame))
    pd.testing.assert_frame_equal(back, frame)
    assert back.attrs == frame.attrs
    assert back["tokens"].tolist() == [["依法", "行政"], [], ["普法"]]
    multi = frame.set_index(["level", "year"])
    pd.testing.assert_frame_equal(safestore.loads(safestore.dumps(multi)), multi)


def test_a_fitted_model_comes_back_and_transforms_the_same(tmp_path):
    from govtopics.models import LdaTopics, NmfTopics

    docs = [["普法", "宣传", "宪法"], ["执法", "培训", "规范"], ["普法", "宪法", "讲座"], ["执法", "规范", "队伍"]] * 3
    models = [LdaTopics(num_topics=2, no_below=1, no_above=1.0, max_iter=20),
              LdaTopics(num_topics=2, no_below=1, no_above=1.0, max_iter=5, engine="gensim"),
              NmfTopics(num_topics=2, no_below=1, no_above=1.0)]
    for model in models:
        model.fit(docs)
        back = safestore.loads(safestore.dumps(model))
        assert type(back) is type(model) and back.vocabulary_ == model.vocabulary_
        np.testing.assert_array_equal(back.topic_word_, model.topic_word_)
        np.testing.assert_allclose(back.transform(docs[:4]), model.transform(docs[:4]))
    saved = LdaTopics.load(models[0].save(tmp_path / "lda.gts"))
    np.testing.assert_allclose(saved.transform(docs[:4]), models[0].transform(docs[:4]))


def test_loading_a_saved_model_runs_no_code_from_the_file(tmp_path):
    from govtopics.models import LdaTopics

    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    (tmp_path / "model.pkl").write_bytes(pickle.dumps(Evil()))
    with pytest.raises(safestore.DamagedEntry, match="not a govtopics store file"):
        LdaTopics.load(tmp_path / "model.pkl")
    (tmp_path / "frame.gts").write_bytes(safestore.dumps(pd.DataFrame({"a": [1]})))
    with pytest.raises(safestore.DamagedEntry, match="holds a DataFrame, not an LdaTopics"):
        LdaTopics.load(tmp_path / "frame.gts")
    assert not marker.exists()


def store_file(tree, arrays=()):
    """A store file with a correct SHA-256 holding ``tree``, written by hand (as someone else could)."""
    text = json.dumps(tree).encode()
    body = len(text).to_bytes(8, "little") + text + b"".join(arrays)
    header = json.dumps({"sha256": hashlib.sha256(body).hexdigest(), "size": len(body),
                         "arrays": [len(a) for a in arrays]}).encode()
    return safestore.MAGIC + header + b"\n" + body


def test_a_file_naming_another_class_or_an_object_array_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    evil = {"$": "obj", "type": "subprocess.Popen", "id": 0,
            "v": {"$": "dict", "v": [["args", ["touch", str(marker)]]]}}
    with pytest.raises(safestore.DamagedEntry, match="names the class 'subprocess.Popen', which is never stored"):
        safestore.loads(store_file(evil))
    with pytest.raises(safestore.DamagedEntry, match="malformed custom"):
        safestore.loads(store_file({"$": "custom", "type": "os.system", "v": f"touch {marker}"}))
    import io
    buffer = io.BytesIO()
    np.save(buffer, np.array([print], dtype=object), allow_pickle=True)  # a pickled object array inside .npy
    with pytest.raises(safestore.DamagedEntry, match="Object arrays cannot be loaded when allow_pickle=False"):
        safestore.loads(store_file({"$": "array", "a": 0}, [buffer.getvalue()]))
    assert not marker.exists()


@pytest.mark.parametrize("damage", ["truncated", "flipped", "pickle"])
def test_a_damaged_stage_entry_is_computed_again_with_a_note(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("GOVTOPICS_CACHE", str(tmp_path / "cache"))
    first = Analysis(**SMALL, progress=False)
    words = first.topic_words
    entry = next((tmp_path / "cache" / "build").glob("model-*.gts"))
    data = entry.read_bytes()
    marker = tmp_path / "ran"
    if damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":
        entry.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    else:  # a pickle that would run code, where an entry should be
        class Evil:
            def __reduce__(self):
                return (Path.touch, (marker,))
        entry.write_bytes(pickle.dumps(Evil()))
    second = Analysis(**SMALL, progress=False)
    pd.testing.assert_frame_equal(second.topic_words, words)
    assert "model" not in second.cache.hits and not marker.exists()
    body_starts = data.index(b"\n", len(safestore.MAGIC)) + 1  # after the header line
    expected = {"truncated": f"truncated or extended: {len(data) // 2 - body_starts} bytes where "
                             f"{len(data) - body_starts} were written",
                "flipped": "its content does not match its SHA-256", "pickle": "not a govtopics store file"}[damage]
    assert second.cache_notes == [f"stage cache entry {entry.name} (model) is damaged: {expected}; computed again"]
    third = Analysis(**SMALL, progress=False)  # the entry was written again
    third.model
    assert "model" in third.cache.hits and third.cache_notes == []


def test_a_cache_folder_others_can_write_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("GOVTOPICS_CACHE", str(shared))
    analysis = Analysis(**SMALL, progress=False)
    analysis.units
    assert not list(shared.rglob("*.gts")) and not list(shared.rglob("*.sqlite"))
    problem = "is writable by others (mode 0777): chmod go-w it, or set GOVTOPICS_CACHE to a folder of your own"
    assert analysis.cache_notes == [
        f"stage cache not used: cache folder {shared / 'build'} is inside {shared}, which {problem}",
        f"token cache not used: cache folder {shared} {problem}"]
    analysis.model
    assert len(analysis.cache_notes) == 2 and not list(shared.rglob("*.gts"))
    assert private_dir(tmp_path / "mine") is None and (tmp_path / "mine").stat().st_mode & 0o777 == 0o700


@pytest.fixture
def seed_units():
    corpus = load_corpus(ROOT / "seeds")
    return [u.text for doc in corpus for u in doc.units][:40]


def test_a_token_cache_row_that_does_not_decode_is_tokenized_again(tmp_path, seed_units):
    fresh = Tokenizer(cache=False, progress=False).tokenize_many(seed_units)
    Tokenizer(cache=tmp_path, progress=False).tokenize_many(seed_units)
    with sqlite3.connect(tmp_path / TokenCache.FILE) as db:
        keys = [k for (k,) in db.execute("SELECT key FROM tokens ORDER BY key LIMIT 3")]
        db.execute("UPDATE tokens SET ids = x'0102' WHERE key = ?", (keys[0],))                 # cut: not whole ids
        db.execute("UPDATE tokens SET ids = x'ffffff00', crc = ? WHERE key = ?",              # an id past the vocabulary
                   (zlib.crc32(b"\xff\xff\xff\x00"), keys[1]))
        db.execute("UPDATE tokens SET crc = crc + 1 WHERE key = ?", (keys[2],))               # ids that fail the checksum
    again = Tokenizer(cache=tmp_path, progress=False)
    assert again.tokenize_many(seed_units) == fresh
    assert again.cache_stats == {"hits": len(set(seed_units)) - 3, "misses": 3}
    assert again.cache_notes == ["token cache: 3 entries did not match their checksum or vocabulary: tokenized again"]
    third = Tokenizer(cache=tmp_path, progress=False)
    assert third.tokenize_many(seed_units) == fresh and third.cache_stats["misses"] == 0 and third.cache_notes == []


def test_a_damaged_token_database_is_set_aside_and_rebuilt(tmp_path, seed_units):
    fresh = Tokenizer(cache=False, progress=False).tokenize_many(seed_units)
    Tokenizer(cache=tmp_path, progress=False).tokenize_many(seed_units)
    database = tmp_path / TokenCache.FILE
    database.write_bytes(b"not a database" * 100)
    again = Tokenizer(cache=tmp_path, progress=False)
    assert again.tokenize_many(seed_units) == fresh
    assert again.cache_notes == [f"token cache {database} is damaged (file is not a database): set aside as "
                                 f"{database.name}.damaged, tokens computed again"]
    assert (tmp_path / f"{database.name}.damaged").read_bytes().startswith(b"not a database")
    third = Tokenizer(cache=tmp_path, progress=False)
    assert third.tokenize_many(seed_units) == fresh and third.cache_stats["misses"] == 0


def test_stage_entries_are_private_files(tmp_path):
    cache = StageCache(tmp_path / "build")
    assert cache.get("x", "k" * 64, lambda: {"a": 1}) == {"a": 1}
    entry = next((tmp_path / "build").glob("x-*.gts"))
    assert entry.stat().st_mode & 0o777 == 0o600 and (tmp_path / "build").stat().st_mode & 0o777 == 0o700
    assert cache.get("x", "k" * 64, lambda: {"a": 2}) == {"a": 1} and cache.hits == ["x"]
    assert cache.get("y", "k" * 64, lambda: print) is print  # not storable: computed each time, noted
    assert cache.notes == ["stage y is not cached: it holds a builtins.builtin_function_or_method (not one of the "
                           "stored classes)"]
    assert not list((tmp_path / "build").glob("y-*"))
    if hasattr(os, "getuid"):
        assert entry.stat().st_uid == os.getuid()


def test_a_seeded_model_comes_back_through_the_store(tmp_path):
    from govtopics.seeded import SeededTopics

    docs = [["普法", "宣传", "宪法"], ["执法", "培训", "规范"], ["普法", "宪法", "讲座"], ["执法", "规范", "队伍"]] * 3
    model = SeededTopics(num_topics=3, seed_words={"执法": ["执法"], "普法": ["普法"]}, no_below=1, no_above=1.0,
                         random_state=1).fit(docs)
    back = SeededTopics.load(model.save(tmp_path / "seeded.gts"))
    assert type(back) is SeededTopics and back.labels_ == model.labels_ and back.seed_words_ == model.seed_words_
    np.testing.assert_allclose(back.transform(docs[:4]), model.transform(docs[:4]))
    pd.testing.assert_frame_equal(back.concept_table(), model.concept_table())
