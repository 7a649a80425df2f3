"""Config: one set of defaults (those of govtopics.toml), validated; the CLI and the build start from it."""

import re
import tomllib
from pathlib import Path

import pytest

from govtopics import Config, ConfigError
from govtopics.cli import build_parser, config_of
from govtopics.models import MODELS, LdaTopics, NmfTopics

ROOT = Path(__file__).resolve().parents[1]
TOML = ROOT / "govtopics.toml"


def test_the_shipped_toml_lists_every_default_unchanged():
    text = TOML.read_text(encoding="utf-8")
    shipped = tomllib.loads(text)
    defaults = Config().to_dict()
    unset = {section: [key for key, value in values.items() if value is None] for section, values in defaults.items()}
    expected = {section: {key: value for key, value in values.items() if value is not None}
                for section, values in defaults.items()}
    assert shipped == expected, "govtopics.toml and govtopics.Config() differ: change the file to the defaults"
    # A default that TOML cannot write (None) is listed as a comment in its section.
    sections = dict(re.findall(r"^\[(\w+)\]\n(.*?)(?=^\[|\Z)", text, flags=re.S | re.M))
    missing = [f"{section}.{key}" for section, keys in unset.items() for key in keys
               if not re.search(rf"^# {key} = ", sections[section], flags=re.M)]
    assert missing == []


def test_reading_the_shipped_toml_gives_the_defaults():
    assert Config.from_toml(TOML) == Config(corpus={"path": str(ROOT / "seeds")})


def test_model_defaults_are_the_estimators_own():
    """Not a second copy: the defaults LdaTopics' and NmfTopics' signatures declare."""
    keys = ("engine", "no_below", "no_above", "max_iter", "tol", "random_state")
    assert {key: Config().model[key] for key in keys} == {
        "engine": "tomotopy", "no_below": "auto", "no_above": 0.5, "max_iter": "auto", "tol": 0.001,
        "random_state": 20240601} == {key: LdaTopics().get_params()[key] for key in keys}
    nmf = Config(model={"name": "nmf"}).model
    assert nmf.max_iter == NmfTopics().max_iter == 1000 and "engine" not in nmf and nmf.k == "auto"


def test_cli_and_build_start_from_the_same_defaults():
    parser = build_parser()
    assert config_of(parser.parse_args(["topics", "reports/"])) == Config(corpus={"path": "reports/"})
    assert config_of(parser.parse_args(["trends", "a.txt", "b.txt", "-k", "7", "--n-boot", "50"])) == Config(
        corpus={"path": ["a.txt", "b.txt"]}, model={"k": 7}, trends={"n_boot": 50})
    build_args = parser.parse_args(["build", "--config", str(TOML), "--set", "model.tol=0.01", "-k", "auto"])
    assert config_of(build_args) == Config.from_toml(TOML, model={"tol": 0.01})


def test_unknown_sections_keys_and_bad_values_are_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown config section \[modle\]"):
        Config(modle={"k": 3})
    with pytest.raises(ConfigError, match="unknown config key model.topics"):
        Config(model={"topics": 3})
    bad = {("model", "k"): "seven", ("model", "k_range"): [8, 3], ("tokens", "backend"): "thulac",
           ("tokens", "layers"): ["function", "slogans"], ("figures", "which"): ["wordcloud"],
           ("corpus", "min_year"): "2015", ("trends", "n_boot"): 1.5, ("tokens", "cache"): "yes",
           ("model", "name"): "bertopic", ("model", "seeds"): 3, ("corpus", "metadata"): ["a.csv"],
           ("corpus", "near_duplicate"): 1.5, ("trends", "weight"): "words", ("trends", "by"): "level",
           ("effects", "periods"): [[2018, 2013]], ("effects", "year_df"): 0, ("explorer", "lambda"): 1.2,
           ("validation", "n_words"): "5"}
    for (section, key), value in bad.items():
        with pytest.raises(ConfigError, match=re.escape(f"{section}.{key}")):
            Config(**{section: {key: value}})
    with pytest.raises(ConfigError, match="trends.by must be columns other than year and part"):
        Config(trends={"by": ["level", "part"]})
    toml = tmp_path / "my.toml"
    toml.write_text("[model]\nk = 5\nno_belwo = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"unknown config key model.no_belwo in {re.escape(str(toml))}"):
        Config.from_toml(toml)
    toml.write_text("[model\nk = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Config.from_toml(toml)


def test_toml_then_overrides_and_paths_relative_to_the_file(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    toml = folder / "my.toml"
    toml.write_text('[corpus]\npath = "reports"\nmetadata = "tables/reports.csv"\n'
                    '[tokens]\nuser_dicts = ["dict.txt", "/abs/d.txt"]\n'
                    '[model]\nk = 5\ntol = 0.01\n', encoding="utf-8")
    config = Config.from_toml(toml, model={"k": 9})
    assert config.corpus.path == str(folder / "reports")
    assert config.corpus.metadata == str(folder / "tables" / "reports.csv")
    assert config.tokens.user_dicts == [str(folder / "dict.txt"), "/abs/d.txt"]
    assert (config.model.k, config.model.tol, config.model.no_below) == (9, 0.01, "auto")


def test_another_model_keeps_the_shared_parameters_and_drops_the_others():
    lda = Config(model={"tol": 0.01, "no_below": 3, "k": 6})
    nmf = lda.replace(model={"name": "nmf"})
    assert (nmf.model.no_below, nmf.model.k) == (3, 6) and "tol" not in nmf.model
    with pytest.raises(ConfigError, match="unknown config key model.engine"):
        Config(model={"name": "nmf", "engine": "gensim"})


def test_a_config_cannot_be_changed_in_place():
    config = Config()
    config.model.seeds.append(99)
    assert config.model.seeds == [1, 2, 3]
    with pytest.raises(TypeError):
        config["model"]["k"] = 3  # type: ignore[index]
    assert config.replace(model={"k": 3}).model.k == 3 and config.model.k == "auto"


def test_to_toml_reads_back_as_the_same_config(tmp_path):
    config = Config(model={"k": 7, "eta": 0.1}, trends={"terms": ["普法", "营商环境"]}, corpus={"min_year": 2015})
    path = tmp_path / "round.toml"
    path.write_text(config.to_toml(), encoding="utf-8")
    assert Config.from_toml(path) == config.replace(corpus={"path": str(tmp_path / "seeds")})


def test_a_registered_model_becomes_a_config_choice(monkeypatch):
    class Tiny(NmfTopics):
        def __init__(self, num_topics: int = 8, random_state: int = 0, spread: float = 0.5):
            self.num_topics, self.random_state, self.spread = num_topics, random_state, spread

    with pytest.raises(ConfigError, match="model.name"):
        Config(model={"name": "tiny"})
    monkeypatch.setitem(MODELS, "tiny", Tiny)
    config = Config(model={"name": "tiny", "spread": 0.25})
    assert {key: config.model[key] for key in ("spread", "random_state", "k")} == {"spread": 0.25, "random_state": 0, "k": "auto"}
    assert "tiny" in build_parser()._subparsers._group_actions[0].choices["topics"].format_help()
