"""The offline topic explorer: its map and relevance, a safe self-contained page, and the page in a real browser."""

import base64
import copy
import hashlib
import html
import json
import re

import numpy as np
import pytest
from _browser import browser, open_page  # noqa: F401  (browser is a fixture)
from _seedmodel import seed_fit
from scipy.spatial.distance import jensenshannon

from govtopics import explore, representative_passages
from govtopics.explorer import js_divergence, pcoa, relevance, topic_map

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>",
           "<!-- x \u2028 y \u2029 -->"]


# -- the map and the relevance ---------------------------------------------------------------------


def test_js_divergence_is_scipys_squared_jensen_shannon_distance():
    rng = np.random.default_rng(0)
    phi = rng.dirichlet(np.full(30, 0.3), size=6)
    expected = np.array([[jensenshannon(p, q) ** 2 for q in phi] for p in phi])
    assert np.allclose(js_divergence(phi), expected, atol=1e-12)


def test_pcoa_recovers_the_distances_of_points_in_a_plane():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(7, 2))
    distances = np.linalg.norm(points[:, None] - points[None], axis=2)
    coords = pcoa(distances)
    assert np.allclose(np.linalg.norm(coords[:, None] - coords[None], axis=2), distances)
    # rotated and shifted points give the same map: only distances count, and the signs are fixed
    turn = np.array([[0.6, -0.8], [0.8, 0.6]])
    moved = points @ turn + 5
    assert np.allclose(pcoa(np.linalg.norm(moved[:, None] - moved[None], axis=2)), coords)


def test_the_topic_map_puts_similar_topics_close():
    phi = np.array([[0.7, 0.2, 0.1, 0.0], [0.65, 0.25, 0.1, 0.0], [0.0, 0.1, 0.2, 0.7]])
    xy = topic_map(phi)
    assert np.linalg.norm(xy[0] - xy[1]) < 0.2 * np.linalg.norm(xy[0] - xy[2])
    assert topic_map(phi[:1]).tolist() == [[0.0, 0.0]]


def test_relevance_ranks_by_probability_at_one_and_by_lift_at_zero():
    phi = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    p_w = np.array([0.3, 0.2, 0.5])
    assert np.argsort(-relevance(phi, p_w, 1.0)[0]).tolist() == [0, 1, 2]
    lift = phi[0] / p_w  # 1.667, 1.5, 0.4
    assert np.argsort(-relevance(phi, p_w, 0.0)[0]).tolist() == np.argsort(-lift).tolist() == [0, 1, 2]
    assert relevance(phi, p_w, 0.6)[1, 2] == pytest.approx(0.6 * np.log(0.8) + 0.4 * np.log(0.8 / 0.5))


# -- the page --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted():
    return seed_fit()


@pytest.fixture(scope="module")
def hostile(fitted):
    """The seed model and units with report text, names and words that try to run script."""
    units, lda, table, prevalence = fitted
    model = copy.deepcopy(lda)
    top = int(np.argmax(model.topic_word_[0]))
    model.vocabulary_[top] = HOSTILE[2]
    model.set_labels({1: HOSTILE[1]})
    units = units.assign(text=[f"{HOSTILE[i % 4]}{t}" for i, t in enumerate(units["text"])],
                         unit=[HOSTILE[(i + 1) % 4] for i in range(len(units))],
                         heading=[HOSTILE[0]] * len(units))
    return units, model, table, prevalence


def data_block(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="govtopics-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_the_page_is_one_self_contained_file_with_a_strict_policy(fitted):
    units, lda, table, prevalence = fitted
    page = explore(lda, units, table, prevalence).to_html()
    assert not re.search(r"(src|href)\s*=", page, re.I)
    assert not re.search(r"https?://|//cdn|@import|url\(", page.replace("http://www.w3.org/2000/svg", ""))
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    csp = html.unescape(csp)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(scripts) == 1 and len(styles) == 1

    def source(code):
        return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"

    assert csp.startswith("default-src 'none'; ")
    assert f"script-src {source(scripts[0])};" in csp and f"style-src {source(styles[0])};" in csp
    assert "img-src data:" in csp and "unsafe" not in csp
    assert "Noto Sans CJK SC" in styles[0] and "Microsoft YaHei" in styles[0] and "PingFang SC" in styles[0]


def test_the_same_inputs_give_the_identical_page(fitted):
    units, lda, table, prevalence = fitted
    first = explore(lda, units, table, prevalence).to_html()
    assert explore(lda, units.sample(frac=1.0, random_state=2), table, prevalence).to_html() == first


def test_the_page_holds_each_topics_map_terms_prevalence_and_passages(fitted):
    units, lda, table, prevalence = fitted
    view = explore(lda, units, table, prevalence, n_passages=4, n_passages_per_year=2, min_tokens=5)
    data = data_block(view.to_html())
    assert [t["label"] for t in data["topics"]] == lda.labels_
    xy = topic_map(lda.topic_word_)
    assert np.allclose([[t["x"], t["y"]] for t in data["topics"]], xy, atol=1e-6)
    theta = table[[f"topic_{k}" for k in range(5)]].to_numpy()
    shares = (table["n_tokens"].to_numpy() @ theta) / table["n_tokens"].sum()
    assert [t["share"] for t in data["topics"]] == pytest.approx(shares.tolist(), rel=1e-5)
    expected = representative_passages(units, table, n=4, min_tokens=5)
    for k, topic in enumerate(data["topics"]):
        overall = [p for p in topic["passages"] if p["scope"] == "all"]
        assert [data["texts"][p["text"]] for p in overall] == expected[expected["topic"] == k]["text"].tolist()
        per_year = [p for p in topic["passages"] if p["scope"] != "all"]
        assert {p["scope"] for p in per_year} == {"2022", "2023", "2024", "2025"}
        assert all(str(p["year"]) == p["scope"] for p in per_year)
        rows = prevalence[prevalence["topic"] == k]
        assert [p["year"] for p in topic["prevalence"]] == rows["year"].tolist()
        assert [p["lo"] for p in topic["prevalence"]] == pytest.approx(rows["ci_low"].tolist(), rel=1e-5)
        top10 = [data["vocab"][i] for i, _ in topic["terms"][:10]]
        assert top10 == lda.top_words(10)[k]


def test_report_text_cannot_leave_the_data_block(hostile):
    units, model, table, prevalence = hostile
    page = explore(model, units, table, prevalence).to_html()
    body = page[page.index('id="govtopics-data">'):]
    data_text = body[len('id="govtopics-data">'):body.index("</script>")]
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in data_text
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "<img" not in page and "<!--" not in page
    data = data_block(page)
    assert data["topics"][1]["label"] == HOSTILE[1]
    assert HOSTILE[2] in data["vocab"]
    assert any(text.startswith(HOSTILE[2]) for text in data["texts"])


def test_the_title_is_escaped(fitted):
    units, lda, table, _ = fitted
    page = explore(lda, units, table, title="</title><script>alert(1)</script>").to_html()
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page


def test_the_notebook_view_is_the_page_in_a_sandboxed_frame(fitted):
    units, lda, table, prevalence = fitted
    view = explore(lda, units, table, prevalence)
    shown = view._repr_html_()
    assert shown.startswith("<iframe srcdoc=\"") and 'sandbox="allow-scripts"' in shown
    srcdoc = re.search(r'srcdoc="([^"]*)"', shown).group(1)
    assert html.unescape(srcdoc) == view.to_html()


# -- the page in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_file(hostile, tmp_path_factory):
    units, model, table, prevalence = hostile
    view = explore(model, units, table, prevalence)
    return view.save(tmp_path_factory.mktemp("explorer") / "explorer.html"), view


def term_order(page):
    return page.locator("#terms li .word").all_inner_texts()


def python_order(view, topic, lam):
    """The page's terms ranked by relevance in Python: the expected order."""
    data = view.data
    terms = data["topics"][topic]["terms"]
    phi = np.array([[p for _, p in terms]])
    p_w = np.array([data["pw"][i] for i, _ in terms])
    order = np.argsort(-relevance(phi, p_w, lam)[0], kind="stable")[: data["n_terms"]]
    return [data["vocab"][terms[i][0]] for i in order]


def test_the_explorer_in_chromium(browser, page_file):
    path, view = page_file
    watched = open_page(browser, path)
    page = watched.page
    k = len(view.data["topics"])
    # one entry per topic, in the list and on the map
    assert page.locator("#topic-list button").count() == k
    assert page.locator("#map circle.dot").count() == k
    assert page.locator("#topic-list button").nth(1).locator(".label").inner_text() == HOSTILE[1]
    # the lambda slider re-ranks the terms, as relevance does in Python
    assert term_order(page) == python_order(view, 0, 0.6)
    page.locator("#lambda").fill("1")
    at_one = term_order(page)
    assert at_one == python_order(view, 0, 1.0)
    page.locator("#lambda").fill("0")
    assert term_order(page) == python_order(view, 0, 0.0) != at_one
    assert page.inner_text("label[for=lambda]") == "λ = 0.00"
    # clicking a topic shows its passages, over all years and per year
    page.click('#topic-list button[data-topic="3"]')
    assert page.inner_text("#topic-title") == f"Topic 3 · {view.data['topics'][3]['label']}"
    expected = [view.data["texts"][p["text"]] for p in view.data["topics"][3]["passages"] if p["scope"] == "all"]
    assert page.locator("#passages .passage").all_inner_texts() == expected
    page.select_option("#passage-scope", "2023")
    metas = page.locator("#passages .meta").all_inner_texts()
    assert metas and all("2023" in m for m in metas)
    page.click('#map circle.dot[data-topic="2"]')
    assert page.get_attribute('#topic-list button[data-topic="2"]', "aria-pressed") == "true"
    assert page.locator("#prevalence circle.point").count() == 4
    # hostile report text is shown as text and runs nothing
    body = page.inner_text("body")
    for text in HOSTILE[:3]:
        assert text in body
    assert page.locator("img").count() == 0 and page.locator("script").count() == 2
    watched.assert_quiet({path.resolve().as_uri()})


def test_the_notebook_view_in_chromium(browser, page_file):
    _, view = page_file
    watched = open_page(browser, html=f"<!DOCTYPE html><html><body>{view._repr_html_()}</body></html>")
    frame = watched.page.frame_locator("iframe")
    assert frame.locator("#topic-list button").count() == len(view.data["topics"])
    frame.locator('#topic-list button[data-topic="4"]').click()
    assert frame.locator("#topic-title").inner_text().startswith("Topic 4")
    watched.assert_quiet({"about:blank", "about:srcdoc"})


def test_any_fitted_model_without_a_prevalence_table(fitted):
    from govtopics.models import NmfTopics

    units = fitted[0]
    nmf = NmfTopics(num_topics=4, no_below=2).fit(list(units["tokens"]))
    data = explore(nmf, units).data
    assert len(data["topics"]) == 4
    assert all(t["prevalence"] == [] for t in data["topics"])
    assert data["prevalence_note"].startswith("No prevalence table")
    assert data["summary"] == f"4 topics · 5 reports · {len(units)} units, 2022–2025"  # every unit with tokens


def test_long_passages_are_cut_and_each_text_is_stored_once(fitted):
    units, lda, table, _ = fitted
    longer = units.assign(text=[t * 20 for t in units["text"]])
    data = explore(lda, longer, table, max_chars=300).data
    assert len(data["texts"]) == len(set(data["texts"]))
    passages = [p for t in data["topics"] for p in t["passages"]]
    assert len(passages) > len(data["texts"])  # the same unit is listed for several topics or years
    full = dict(zip(zip(longer["doc_id"], longer["unit_index"]), longer["text"]))
    for p in passages:
        text = full[p["doc_id"], p["unit_index"]]
        assert p["chars"] == len(text)
        assert data["texts"][p["text"]] == text[:300] + "…"
