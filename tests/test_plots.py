import itertools
import re
import os
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager

from govtopics import plots
from govtopics.plots import (
    PALETTE,
    ciede2000,
    plot_effects,
    plot_groups,
    plot_heatmap,
    plot_k_selection,
    plot_keyness,
    plot_prevalence,
    plot_prevalence_by_part,
    plot_stacked,
    plot_top_words,
    save_figure,
    topic_palette,
    use_cjk_font,
)
from govtopics.structure import PARTS

matplotlib.use("Agg")

# 2023 rests on a single report.
N_REPORTS = {2021: 4, 2022: 6, 2023: 1, 2024: 5, 2025: 7}
YEARS = list(N_REPORTS)
TOPIC_WORDS = {
    "执法·培训·队伍": "执法 培训 队伍 执法人员 资格 考试 证件 行政执法 三项制度 执法监督",
    "普法·宣传·法治文化": "普法 宣传 法治文化 宪法 民法典 宣传周 八五普法 法律明白人 讲座 阵地",
    "复议·诉讼·应诉": "复议 诉讼 应诉 出庭 负责人 案件 败诉 行政复议 行政诉讼 纠错",
    "决策·合法性审查·法律顾问": "决策 合法性审查 法律顾问 重大 规范性文件 备案 审查 程序 公众参与 风险评估",
    "调解·矛盾纠纷·网格员": "调解 矛盾纠纷 网格员 排查 人民调解 化解 枫桥经验 信访 村居 一站式",
    "政务公开·营商环境·放管服改革": "政务公开 营商环境 放管服 审批 信息公开 便民 事项 服务 平台 一网通办",
}
LABELS = list(TOPIC_WORDS)
RISING = "营商环境 习近平法治思想 数字政府 一网通办 法治督察 柔性执法 合规 首违不罚 法律明白人 网格化".split()
FALLING = "放管服 七五普法 扫黑除恶 脱贫攻坚 疫情防控 依法治县 法制 法律援助 集中整治 专项行动".split()
MISSING_GLYPH = r"Glyph \d+ .* missing from font"


def prevalence_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    shares = rng.dirichlet(np.full(len(LABELS), 4.0), size=len(YEARS))
    rows = []
    for (i, year), (topic, label) in itertools.product(enumerate(YEARS), enumerate(LABELS)):
        n, p = N_REPORTS[year], shares[i, topic]
        half = np.nan if n == 1 else p / np.sqrt(3 * n)
        rows.append({
            "topic": topic, "label": label, "year": year, "prevalence": p, "ci_low": max(p - half, 0),
            "ci_high": p + half, "n_reports": n, "n_units": 25 * n, "single_report": n == 1, "weighting": "report",
        })
    return pd.DataFrame(rows)


def long_frame(n_years=80, n_topics=3, first=1943, groups=(None,), gaps=()):
    """Prevalence over many years (a report or more each), optionally by group; ``gaps``: years without reports."""
    rng = np.random.default_rng(2)
    rows = []
    for year in range(first, first + n_years):
        if year in gaps:
            continue
        for group in groups:
            shares = rng.dirichlet(np.full(n_topics, 3.0))
            n = int(rng.integers(1, 40))
            for topic in range(n_topics):
                p = shares[topic]
                rows.append({"topic": topic, "label": f"专题{topic}·执法·普法宣传", "year": year, "prevalence": p,
                             "ci_low": p * 0.8, "ci_high": p * 1.2, "n_reports": n, "single_report": n == 1,
                             "weighting": "tokens", **({"level": group} if group else {})})
    return pd.DataFrame(rows).astype({"year": "Int64"})


def prevalence_by_part_frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for part, year in itertools.product(PARTS, YEARS):
        # The single report of 2023 has no "other" part.
        n = N_REPORTS[year] - (part == "other") * 2
        if n <= 0:
            continue
        for topic, share in enumerate(rng.dirichlet(np.full(len(LABELS), 2.0))):
            rows.append({
                "topic": topic, "label": LABELS[topic], "part": part, "year": year, "prevalence": share,
                "ci_low": share * 0.7, "ci_high": share * 1.3, "n_reports": n,
            })
    return pd.DataFrame(rows)


def topic_words_frame() -> pd.DataFrame:
    return pd.DataFrame([
        {"topic": topic, "label": label, "rank": rank, "word": word, "weight": 0.08 / rank}
        for topic, (label, words) in enumerate(TOPIC_WORDS.items())
        for rank, word in enumerate(words.split(), start=1)
    ])


def keyness_frame() -> pd.DataFrame:
    rows = []
    for sign, terms in ((1, RISING), (-1, FALLING)):
        for i, term in enumerate(terms):
            before, after = (5 + i, 60 - 4 * i) if sign > 0 else (55 - 3 * i, 4 + i)
            rows.append({
                "from": 2022, "to": 2025, "term": term, "direction": "rising" if sign > 0 else "falling",
                "g2": sign * (48.0 - 4 * i), "count_from": before, "count_to": after,
            })
    return pd.DataFrame(rows)


def k_selection_frame() -> pd.DataFrame:
    k = np.arange(4, 17, 2)
    return pd.DataFrame({
        "k": k, "c_npmi": 0.1 - 0.001 * (k - 8) ** 2, "c_v": 0.55 - 0.002 * (k - 9) ** 2,
        "exclusivity": 0.6 + 0.02 * k, "diversity": 1 - 0.02 * k, "stability": 0.8 - 0.003 * (k - 7) ** 2,
    })


FIGURES = {
    "prevalence": (plot_prevalence, prevalence_frame, {}),
    "heatmap": (plot_heatmap, prevalence_frame, {}),
    "stacked": (plot_stacked, prevalence_frame, {}),
    "top_words": (plot_top_words, topic_words_frame, {}),
    "keyness": (plot_keyness, keyness_frame, {}),
    "k_selection": (plot_k_selection, k_selection_frame, {"recommended": 8}),
    "prevalence_by_part": (plot_prevalence_by_part, prevalence_by_part_frame, {}),
}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def drawn(func, *args, **kwargs):
    """Build a figure and draw it, so every glyph is looked up; any warning (a missing glyph above all) fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = func(*args, **kwargs)
        out.figure.canvas.draw()
    return out


def unwrap(text: str) -> str:
    return text.replace("\n", "")


def test_chinese_text_without_the_cjk_style_warns_of_missing_glyphs():
    # The check in `drawn` can fail: matplotlib's own font has no Chinese glyphs.
    with plt.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("执法·培训·队伍")
    with pytest.warns(UserWarning, match=MISSING_GLYPH + r"\(s\) DejaVu Sans"):
        fig.canvas.draw()


@pytest.mark.parametrize("name", FIGURES)
def test_figures_render_chinese_without_warnings(name):
    func, data, kwargs = FIGURES[name]
    drawn(func, data(), **kwargs)


def test_axes_made_outside_the_style_render_chinese():
    _, ax = plt.subplots()
    drawn(plot_heatmap, prevalence_frame(), ax=ax)
    assert [unwrap(t.get_text()) for t in ax.get_yticklabels()] == LABELS


def test_use_cjk_font_registers_only_noto_from_mplfonts():
    family = use_cjk_font()
    assert "Noto" in family
    found = Path(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))
    assert found.name == "NotoSansCJKsc-Regular.otf"
    from_mplfonts = {Path(f.fname).name for f in font_manager.fontManager.ttflist if "mplfonts" in f.fname}
    assert from_mplfonts == {"NotoSansCJKsc-Regular.otf"}  # not SimHei, which mplfonts ships too


def test_without_mplfonts_a_system_cjk_font_is_used(monkeypatch):
    monkeypatch.setattr(plots, "_mplfonts_file", lambda: None)
    system = ["/usr/share/fonts/DejaVuSans.ttf", "/usr/share/fonts/wqy-microhei.ttc", "/usr/share/fonts/SimHei.ttf"]
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: system)
    assert plots._cjk_font_file() == Path(system[1])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: system[:1])
    assert plots._cjk_font_file() is None


def test_import_changes_no_matplotlib_setting():
    code = (
        "import matplotlib, matplotlib.font_manager as fm\n"
        "before, fonts = dict(matplotlib.rcParams), len(fm.fontManager.ttflist)\n"
        "import govtopics.plots\n"
        "assert dict(matplotlib.rcParams) == before, 'rcParams changed'\n"
        "assert len(fm.fontManager.ttflist) == fonts, 'a font was registered'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr


def test_plotting_leaves_rcparams_alone():
    before = dict(matplotlib.rcParams)
    plot_prevalence(prevalence_frame())
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".svg"])
def test_saved_files_are_byte_identical(tmp_path, suffix):
    fig = plot_prevalence(prevalence_frame())
    first = save_figure(fig, tmp_path / "a" / f"fig{suffix}").read_bytes()
    for again in "bc":  # constrained layout would drift a little on each save
        assert save_figure(fig, tmp_path / again / f"fig{suffix}").read_bytes() == first
    rebuilt = save_figure(plot_prevalence(prevalence_frame()), tmp_path / "d" / f"fig{suffix}").read_bytes()
    assert rebuilt == first
    assert matplotlib.__version__.encode() not in first


def test_saving_a_subfigure_layout_twice_is_identical(tmp_path):
    fig = plt.figure(figsize=(9, 4), layout="constrained")
    left, right = fig.subfigures(1, 2)
    plot_k_selection(k_selection_frame(), fig=left, recommended=8)
    plot_heatmap(prevalence_frame(), ax=right.subplots())
    first = save_figure(fig, tmp_path / "a.svg").read_bytes()
    assert save_figure(fig, tmp_path / "b.svg").read_bytes() == first


def test_save_figure_rejects_other_formats(tmp_path):
    with pytest.raises(ValueError, match="png"):
        save_figure(plt.figure(), tmp_path / "fig.jpg")


def strip_of(ax):
    """The count strip under a panel (an inset axes sharing its x axis)."""
    (strip,) = ax.child_axes
    return strip


def visible_ticks(ax):
    lo, hi = ax.get_xlim()
    return [t.get_text() for t, loc in zip(ax.get_xticklabels(), ax.get_xticks()) if lo <= loc <= hi]


def test_prevalence_panels_titles_counts_and_hollow_single_report():
    prev = prevalence_frame()
    fig = drawn(plot_prevalence, prev)
    assert [unwrap(ax.get_title()) for ax in fig.axes] == LABELS
    # The last panel of each column has the strip of reports per year, which carries the year labels.
    ncols = 3
    for i, ax in enumerate(fig.axes):
        if i + ncols >= len(fig.axes):
            strip = strip_of(ax)
            assert [bar.get_height() for bar in strip.patches] == list(N_REPORTS.values())
            assert [bar.get_x() + bar.get_width() / 2 for bar in strip.patches] == YEARS
            assert visible_ticks(strip) == [str(year) for year in YEARS]
        else:
            assert not ax.child_axes
    for ax in fig.axes:
        hollow = [line for line in ax.get_lines() if line.get_markerfacecolor() == "white" and len(line.get_xdata())]
        assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [2023]
    legend = fig.legends[0]
    assert "single report" in [t.get_text() for t in legend.get_texts()]
    assert "each report counts once" in unwrap(legend.get_title().get_text())


def test_prevalence_wraps_long_labels():
    prev = prevalence_frame()
    prev.loc[prev["topic"] == 0, "label"] = "行政执法三项制度落实·执法人员资格管理·执法监督平台建设"
    title = drawn(plot_prevalence, prev).axes[0].get_title()
    assert "\n" in title and all(len(line) <= 12 for line in title.split("\n"))


def test_heatmap_annotations_are_the_rounded_values():
    prev = prevalence_frame()
    ax = drawn(plot_heatmap, prev)
    values = prev.pivot(index="topic", columns="year", values="prevalence")
    assert [t.get_text() for t in ax.texts] == [format(v, ".1%") for v in values.to_numpy().ravel()]
    assert [unwrap(t.get_text()) for t in ax.get_yticklabels()] == LABELS
    assert [bar.get_height() for bar in strip_of(ax).patches] == list(N_REPORTS.values())
    assert len(ax.figure.axes) == 2  # with its colourbar


def test_stacked_bars_sum_per_year_and_legend_sits_outside():
    prev = prevalence_frame()
    ax = drawn(plot_stacked, prev)
    assert len(ax.containers) == len(LABELS)
    tops = np.sum([[bar.get_height() for bar in bars] for bars in ax.containers], axis=0)
    np.testing.assert_allclose(tops, prev.groupby("year")["prevalence"].sum())
    legend = ax.get_legend()
    assert [unwrap(t.get_text()) for t in legend.get_texts()] == LABELS[::-1]
    renderer = ax.figure.canvas.get_renderer()
    assert legend.get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1


def test_top_words_in_rank_order_top_word_on_top():
    words = topic_words_frame()
    fig = drawn(plot_top_words, words, n=5)
    assert len(fig.axes) == len(LABELS)
    for ax, (label, all_words) in zip(fig.axes, TOPIC_WORDS.items()):
        assert unwrap(ax.get_title()) == label
        assert [t.get_text() for t in ax.get_yticklabels()] == all_words.split()[:5]
        bottom, top = ax.get_ylim()
        assert bottom > top


def test_keyness_bars_titles_and_counts():
    keyness = keyness_frame()
    ax = drawn(plot_keyness, keyness, n=4)
    assert ax.get_title() == "2022 → 2025"
    assert [t.get_text() for t in ax.get_yticklabels()] == RISING[:4] + FALLING[:4][::-1]
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == sorted(widths, reverse=True) and widths[3] > 0 > widths[4]
    assert ax.texts[0].get_text() == "5→60"
    with pytest.raises(ValueError, match="pairs of years"):
        plot_keyness(pd.concat([keyness, keyness.assign(to=2024)]))


def test_k_selection_marks_the_recommended_k():
    fig = drawn(plot_k_selection, k_selection_frame(), recommended=8)
    assert len(fig.axes) == 5
    for ax in fig.axes:
        assert any(list(line.get_xdata()) == [8, 8] for line in ax.get_lines())


def test_prevalence_by_part_one_heatmap_per_part():
    prev_part = prevalence_by_part_frame()
    fig = drawn(plot_prevalence_by_part, prev_part)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == list(PARTS)
    other = panels[-1]
    assert [bar.get_height() for bar in strip_of(other).patches][2] == 0  # 2023's single report has no "other"
    assert len(other.texts) == len(LABELS) * (len(YEARS) - 1)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="ci_low"):
        plot_heatmap(prevalence_frame().drop(columns="ci_low"))


# -- figures that scale: years, topics, groups ---------------------------------------------------


def overlapping(texts, renderer):
    """Pairs of non-empty texts whose drawn extents intersect."""
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_visible() and t.get_text()]
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]


@pytest.mark.parametrize("n_years", [2, 5, 30, 80])
def test_year_ticks_are_whole_years_thinned_to_fit(n_years):
    prev = long_frame(n_years=n_years, first=2026 - n_years)
    fig = drawn(plot_prevalence, prev)
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        if not ax.child_axes:
            continue
        strip = strip_of(ax)
        labels = visible_ticks(strip)
        assert labels and all(re.fullmatch(r"\d{4}", label) for label in labels)  # never 2014.0 or 2014.5
        assert len(labels) == n_years if n_years <= 5 else 3 <= len(labels) <= 8
        ticks = [t for t in strip.get_xticklabels() if t.get_text() in labels]
        assert not overlapping(ticks, renderer)
        assert [bar.get_height() for bar in strip.patches] == prev.drop_duplicates("year")["n_reports"].tolist()


def test_a_single_year_gets_exactly_its_tick():
    prev = long_frame(n_years=1, first=2026)
    fig = drawn(plot_prevalence, prev)
    assert visible_ticks(strip_of(fig.axes[-1])) == ["2026"]


def test_years_without_reports_stay_a_gap():
    prev = long_frame(n_years=12, first=2010, gaps={2014, 2015, 2018})
    fig = drawn(plot_prevalence, prev)
    ax = fig.axes[0]
    solid = [line for line in ax.get_lines() if line.get_linestyle() == "-" and len(line.get_xdata()) > 1]
    assert [list(line.get_xdata()) for line in solid] == [[2010, 2011, 2012, 2013], [2016, 2017],
                                                          [2019, 2020, 2021]]
    dotted = [list(line.get_xdata()) for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert dotted == [[2013, 2016], [2017, 2019]]
    assert "years without reports" in [t.get_text() for t in fig.legends[0].get_texts()]
    heat = drawn(plot_heatmap, prev)
    mesh = heat.collections[0]
    assert mesh.get_array().mask.reshape(3, -1)[:, [4, 5, 8]].all()  # blank columns for 2014, 2015, 2018


def test_caption_states_the_weighting():
    prev = long_frame(n_years=6)
    fig = drawn(plot_prevalence, prev)
    assert "each token counts once" in unwrap(fig.legends[0].get_title().get_text())
    ax = drawn(plot_stacked, prevalence_frame())
    assert "each report counts once" in unwrap(ax.get_title(loc="left"))
    assert ax.get_ylabel() == "topic prevalence"


def test_hue_draws_a_line_per_group_and_stacks_the_strip():
    prev = long_frame(n_years=10, groups=("city", "county"))
    fig = drawn(plot_prevalence, prev, hue="level")
    colours = {t.get_text(): h.get_color() for t, h in zip(fig.legends[0].get_texts(), fig.legends[0].legend_handles)
               if t.get_text() in ("city", "county")}
    assert len(set(colours.values())) == 2
    ax = fig.axes[0]
    for level, colour in colours.items():
        lines = [line for line in ax.get_lines() if line.get_color() == colour and line.get_linestyle() == "-"
                 and len(line.get_xdata()) > 1]
        expected = prev[(prev["topic"] == 0) & (prev["level"] == level)]["prevalence"].tolist()
        assert [y for line in lines for y in line.get_ydata()] == expected
    strip = strip_of(fig.axes[-1])
    per_year = prev.drop_duplicates(["year", "level"]).groupby("year")["n_reports"].sum().tolist()
    heights = np.array([bar.get_height() for bar in strip.patches]).reshape(2, -1).sum(axis=0)
    assert heights.tolist() == per_year
    with pytest.raises(ValueError, match="hue"):
        plot_prevalence(prev)


def many_topics(k=40):
    labels = [f"{a}·{b}·{c}" for a, b, c in zip(
        itertools.cycle(["行政执法", "普法宣传", "矛盾纠纷", "法律顾问", "营商环境"]),
        itertools.cycle(["合法性审查", "复议应诉", "网格员", "政务公开", "三项制度", "法治督察", "队伍建设"]),
        [f"重点任务{i}" for i in range(k)])]
    prev = long_frame(n_years=52, n_topics=k, first=1971)
    prev["label"] = prev["topic"].map(dict(enumerate(labels)))
    return prev, labels


def test_the_overlap_check_sees_overlapping_titles():
    with plt.rc_context(plots.style()):
        fig, axes = plt.subplots(1, 2, figsize=(3, 2))
        for ax in axes:
            ax.set_title("行政执法三项制度落实·执法人员资格管理·执法监督平台建设")
        fig.canvas.draw()
    assert overlapping([ax.title for ax in axes], fig.canvas.get_renderer())


def test_topic_labels_never_overlap_with_40_topics():
    prev, labels = many_topics()
    fig = drawn(plot_prevalence, prev)
    renderer = fig.canvas.get_renderer()
    titles = [ax.title for ax in fig.axes]
    assert sorted(unwrap(t.get_text()) for t in titles) == sorted(labels)
    assert not overlapping(titles, renderer)
    heat = drawn(plot_heatmap, prev)
    assert not overlapping(heat.get_yticklabels(), heat.figure.canvas.get_renderer())
    stacked = drawn(plot_stacked, prev)
    legend_texts = stacked.get_legend().get_texts()
    assert len(legend_texts) == 40 and not overlapping(legend_texts, stacked.figure.canvas.get_renderer())
    words = pd.DataFrame([{"topic": t, "label": label, "rank": r, "word": f"词{r}", "weight": 1 / r}
                          for t, label in enumerate(labels) for r in range(1, 6)])
    top = drawn(plot_top_words, words, n=5)
    assert not overlapping([ax.title for ax in top.axes], top.canvas.get_renderer())
    coefs = pd.DataFrame({"topic": range(40), "label": labels, "term": "level[T.county]", "estimate": 0.01,
                          "ci_low": -0.01, "ci_high": 0.03})
    forest = drawn(plot_effects, coefs, "level[T.county]")
    assert not overlapping(forest.get_yticklabels(), forest.figure.canvas.get_renderer())


def lab76(hex_colour):
    """CIELAB (D65) of an sRGB colour, by the textbook formulas, independent of the package's code."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883
    f = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in (x, y, z)]
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_lab_reference_value():
    np.testing.assert_allclose(lab76("#FF0000"), [53.24, 80.09, 67.20], atol=0.05)


def test_palette_of_40_topics_is_distinct_and_never_pale():
    colours = topic_palette(40)
    assert colours[:7] == list(PALETTE) and len(set(colours)) == 40
    assert topic_palette(12) == colours[:12]  # a topic keeps its colour whatever K
    lab = np.array([lab76(c) for c in colours])
    assert (lab[:, 0] >= 29.5).all() and (lab[:, 0] <= 72.5).all()  # neither pale nor near black
    assert (np.hypot(lab[:, 1], lab[:, 2]) >= 29.5).all()  # no greys
    distance = np.linalg.norm(lab[:, None] - lab[None], axis=-1)
    np.fill_diagonal(distance, np.inf)
    assert distance.min() > 15  # CIE76: every pair clearly apart


@pytest.mark.parametrize("lab1, lab2, expected", [
    # Sharma, Wu and Dalal (2005), Table 1, pairs 1, 7, 17 and 25
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
])
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert float(ciede2000(np.array(lab1), np.array(lab2))) == pytest.approx(expected, abs=1e-4)


def test_effects_plot_colours_intervals_that_exclude_zero():
    coefs = pd.DataFrame({"topic": [0, 1, 2], "label": LABELS[:3], "term": "level[T.county]",
                          "estimate": [0.05, -0.04, 0.01], "ci_low": [0.02, -0.07, -0.02],
                          "ci_high": [0.08, -0.01, 0.04], "reference": "city", "cov_type": "cluster(unit)"})
    ax = drawn(plot_effects, coefs, "level[T.county]")
    intervals = [line for line in ax.get_lines() if len(line.get_xdata()) == 2 and line.get_ydata()[0] ==
                 line.get_ydata()[1]]
    assert [tuple(line.get_xdata()) for line in intervals] == [(0.02, 0.08), (-0.07, -0.01), (-0.02, 0.04)]
    colours = [line.get_color() for line in intervals]
    assert colours[0] != colours[1] and colours[2] == "0.55"
    assert "vs city" in ax.get_xlabel() and "cluster(unit)" in unwrap(ax.get_title(loc="left"))
    with pytest.raises(ValueError, match="no term"):
        plot_effects(coefs, "region[T.西部]")


def test_groups_plot_dodges_groups_within_topics():
    rows = [{"topic": t, "label": LABELS[t], "level": level, "prevalence": 0.1 + 0.05 * t + d,
             "ci_low": 0.05 + 0.05 * t + d, "ci_high": 0.15 + 0.05 * t + d, "n_reports": n, "weighting": "report"}
            for t in range(3) for level, d, n in (("city", 0.0, 4), ("county", 0.02, 9))]
    ax = drawn(plot_groups, pd.DataFrame(rows), "level")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["city (4 reports)", "county (9 reports)"]
    assert [unwrap(t.get_text()) for t in ax.get_yticklabels()] == LABELS[:3]
    points = [line for line in ax.get_lines() if line.get_marker() == "o"]
    county = points[1]
    np.testing.assert_allclose(np.asarray(county.get_xdata(), float), [0.12, 0.17, 0.22])
    assert (np.asarray(county.get_ydata(), float) > np.arange(3)).all()  # dodged below the city point of each topic
