import itertools
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
    plot_heatmap,
    plot_k_selection,
    plot_keyness,
    plot_prevalence,
    plot_prevalence_by_part,
    plot_stacked,
    plot_top_words,
    save_figure,
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
            "ci_high": p + half, "n_reports": n, "n_units": 25 * n, "single_report": n == 1,
        })
    return pd.DataFrame(rows)


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


def test_prevalence_panels_titles_counts_and_hollow_single_report():
    prev = prevalence_frame()
    fig = drawn(plot_prevalence, prev)
    assert [unwrap(ax.get_title()) for ax in fig.axes] == LABELS
    # The bottom panel of each column shows the years with the number of reports.
    ticks = [t.get_text() for t in fig.axes[-1].get_xticklabels()]
    assert ticks == [f"{year}\nn={n}" for year, n in N_REPORTS.items()]
    for ax in fig.axes:
        hollow = [line for line in ax.get_lines() if line.get_markerfacecolor() == "white"]
        assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [2023]
    assert "single report" in [t.get_text() for t in fig.legends[0].get_texts()]


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
    assert [t.get_text() for t in ax.get_xticklabels()][2] == "2023\nn=1"
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
    assert [t.get_text() for t in other.get_xticklabels()][2] == "2023\nn=0"
    assert len(other.texts) == len(LABELS) * (len(YEARS) - 1)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="n_reports"):
        plot_heatmap(prevalence_frame().drop(columns="n_reports"))
