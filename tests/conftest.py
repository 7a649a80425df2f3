from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.utils import canonicalize_name

from govtopics import load_corpus

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
LOCK = ROOT / "requirements-lock.txt"


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


def locked_versions(lock: Path = LOCK) -> dict[str, str]:
    """``name -> version`` of the lock file's pins that apply to this interpreter and platform."""
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        requirement, _, marker = line.partition(";")
        if "==" not in requirement or line.startswith((" ", "#")):
            continue
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        name, version = requirement.split("==")
        pins[canonicalize_name(name.strip())] = version.strip()
    return pins


def lock_differences(lock: Path = LOCK) -> dict[str, tuple[str, str | None]]:
    """Locked packages whose installed version differs: ``name -> (locked, installed or None)``."""
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    return {name: (version, installed.get(name)) for name, version in locked_versions(lock).items()
            if installed.get(name) != version}
