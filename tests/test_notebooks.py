"""The tutorial notebooks run from top to bottom, are stored without outputs, show what they say, and narrate
the build's analysis: the figures in figures/ and the same topics as the build and the CLI.

Each notebook is executed once per session with nbclient in a kernel started from the ``notebooks/`` folder
(as a researcher opening it in Jupyter would), with the session's private cache (so the build and CLI tests
here read the model notebook 04 fitted) and matplotlib on the Agg backend (the notebooks switch to
``%matplotlib inline`` themselves, so figures still become ``image/png`` outputs). The checks read the outputs
of the cells that make each notebook's point.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from govtopics.build import build
from govtopics.cli import main
from govtopics.outputs import FIGURES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_corpus.ipynb", "02_preprocessing.ipynb", "03_keywords.ipynb", "04_topics.ipynb", "05_trends.ipynb",
         "06_validation.ipynb", "07_codebook.ipynb"]
# Run after notebook 04's own cells: its analysis's topic table, as the build writes it.
PROBE = "import sys\nfrom govtopics.outputs import write_table\nwrite_table(analysis.topic_words, sys.stdout);"


@pytest.fixture(scope="session")
def executed() -> dict[str, nbformat.NotebookNode]:
    """Each notebook executed once (on first use), in a kernel with this environment."""
    runs: dict[str, nbformat.NotebookNode] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MPLBACKEND", "Agg")
        # The venv's python3 kernel, not one a user installed in ~/.local/share/jupyter.
        patch.setenv("JUPYTER_PREFER_ENV_PATH", "1")

        def run(name: str) -> nbformat.NotebookNode:
            if name not in runs:
                nb = nbformat.read(NOTEBOOKS / name, as_version=4)
                if name == "04_topics.ipynb":
                    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
                client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                        resources={"metadata": {"path": str(NOTEBOOKS)}})
                client.execute()  # raises CellExecutionError on the first failing cell
                runs[name] = nb
            return runs[name]

        yield run


def text_of(cell: nbformat.NotebookNode) -> str:
    """Everything a cell printed or displayed as text (stdout, stderr, plain text and HTML)."""
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif out["output_type"] in ("execute_result", "display_data"):
            parts += [out["data"].get("text/plain", ""), out["data"].get("text/html", "")]
        elif out["output_type"] == "error":
            parts.append("\n".join(out["traceback"]))
    return "\n".join(parts)


def cell_with(nb: nbformat.NotebookNode, snippet: str) -> nbformat.NotebookNode:
    """The first code cell whose source contains ``snippet``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and snippet in cell.source:
            return cell
    raise AssertionError(f"no code cell contains {snippet!r}")


def output_of(nb: nbformat.NotebookNode, snippet: str) -> str:
    return text_of(cell_with(nb, snippet))


def images_of(nb: nbformat.NotebookNode, snippet: str) -> int:
    cell = cell_with(nb, snippet)
    return sum("image/png" in out.get("data", {}) for out in cell.outputs)


def check_01(nb: nbformat.NotebookNode) -> None:
    assert "loaded 5 documents, skipped 0" in output_of(nb, 'Analysis.from_toml("../govtopics.toml")')
    table = output_of(nb, "corpus.to_frame()")
    assert "大进镇人民政府" in table and "双龙镇人民政府" in table and "2023" in table
    sources = output_of(nb, "doc.meta.sources")
    assert "title" in sources and "header" in sources and "opening" in sources
    sections = output_of(nb, "doc.sections")
    assert "achievements" in sections and "plans" in sections and "preamble" in sections
    assert "heading" in output_of(nb, "corpus.units_frame()")
    removed = output_of(nb, "pd.DataFrame(web_page.cleaning.removed)")
    assert "日期:2024-02-26" in removed and "wechat share" in removed and "publication date" in removed
    assert "('关于2023年法治政府建设情况的报告', 'gb18030')" in output_of(nb, "decode_bytes(raw)")
    assert "skipped: binary file" in output_of(nb, "DecodeError")


def check_02(nb: nbformat.NotebookNode) -> None:
    lines = output_of(nb, "jieba.lcut(sentence)").splitlines()
    plain = next(line for line in lines if line.startswith("jieba.lcut"))
    ours = next(line for line in lines if line.startswith("govtopics.segment"))
    assert "习近平 / 法治 / 思想" in plain and "大进 / 镇" in plain
    assert " / 习近平法治思想 / " in ours and " / 八五普法 / " in ours and " / 大进镇 / " in ours
    terms = output_of(nb, "domain_terms()")
    assert " terms" in terms and "八五普法" in terms and "行政执法" in terms
    assert "'formulaic'" in output_of(nb, "Stopwords().sizes()")
    by_reason = output_of(nb, 'removed.groupby("reason")["count"].sum()')
    for reason in ("function", "formulaic", "scaffolding", "places", "numbers", "punctuation"):
        assert reason in by_reason
    before_after = output_of(nb, "govtopics.tokenize(paragraph")
    segments, tokens = before_after.split("analysis tokens:")
    assert " / 的 / " in segments and " / 切实 / " in segments  # function word and 套话 before ...
    assert " 的 " not in tokens and "切实" not in tokens and "法治建设" in tokens  # ... gone after
    assert "mean agreement" in output_of(nb, "token_agreement(segmented")
    assert "formulaic" not in output_of(nb, "without_formulaic").split("reasons now:")[1]
    assert "tokens" in output_of(nb, "units = analysis.units")


def check_03(nb: nbformat.NotebookNode) -> None:
    assert "'top': 20, 'min_count': 5" in output_of(nb, "analysis.config.keywords")
    keyness = output_of(nb, "year_keyness(units, 2022, 2025)")
    assert "rising" in keyness and "2022" in keyness and "2025" in keyness
    assert "falling" in output_of(nb, "key_22_25.tail")
    assert images_of(nb, "plots.plot_keyness(key_22_25)") == 1
    assert "terms with min_count=5" in output_of(nb, "min_count=1")
    consecutive = output_of(nb, "consecutive = analysis.keyness")
    assert "2023" in consecutive and "2024" in consecutive
    assert "'keyness_2022_2023', 'keyness_2023_2024', 'keyness_2024_2025'" in output_of(nb, 'analysis.figures("keyness")')
    assert images_of(nb, 'analysis.figures("keyness")') == 3


def check_04(nb: nbformat.NotebookNode) -> None:
    assert "'k': 'auto', 'k_range': 'auto', 'seeds': [1, 2, 3]" in output_of(nb, "analysis.config.model")
    assert "stability" in output_of(nb, "k_table = analysis.k_table")
    assert "recommended K =" in output_of(nb, "analysis.k_rule")
    assert images_of(nb, 'analysis.figures("k_selection")') == 1
    assert images_of(nb, 'analysis.figures("top_words")') == 1
    assert "'T0 " in output_of(nb, "set_labels")
    assert "stability across seeds" in output_of(nb, "by_seed")
    assert "LDA vs NMF" in output_of(nb, "nmf.top_words(10)")
    assert "topic_0" in output_of(nb, "analysis.unit_topics")
    assert "text" in output_of(nb, "analysis.unit_texts(top_units)")


def check_05(nb: nbformat.NotebookNode) -> None:
    assert "single_report" in output_of(nb, "prevalence = analysis.prevalence")
    for name in ("prevalence", "heatmap", "stacked", "prevalence_by_part", "term_trends"):
        assert images_of(nb, f'analysis.figures("{name}")') == 1, name
    assert "rank" in output_of(nb, "words_by_year = analysis.words_by_year")
    assert "followed terms: [" in output_of(nb, 'analysis.figures("term_trends")')
    assert "八五普法" in output_of(nb, "chosen.term_trends")
    assert "single-report years: [2022, 2023, 2024]" in output_of(nb, "single-report years")
    # Covariates: a metadata table written in the notebook; the report without a parent place is left out.
    assert re.search(r"002_\w+\s+no parent", output_of(nb, 'covariates.group_excluded("parent")'))
    assert images_of(nb, 'covariates.figures("prevalence_by_group")') == 1
    effects = output_of(nb, "fit = covariates.effects")
    assert "parent | cluster(issuer) | 4 reports |" in effects and "only 4 clusters" in effects
    assert "parent[T.district]" in effects and "county" in effects  # the term and its reference level
    assert images_of(nb, 'covariates.figures("effects")') == 1
    assert images_of(nb, 'covariates.figures("effects_expected")') == 1
    assert "parent[T.district]" in output_of(nb, "fit.mean_fit(0)")


def check_06(nb: nbformat.NotebookNode) -> None:
    passages = output_of(nb, "passages = analysis.passages()")
    assert "proportion" in passages and "achievements" in passages
    assert "proportion" in output_of(nb, 'by_year = analysis.passages("year")')
    hits, raw = map(int, re.search(r"(\d+) hits in \d+ reports; the raw files hold the term (\d+) times",
                                   output_of(nb, 'kwic(analysis.corpus, "营商环境"')).groups())
    assert hits == raw > 0
    assert "<iframe" in output_of(nb, "explorer = analysis.explorer")
    written = output_of(nb, "checked.intrusion_test")
    assert "intrusion_sheet.html, intrusion_sheet.csv, intrusion_key.csv" in written and "not figures/" in written
    by_coder = output_of(nb, "scores.by_coder")
    assert re.search(r"careful\s+topic\s+20\s+1\.0+\s+0\.0", by_coder)  # precision 1, TLO 0
    assert re.search(r"careful\s+word\s+\d+\s+1\.0", by_coder)
    value, chance = map(float, re.search(r"model precision of 200 guessers: ([\d.]+) \(chance ([\d.]+)\)",
                                         output_of(nb, "200 guessers")).groups())
    assert abs(value - chance) < 0.05
    assert abs(float(re.search(r"alpha between them: (-?[\d.]+)", output_of(nb, "200 guessers")).group(1))) < 0.05


def check_07(nb: nbformat.NotebookNode) -> None:
    assert "8 concepts + 3 free topics = K 11" in output_of(nb, 'load_codebook("rule_of_law_outline")')
    diagnostics = output_of(nb, "seeded.keyword_diagnostics")
    assert "rare" in diagnostics and "absent" in diagnostics and "行政执法" in diagnostics
    concepts = output_of(nb, "concepts = seeded.concepts")
    assert "keyword_rate" in concepts and "no seed word in the corpus" in concepts and "行政决策" in concepts
    assert "行政执法" in output_of(nb, "match_topics(")
    assert re.search(r"stability across seeds 1, 2, 3: seeded [\d.]+, unsupervised [\d.]+", output_of(nb, "runs = "))
    assert images_of(nb, 'seeded.figures("prevalence")') == 1


CHECKS = dict(zip(NAMES, [check_01, check_02, check_03, check_04, check_05, check_06, check_07]))


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_shows_its_point(name: str, executed) -> None:
    nb = executed(name)
    errors = [cell for cell in nb.cells if any(out["output_type"] == "error" for out in cell.get("outputs", []))]
    assert not errors
    # A Chinese label drawn without a CJK font makes matplotlib warn about missing glyphs.
    assert not [cell for cell in nb.cells if "missing from font" in text_of(cell)]
    CHECKS[name](nb)


def test_notebooks_start_from_the_build_config_and_narrate_every_figure() -> None:
    sources = {name: "\n".join(c.source for c in nbformat.read(NOTEBOOKS / name, as_version=4).cells
                               if c.cell_type == "code") for name in NAMES}
    assert all('Analysis.from_toml("../govtopics.toml")' in source for source in sources.values())
    drawn = set(re.findall(r'\w+\.figures\("(\w+)"\)', "\n".join(sources.values())))
    assert drawn == set(FIGURES)
    # The orchestration lives in the library: no notebook loads, tokenizes, scans or fits on its own.
    assert not [name for name, source in sources.items()
                if re.search(r"load_corpus\(|tokenize_corpus\(|scan_k\(|LdaTopics\(|topic_prevalence\(", source)]


def test_the_notebooks_the_cli_and_the_build_show_the_same_topics(executed, tmp_path, capsys) -> None:
    from_notebook = text_of(executed("04_topics.ipynb").cells[-1])
    build(ROOT / "govtopics.toml", out=tmp_path)
    from_build = (tmp_path / "tables" / "topic_words.csv").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["topics", "--config", str(ROOT / "govtopics.toml"), "--csv"]) == 0
    from_cli = capsys.readouterr().out
    assert main(["topics", str(ROOT / "seeds"), "--csv"]) == 0  # no --config: the defaults, which are the file's
    from_cli_defaults = capsys.readouterr().out
    assert from_build.startswith("topic,label,rank,word,weight\n0,") and from_build.count("\n") >= 31
    assert from_notebook == from_build == from_cli == from_cli_defaults


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
