"""One topic model of the five seed reports, fitted once per test session for the reading and validation tests."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from govtopics import Tokenizer, load_corpus
from govtopics.models import LdaTopics, unit_topics
from govtopics.trends import topic_prevalence

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@functools.lru_cache(maxsize=1)
def seed_fit():
    """(units with text and tokens, fitted LdaTopics with K = 5, its unit_topics table, prevalence by year)."""
    units = Tokenizer(cache=False).tokenize_corpus(load_corpus(SEEDS), drop_empty=True)
    lda = LdaTopics(num_topics=5, max_iter=300, no_below=2).fit(list(units["tokens"]))
    table = unit_topics(units, lda, theta=lda.gamma_ / lda.gamma_.sum(axis=1, keepdims=True))
    prevalence = topic_prevalence(table, lda.gamma_, lda.labels_, n_boot=200)
    return units, lda, table, prevalence


def theta_of(table) -> np.ndarray:
    return table[[f"topic_{k}" for k in range(5)]].to_numpy()
