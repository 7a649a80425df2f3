"""Word- and topic-intrusion tests from a model of the seed reports, their scoring, and Krippendorff's alpha."""

import json
import math
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from _browser import browser, open_page  # noqa: F401  (browser is a fixture)
from _seedmodel import seed_fit

from govtopics import intrusion_test, krippendorff_alpha, score_intrusion

# -- Krippendorff's alpha ------------------------------------------------------------------------


def test_alpha_matches_krippendorffs_worked_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: nominal data,
    # four observers, twelve units, missing values; the paper gives alpha = 0.743.
    n = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    assert round(krippendorff_alpha(data), 3) == 0.743


def test_alpha_matches_a_hand_computation():
    # Items (a,a) (a,b) (b,b) (b,b): coincidences o_aa = 2, o_ab = o_ba = 1, o_bb = 4; n_a = 3, n_b = 5, n = 8.
    # alpha = 1 - (n - 1) * (o_ab + o_ba) / (n^2 - n_a^2 - n_b^2) = 1 - 7 * 2 / (64 - 9 - 25) = 8 / 15.
    assert krippendorff_alpha([["a", "a", "b", "b"], ["a", "b", "b", "b"]]) == pytest.approx(8 / 15)
    # A third coder who coded only the first item (a): item 1 has m = 3 values, its 3 * 2 ordered pairs
    # weigh 1 / (m - 1) each, so o_aa = 3 (was 2); n_a = 4, n_b = 5, n = 9.
    # alpha = 1 - (n - 1) * 2 / (n^2 - n_a^2 - n_b^2) = 1 - 8 * 2 / (81 - 16 - 25) = 0.6.
    assert krippendorff_alpha([["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", None, float("nan"), ""]]) == \
        pytest.approx(0.6)


def test_alpha_is_one_for_full_agreement_and_undefined_without_variation():
    assert krippendorff_alpha([[1, 2, 3, 1], [1, 2, 3, 1]]) == 1.0
    assert math.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, 1]]))
    assert math.isnan(krippendorff_alpha([[1, None], [None, 2]]))  # nothing pairable


# -- building the test ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted():
    return seed_fit()


@pytest.fixture(scope="module")
def itest(fitted):
    units, lda, table, _ = fitted
    return intrusion_test(lda, units, table, n_passages=15, seed=11)


def intruders(itest):
    """The number of each question's intruder option, read from the key."""
    key = itest.key
    return dict(zip(key[key["intruder"]]["item"], key[key["intruder"]]["option"]))


def test_word_questions_hold_a_topics_top_words_and_an_improbable_word_from_another_topic(fitted, itest):
    _, lda, _, _ = fitted
    top5 = lda.top_words(5)
    order = np.argsort(-lda.topic_word_, axis=1, kind="stable")
    word = itest.key[itest.key["task"] == "word"]
    assert sorted(word["topic"].unique()) == [0, 1, 2, 3, 4]
    for (_, topic), group in word.groupby(["item", "topic"]):
        values = group.sort_values("option")["value"].tolist()
        intruder = group[group["intruder"]]["value"].item()
        assert sorted(v for v in values if v != intruder) == sorted(top5[topic])
        assert intruder not in top5[topic]
        assert any(intruder in top5[other] for other in range(5) if other != topic)
        position = list(order[topic]).index(lda.vocabulary_.index(intruder))
        assert position >= 5
        # the intruder is far less probable in this topic than the topic's own top words
        assert group[group["intruder"]]["weight"].item() < 0.5 * group[~group["intruder"]]["weight"].min()


def test_topic_questions_show_a_passages_top_topics_and_one_it_lacks(fitted, itest):
    units, _, table, _ = fitted
    theta = table[[f"topic_{k}" for k in range(5)]].to_numpy()
    topic = itest.key[itest.key["task"] == "topic"]
    assert topic["item"].nunique() == 15
    for item, group in topic.groupby("item"):
        doc_id, index = group["doc_id"].iloc[0], group["unit_index"].iloc[0]
        row = np.flatnonzero((table["doc_id"] == doc_id).to_numpy() & (table["unit_index"] == index).to_numpy())[0]
        assert table["n_tokens"][row] >= 10
        top3 = set(np.argsort(-theta[row])[:3])
        assert set(group[~group["intruder"]]["topic"]) == top3
        intruder = group[group["intruder"]]["topic"].item()
        assert intruder not in top3
        assert theta[row, intruder] < theta[row, list(top3)].min()
        assert group["weight"].tolist() == theta[row, group["topic"].tolist()].tolist()
        sheet_row = itest.sheet[itest.sheet["item"] == item].iloc[0]
        assert sheet_row["text"] == units["text"][row]


def test_the_intruder_is_never_in_a_fixed_position(fitted):
    units, lda, table, _ = fitted
    positions = {"word": Counter(), "topic": Counter()}
    for seed in range(60):
        itest = intrusion_test(lda, units, table, n_passages=5, seed=seed)
        key = itest.key[itest.key["intruder"]]
        for task in ("word", "topic"):
            positions[task].update(key[key["task"] == task]["option"])
    # 300 draws over 6 positions (word) and 4 positions (topic): each position near its share.
    assert sorted(positions["word"]) == [1, 2, 3, 4, 5, 6]
    assert sorted(positions["topic"]) == [1, 2, 3, 4]
    assert all(30 <= n <= 70 for n in positions["word"].values()), positions["word"]
    assert all(50 <= n <= 100 for n in positions["topic"].values()), positions["topic"]


def test_the_same_seed_gives_the_same_test_and_another_seed_another(fitted, itest):
    units, lda, table, _ = fitted
    again = intrusion_test(lda, units, table, n_passages=15, seed=11)
    assert again.sheet.equals(itest.sheet) and again.key.equals(itest.key) and again.sheet_id == itest.sheet_id
    other = intrusion_test(lda, units, table, n_passages=15, seed=12)
    assert other.sheet_id != itest.sheet_id
    assert not other.key["option"][other.key["intruder"]].reset_index(drop=True).equals(
        itest.key["option"][itest.key["intruder"]].reset_index(drop=True))


def test_the_sheet_and_form_give_nothing_away(itest):
    assert set(itest.sheet["answer"]) == {""}
    assert not {"intruder", "weight", "topic"} & set(itest.sheet.columns)
    page = itest.to_html()
    block = re.search(r'<script type="application/json" id="govtopics-data">(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))
    assert set(data) == {"sheet", "title", "items"}
    assert all(set(item) == {"item", "task", "text", "options"} for item in data["items"])
    assert [item["item"] for item in data["items"]] == itest.sheet["item"].tolist()


# -- scoring -------------------------------------------------------------------------------------


def answers_of(itest, choose, coder):
    """A coder's answers: ``choose(item, intruder_option, n_options)`` gives the option number."""
    key = intruders(itest)
    sizes = itest.key.groupby("item").size()
    return pd.DataFrame({"coder": coder, "item": list(key),
                         "answer": [str(choose(item, key[item], sizes[item])) for item in key]})


def chance_tlo(itest):
    """What a coder guessing at random gets on average, worked out from the key's proportions."""
    key = itest.key[itest.key["task"] == "topic"]
    per_item = []
    for _, group in key.groupby("item"):
        intruder = group[group["intruder"]]["weight"].item()
        per_item.append(np.mean([math.log(intruder) - math.log(w) for w in group["weight"]]))
    return float(np.mean(per_item))


def test_a_perfect_coder_scores_one_and_zero_log_odds(itest):
    perfect = [answers_of(itest, lambda item, right, n: right, coder) for coder in ("A", "B")]
    scores = score_intrusion(itest.key, perfect)
    assert scores.value("model_precision") == 1.0
    assert scores.value("topic_log_odds") == 0.0
    assert scores.value("alpha_word") == 1.0 and scores.value("alpha_topic") == 1.0
    assert (scores.by_topic["precision"] == 1.0).all() and len(scores.by_topic) == 5
    assert len(scores.by_passage) == 15 and (scores.by_passage["tlo"] == 0.0).all()


def test_random_coders_score_near_chance_and_do_not_agree(itest):
    rng = np.random.default_rng(5)
    coders = [answers_of(itest, lambda item, right, n: int(rng.integers(1, n + 1)), f"monkey {i}") for i in range(300)]
    scores = score_intrusion(itest.key, coders)
    summary = scores.summary.set_index("measure")
    assert summary.at["model_precision", "chance"] == pytest.approx(1 / 6)
    assert scores.value("model_precision") == pytest.approx(1 / 6, abs=0.03)
    assert summary.at["topic_log_odds", "chance"] == pytest.approx(chance_tlo(itest))
    assert scores.value("topic_log_odds") == pytest.approx(chance_tlo(itest), abs=0.15)
    assert chance_tlo(itest) < -1.0  # the passages' top topics are far more probable than the intruders
    assert abs(scores.value("alpha_word")) < 0.03 and abs(scores.value("alpha_topic")) < 0.03
    assert summary.at["model_precision", "n_coders"] == 300


def test_a_coder_who_misses_one_word_intruder(itest):
    missed = next(i for i in intruders(itest) if i.startswith("W"))
    answers = answers_of(itest, lambda item, right, n: right % n + 1 if item == missed else right, "C")
    scores = score_intrusion(itest.key, answers)
    assert scores.value("model_precision") == pytest.approx(4 / 5)
    topic = itest.key[(itest.key["item"] == missed) & itest.key["intruder"]]["topic"].item()
    assert scores.by_topic.set_index("topic").at[topic, "precision"] == 0.0
    assert math.isnan(scores.value("alpha_word"))  # one coder: no agreement to measure


def test_answers_round_trip_through_the_written_files(itest, tmp_path):
    paths = itest.write(tmp_path)
    names = ["intrusion_key.csv", "intrusion_sheet.csv", "intrusion_sheet.html"]
    assert sorted(p.name for p in paths.values()) == names
    sheet = pd.read_csv(paths["sheet"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert sheet["item"].tolist() == itest.sheet["item"].tolist()
    right = intruders(itest)
    sheet["answer"] = [str(right[i]) for i in sheet["item"]]
    sheet.to_csv(tmp_path / "coder_li.csv", index=False)
    # by text for one coder: the chosen option's exact words
    by_text = itest.key[itest.key["intruder"]][["item", "value"]].rename(columns={"value": "answer"})
    by_text.to_csv(tmp_path / "coder_wang.csv", index=False)
    scores = score_intrusion(paths["key"], [tmp_path / "coder_li.csv", tmp_path / "coder_wang.csv"])
    assert scores.value("model_precision") == 1.0 and scores.value("topic_log_odds") == 0.0
    assert sorted(scores.by_coder["coder"].unique()) == ["coder_li", "coder_wang"]


def test_scoring_refuses_answers_it_cannot_trust(itest):
    good = answers_of(itest, lambda item, right, n: right, "A")
    with pytest.raises(ValueError, match="do not match this key"):
        score_intrusion(itest.key, good.assign(sheet="0123456789ab"))
    with pytest.raises(ValueError, match="more than once"):
        score_intrusion(itest.key, pd.concat([good, good.iloc[:1]]))
    with pytest.raises(ValueError, match="not in the key"):
        score_intrusion(itest.key, pd.concat([good, pd.DataFrame({"coder": ["A"], "item": ["W99"], "answer": ["1"]})]))
    with pytest.raises(ValueError, match="option 7 does not exist"):
        score_intrusion(itest.key, good.assign(answer="7"))
    blank = good.assign(answer=["" if i.startswith("T") else a for i, a in zip(good["item"], good["answer"])])
    scores = score_intrusion(itest.key, blank)
    assert scores.value("model_precision") == 1.0 and math.isnan(scores.value("topic_log_odds"))


def test_intrusion_tests_need_enough_topics(fitted):
    units, lda, table, _ = fitted
    with pytest.raises(ValueError, match="more than n_top_topics=5"):
        intrusion_test(lda, units, table, n_top_topics=5)
    with pytest.raises(ValueError, match="topics="):
        intrusion_test(lda, units)
    word_only = intrusion_test(lda)
    assert set(word_only.sheet["task"]) == {"word"}


# -- the form in a real browser -------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>",
           "<!-- \u2028 \u2029"]


def test_a_coder_answers_in_the_form_and_the_download_scores(browser, fitted, tmp_path):
    units, lda, table, _ = fitted
    hostile = units.assign(text=[f"{HOSTILE[i % 4]}{t}" for i, t in enumerate(units["text"])])
    itest = intrusion_test(lda, hostile, table, n_passages=6, seed=3)
    paths = itest.write(tmp_path)
    watched = open_page(browser, paths["form"])
    page = watched.page
    assert page.locator("section.item").count() == len(itest.sheet)
    shown = page.locator("blockquote.passage-text").all_inner_texts()
    assert shown == itest.sheet[itest.sheet["task"] == "topic"]["text"].tolist()
    assert any("<script>alert(1)</script>" in text for text in shown)
    assert page.locator("img").count() == 0
    page.click("#download")  # no name yet: a message, no download
    assert "name" in page.inner_text("#message")
    for item, option in intruders(itest).items():
        page.check(f'input[name="answer-{item}"][value="{option}"]')
    assert page.inner_text("#progress") == f"{len(itest.sheet)} of {len(itest.sheet)} answered"
    page.fill("#coder", "张三")
    with page.expect_download() as download:
        page.click("#download")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"answers_{itest.sheet_id}_张三.csv"
    scores = score_intrusion(paths["key"], saved)
    assert scores.value("model_precision") == 1.0 and scores.value("topic_log_odds") == 0.0
    assert scores.by_coder["coder"].unique().tolist() == ["张三"]
    watched.assert_quiet({paths["form"].resolve().as_uri()})


def test_a_passage_without_a_topic_less_probable_than_its_top_three_is_not_asked(fitted):
    _, lda, _, _ = fitted
    units = pd.DataFrame({"doc_id": ["a", "b", "c"], "unit_index": [0, 0, 0], "text": ["甲", "乙", "丙"],
                          "n_tokens": [40, 40, 40]})
    theta = np.array([[0.96, 0.01, 0.01, 0.01, 0.01],    # its 3rd topic is as improbable as its last
                      [0.5, 0.3, 0.1, 0.06, 0.04],       # intruder: topic 3 or 4
                      [0.2, 0.2, 0.2, 0.2, 0.2]])        # no order at all
    test = intrusion_test(lda, units, theta, n_passages=5, seed=1)
    topic = test.key[test.key["task"] == "topic"]
    assert topic["doc_id"].unique().tolist() == ["b"]
    assert topic[topic["intruder"]]["topic"].item() in (3, 4)
    with pytest.raises(ValueError, match="more probable than its least probable"):
        intrusion_test(lda, units.iloc[[0, 2]], theta[[0, 2]])
