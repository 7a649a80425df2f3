from pathlib import Path

import pytest

from govtopics import load_corpus

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Token and stage caches in a temporary folder: tests never read or write the user's own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVTOPICS_CACHE", str(tmp_path_factory.mktemp("govtopics-cache")))
        yield


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_corpus():
    return load_corpus(SEEDS)


def seed_path(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))
