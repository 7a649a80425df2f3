import math

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel

from govtopics.coherence import CoOccurrence, npmi
from govtopics.models import coherence

# Units written in the forms of rule-of-law reports: short token lists, some words shared across themes.
UNITS = [
    ["执法", "培训", "队伍"],
    ["执法", "队伍", "规范", "培训"],
    ["普法", "宣传", "宪法"],
    ["宣传", "普法", "群众", "执法"],
    ["调解", "矛盾纠纷", "群众"],
    ["矛盾纠纷", "调解", "宣传"],
    ["执法", "规范"],
    ["普法", "宪法", "群众"],
]
TOPICS = [["执法", "队伍", "培训", "规范"], ["普法", "宣传", "宪法", "群众"], ["调解", "矛盾纠纷", "群众", "宣传"]]


def test_npmi_matches_a_hand_computation():
    # 执法 in units 0, 1, 3, 6 (4 of 8); 队伍 in 0, 1 (2 of 8); together in 0, 1 (2 of 8).
    # 执法-普法: 执法 4/8, 普法 3/8 (units 2, 3, 7), together only in unit 3 (1/8).
    by_hand_a = math.log((2 / 8) / ((4 / 8) * (2 / 8))) / -math.log(2 / 8)
    by_hand_b = math.log((1 / 8) / ((4 / 8) * (3 / 8))) / -math.log(1 / 8)
    assert npmi([["执法", "队伍"]], UNITS)[0] == pytest.approx(by_hand_a)
    assert npmi([["执法", "普法"]], UNITS)[0] == pytest.approx(by_hand_b)
    # A topic's score is the mean over its unordered pairs.
    assert npmi([["执法", "队伍", "普法"]], UNITS)[0] == pytest.approx(
        np.mean([by_hand_a, by_hand_b, npmi([["队伍", "普法"]], UNITS)[0]]))


def test_npmi_limits():
    assert npmi([["队伍", "宪法"]], UNITS)[0] == -1.0  # never in the same unit
    assert npmi([["甲", "乙"]], [["甲", "乙"], ["甲", "乙"]])[0] == 1.0  # always together
    # A word no unit has: its pairs are undefined and left out; the rest of the topic is scored.
    assert np.isnan(npmi([["执法", "不存在"]], UNITS)[0])
    assert npmi([["执法", "队伍", "不存在"]], UNITS)[0] == pytest.approx(npmi([["执法", "队伍"]], UNITS)[0])
    assert CoOccurrence.from_tokens(UNITS).coverage([["执法", "队伍", "不存在", "没有"]]) == 0.5


def test_npmi_matches_gensim_c_npmi_with_one_window_per_unit():
    # gensim's c_npmi counts sliding windows; a unit shorter than the window is one window, i.e. one context.
    model = CoherenceModel(topics=TOPICS, texts=UNITS, dictionary=Dictionary(UNITS), coherence="c_npmi",
                           topn=4, window_size=20, processes=1)
    assert npmi(TOPICS, UNITS, topn=4) == pytest.approx(model.get_coherence_per_topic(), abs=1e-9)
    assert coherence(TOPICS, UNITS, "c_npmi", topn=4) == pytest.approx(model.get_coherence_per_topic(), abs=1e-9)


def test_substring_contexts_see_words_inside_longer_words():
    texts = ["深入开展法治宣传教育,推进普法工作", "加强行政执法队伍建设", "开展矛盾纠纷排查调解"]
    co = CoOccurrence.from_substrings(texts, ["普法", "宣传", "执法", "调解", "法"])
    assert co.counts(["普法", "宣传", "执法", "调解", "法"]).tolist() == [1, 1, 1, 1, 2]
    assert co.joint(["普法", "宣传"])[0, 1] == 1 and co.joint(["执法", "调解"])[0, 1] == 0


def test_one_matrix_scores_many_topic_sets_as_separate_counts_would():
    co = CoOccurrence.from_tokens(UNITS)
    for topics in (TOPICS, [["执法", "规范", "群众"]], [TOPICS[0][::-1]]):
        assert co.npmi(topics, 4) == pytest.approx(npmi(topics, UNITS, topn=4))
