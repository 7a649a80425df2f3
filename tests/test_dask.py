import hashlib
from pathlib import Path

import pytest

from govtopics import Tokenizer, load_corpus
from govtopics.build import build, dask_client, load_config
from govtopics.features import term_counts

ROOT = Path(__file__).resolve().parents[1]
SMALL = dict(model={"k_range": [3, 4], "seeds": [1, 2], "max_iter": 200}, trends={"n_boot": 100},
             figures={"which": ["prevalence"]}, tokens={"cache": False})


@pytest.fixture(scope="module")
def client():
    with dask_client("local:2") as client:
        assert len(client.scheduler_info()["workers"]) == 2
        yield client


def test_tokens_and_counts_on_two_workers_match_in_process(client):
    corpus = load_corpus(ROOT / "seeds")
    local = Tokenizer(cache=False).tokenize_corpus(corpus)
    distributed = Tokenizer(cache=False, client=client).tokenize_corpus(corpus)
    assert distributed["tokens"].tolist() == local["tokens"].tolist()
    assert term_counts(local, client=client).equals(term_counts(local))


def test_build_on_a_local_cluster_gives_the_same_tables(tmp_path):
    local = build(load_config(**SMALL), out=tmp_path / "local", corpus_path=ROOT / "seeds")
    config = load_config(**SMALL | {"tokens": {"cache": False, "dask": "local:2"}})
    remote = build(config, out=tmp_path / "dask", corpus_path=ROOT / "seeds")
    tables = {name: digest for name, digest in local["outputs"].items() if name.startswith("tables/")}
    assert len(tables) >= 10
    assert {name: remote["outputs"][name] for name in tables} == tables
    digest = hashlib.sha256((tmp_path / "dask" / "tables" / "term_trends.csv").read_bytes()).hexdigest()
    assert digest == tables["tables/term_trends.csv"]
