"""Figures: topic prevalence over the years and by report part, top words, keyness, choice of K.

Each function takes the tidy DataFrame another stage produces, draws inside the :func:`style`
rc context and returns its Axes or Figure, seaborn style: pass ``ax=`` (``fig=`` for
multi-panel figures, a Figure or SubFigure) to draw into your own. Trend figures give the
number of reports under each year. :func:`save_figure` writes PNG, PDF or SVG files that are
byte-identical from run to run.

Chinese text needs a CJK font: :func:`use_cjk_font` registers Noto Sans CJK SC, shipped by the
``mplfonts`` package under the SIL Open Font License. Importing this module changes no
matplotlib setting.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import cycler, font_manager
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .structure import PARTS

__all__ = [
    "PALETTE",
    "plot_heatmap",
    "plot_k_selection",
    "plot_keyness",
    "plot_prevalence",
    "plot_prevalence_by_part",
    "plot_stacked",
    "plot_term_trends",
    "plot_top_words",
    "save_figure",
    "style",
    "use_cjk_font",
]

# Colour-blind-safe (seaborn's "colorblind"); topic t is always drawn in PALETTE[t % 10].
PALETTE = (
    "#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC", "#CA9161", "#FBAFE4", "#949494", "#ECE133", "#56B4E9",
)
_RISING, _FALLING = PALETTE[3], PALETTE[0]
# mplfonts also ships SimHei, whose licence is not free: never register it.
_MPLFONTS_FILE = "NotoSansCJKsc-Regular.otf"
# File-name fragments of common CJK sans-serif fonts, in order of preference, for when mplfonts is missing.
_SYSTEM_CJK = ("NotoSansCJK", "NotoSansSC", "SourceHanSans", "wqy-microhei", "wqy-zenhei", "msyh", "PingFang")
_COLUMNS = {
    "prevalence": (
        "topic", "label", "year", "prevalence", "ci_low", "ci_high", "n_reports", "n_units", "single_report",
    ),
    "prevalence_by_part": ("topic", "label", "part", "year", "prevalence", "ci_low", "ci_high", "n_reports"),
    "topic_words": ("topic", "label", "rank", "word", "weight"),
    "keyness": ("from", "to", "term", "direction", "g2", "count_from", "count_to"),
    "k_selection": ("k", "c_npmi", "exclusivity", "diversity", "stability"),  # c_v is optional
    "term_trends": ("year", "term", "count", "per_10k", "n_reports"),
}
_METRICS = {
    "c_npmi": "coherence (C_NPMI)",
    "c_v": "coherence (C_V)",
    "exclusivity": "exclusivity",
    "diversity": "topic diversity",
    "stability": "stability",
}
# Saved metadata that changes between runs or matplotlib versions; None drops the entry.
_METADATA: dict[str, dict[str, None]] = {
    ".png": {"Software": None},
    ".pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    ".svg": {"Creator": None, "Date": None},
}

_SAVE_KEYS = ("svg.fonttype", "svg.hashsalt", "pdf.fonttype")

_F = TypeVar("_F", bound=Callable[..., Any])


def _mplfonts_file() -> Path | None:
    # find_spec locates the package without importing it.
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / _MPLFONTS_FILE
    return path if path.is_file() else None


def _cjk_font_file() -> Path | None:
    """The font file to register: mplfonts' Noto Sans CJK SC, else a CJK font of the system."""
    if (path := _mplfonts_file()) is not None:
        return path
    system = sorted(font_manager.findSystemFonts())
    for fragment in _SYSTEM_CJK:
        for name in system:
            if fragment.lower() in Path(name).name.lower():
                return Path(name)
    return None


@functools.cache
def use_cjk_font() -> str:
    """Register a CJK font with matplotlib and return its family name.

    Changes no rcParams: :func:`style` selects the font.

    >>> use_cjk_font()
    'Noto Sans CJK SC'
    """
    path = _cjk_font_file()
    if path is None:
        raise RuntimeError("no CJK font found: pip install mplfonts, or install Noto Sans CJK SC")
    # matplotlib finds fonts through a list it caches on disk (fontlist-v*.json) and does not
    # rebuild when fonts are installed later; addfont puts this file straight into the live list.
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def style() -> dict[str, Any]:
    """The rc settings every figure here is drawn in; use them for your own figures too.

    >>> with plt.rc_context(style()):
    ...     fig, ax = plt.subplots()
    >>> style()["font.family"], style()["axes.unicode_minus"]
    (['Noto Sans CJK SC', 'DejaVu Sans'], False)
    >>> plt.close(fig)
    """
    return {
        # DejaVu Sans, matplotlib's own font, for any sign the CJK font lacks.
        "font.family": [use_cjk_font(), "DejaVu Sans"],
        "axes.unicode_minus": False,  # many CJK fonts lack the U+2212 minus sign
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "figure.titlesize": 11,
        "figure.labelsize": 9,
        "figure.dpi": 150,
        "figure.constrained_layout.use": True,
        "axes.prop_cycle": cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "0.35",
        "axes.linewidth": 0.8,
        "axes.grid": True,
        "axes.axisbelow": True,
        "grid.color": "0.9",
        "grid.linewidth": 0.6,
        "xtick.color": "0.25",
        "ytick.color": "0.25",
        "legend.frameon": False,
        "svg.fonttype": "path",  # glyphs as outlines: the SVG needs no font on the reader's machine
        "svg.hashsalt": "govtopics",  # fixed element ids
        "pdf.fonttype": 3,  # Noto Sans CJK has CFF outlines; matplotlib embeds Type 42 fonts as TrueType
    }


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save as PNG, PDF or SVG (by suffix), byte-identical from run to run; create parent folders.

    >>> import tempfile
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     first = save_figure(fig, Path(tmp) / "a" / "fig.svg").read_bytes()
    ...     again = save_figure(fig, Path(tmp) / "b" / "fig.svg").read_bytes()
    >>> first == again
    True
    >>> plt.close(fig)
    """
    path = Path(path)
    metadata = _METADATA.get(path.suffix.lower())
    if metadata is None:
        raise ValueError(f"cannot save {path.name}: use .png, .pdf or .svg")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Only the settings read at save time: the whole style would re-lay out a figure made without it.
    with _layout_kept(fig), plt.rc_context({key: style()[key] for key in _SAVE_KEYS}):
        fig.savefig(path, metadata=metadata)
    return path


@contextlib.contextmanager
def _layout_kept(fig: Figure) -> Iterator[None]:
    """Put axes and subfigures back where they were.

    Constrained layout is not bitwise idempotent: laying out a figure again moves its parts by ~1e-15,
    enough to change SVG clip ids and PDF coordinates. Restored, an unchanged figure is laid out from
    the same state at every save.
    """
    axes = [(ax, ax.get_position(original=True), ax.get_in_layout()) for ax in fig.findobj(Axes)]
    subfigures = [(sub, sub.bbox_relative.frozen()) for sub in fig.findobj(SubFigure)]
    try:
        yield
    finally:
        for ax, position, in_layout in axes:
            ax.set_position(position)
            ax.set_in_layout(in_layout)  # set_position takes the axes out of the layout
        for sub, bbox in subfigures:
            sub.bbox_relative.set(bbox)


def _styled(func: _F) -> _F:
    """Run a plotting function inside the :func:`style` rc context."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        rc = style()
        with plt.rc_context(rc):
            out = func(*args, **kwargs)
        if isinstance(out, Axes):
            # Tick labels take their font from ticks made with the axes: on axes the caller made, not ours.
            out.tick_params(labelfontfamily=rc["font.family"])
        return out

    return wrapper  # type: ignore[return-value]


def _require(frame: pd.DataFrame, kind: str) -> None:
    missing = [column for column in _COLUMNS[kind] if column not in frame.columns]
    if missing:
        raise ValueError(f"the {kind} frame lacks columns {missing}")


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _wrap(text: str, width: int = 24) -> str:
    """Lines of at most ``width`` columns (a Chinese character takes two), broken after · 、 , / or a space
    where possible.

    >>> print(_wrap("决策·合法性审查·法律顾问", 12))
    决策·
    合法性审查·
    法律顾问
    >>> print(_wrap("行政执法三项制度落实情况", 12))
    行政执法三项
    制度落实情况
    """
    lines, line = [], ""
    for token in re.split(r"(?<=[·、,，/\s])", text):
        if line and _columns(line + token) > width:
            lines.append(line.rstrip())
            line = ""
        line += token
        while _columns(line) > width:  # a token too long for a line of its own
            cut = next(i for i in range(len(line), 0, -1) if _columns(line[:i]) <= width)
            lines.append(line[:cut])
            line = line[cut:]
    return "\n".join([*lines, line] if line else lines)


def _colour(topic: int) -> str:
    return PALETTE[int(topic) % len(PALETTE)]


def _ink(background: Any) -> str:
    """Text colour readable on ``background``."""
    r, g, b = to_rgb(background)
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.55 else "0.15"


def _topics(frame: pd.DataFrame) -> pd.Series:
    """Topic labels indexed by topic number, in topic order."""
    return frame.drop_duplicates("topic").set_index("topic")["label"].sort_index()


def _year_ticks(frame: pd.DataFrame, years: list[int] | None = None) -> tuple[list[int], list[str]]:
    """Years and their tick labels: the year, and under it the number of reports."""
    n = frame.groupby("year")["n_reports"].max()
    if years is not None:
        n = n.reindex(years, fill_value=0)
    return [int(year) for year in n.index], [f"{year}\nn={count}" for year, count in n.items()]


def _topic_year(frame: pd.DataFrame, topics: pd.Series, years: list[int]) -> np.ndarray:
    """Prevalence as a topics-by-years array; NaN where the frame has no row."""
    table = frame.pivot(index="topic", columns="year", values="prevalence")
    return table.reindex(index=topics.index, columns=years).to_numpy(float)


def _panels(fig: Figure | SubFigure, n: int, ncols: int, *, sharex: bool = False, sharey: bool = False) -> list[Axes]:
    """``n`` panels on a grid ``ncols`` wide; the unused cells are removed."""
    grid = fig.subplots(math.ceil(n / ncols), ncols, sharex=sharex, sharey=sharey, squeeze=False).ravel()
    for ax in grid[n:]:
        ax.remove()
    if sharex:  # a panel above a removed cell is the last of its column: it shows the x tick labels
        for ax in grid[max(n - ncols, 0):n]:
            ax.xaxis.set_tick_params(labelbottom=True)
    return list(grid[:n])


def _heatmap(ax: Axes, values: np.ndarray, norm: Normalize, fmt: str) -> QuadMesh:
    """Cells (as vector quads, not an image) with their values written in; row 0 on top."""
    rows, cols = values.shape
    mesh = ax.pcolormesh(
        np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, np.ma.masked_invalid(values), cmap="Blues", norm=norm
    )
    for (i, j), value in np.ndenumerate(values):
        if not np.isnan(value):
            ax.text(j, i, format(value, fmt), ha="center", va="center", fontsize=7, color=_ink(mesh.cmap(norm(value))))
    ax.set_ylim(rows - 0.5, -0.5)
    ax.grid(False)
    ax.spines[:].set_visible(False)
    ax.tick_params(length=0)
    return mesh


@_styled
def plot_prevalence(prev: pd.DataFrame, *, fig: Figure | SubFigure | None = None, ncols: int = 3) -> Figure | SubFigure:
    """Prevalence of each topic over the years, one panel per topic, with its interval as a band.

    A point resting on a single report is hollow; under each year, the number of reports.

    >>> prev = pd.DataFrame({"topic": 0, "label": "执法·培训·队伍", "year": [2024, 2025],
    ...     "prevalence": [0.2, 0.3], "ci_low": [0.1, 0.2], "ci_high": [0.3, 0.4],
    ...     "n_reports": [3, 1], "n_units": [40, 12], "single_report": [False, True]})
    >>> fig = plot_prevalence(prev)
    >>> [ax.get_title() for ax in fig.axes], fig.axes[0].get_xticklabels()[1].get_text()
    (['执法·培训·队伍'], '2025\\nn=1')
    >>> plt.close(fig)
    """
    _require(prev, "prevalence")
    topics = _topics(prev)
    years, ticks = _year_ticks(prev)
    ncols = min(ncols, len(topics))
    if fig is None:
        fig = plt.figure(figsize=(2.4 * ncols, 2.0 * math.ceil(len(topics) / ncols) + 1.0))
    axes = _panels(fig, len(topics), ncols, sharex=True, sharey=True)
    for ax, (topic, label) in zip(axes, topics.items()):
        rows = prev[prev["topic"] == topic].sort_values("year")
        x, y = rows["year"].to_numpy(), rows["prevalence"].to_numpy()
        single = rows["single_report"].to_numpy(bool)
        colour = _colour(topic)
        ax.fill_between(x, rows["ci_low"], rows["ci_high"], color=colour, alpha=0.2, linewidth=0)
        ax.plot(x, y, color=colour, linewidth=1.5)
        ax.plot(x[~single], y[~single], "o", color=colour, markersize=4)
        ax.plot(x[single], y[single], "o", color=colour, markerfacecolor="white", markersize=5, markeredgewidth=1.2)
        ax.set_title(_wrap(label))
    # The panels share both axes: setting one sets all.
    axes[0].set_xticks(years, ticks)
    axes[0].set_xlim(years[0] - 0.4, years[-1] + 0.4)
    axes[0].set_ylim(bottom=0)
    axes[0].yaxis.set_major_formatter(PercentFormatter(1, decimals=0))
    handles = [
        Line2D([], [], color="0.35", marker="o", markersize=4, label="prevalence"),
        Patch(color="0.35", alpha=0.2, linewidth=0, label="confidence interval"),
    ]
    if prev["single_report"].any():
        handles.append(
            Line2D([], [], color="0.35", marker="o", markerfacecolor="white", linestyle="", label="single report")
        )
    fig.legend(handles=handles, loc="outside upper center", ncols=len(handles))
    fig.supxlabel("year (n = number of reports)")
    fig.supylabel("topic prevalence")
    return fig


@_styled
def plot_heatmap(prev: pd.DataFrame, *, ax: Axes | None = None, fmt: str = ".1%") -> Axes:
    """Topics by years, coloured and annotated with prevalence; under each year, the number of reports.

    >>> prev = pd.DataFrame({"topic": 0, "label": "执法·培训·队伍", "year": [2024, 2025],
    ...     "prevalence": [0.2, 0.3], "ci_low": [0.1, 0.2], "ci_high": [0.3, 0.4],
    ...     "n_reports": [3, 1], "n_units": [40, 12], "single_report": [False, True]})
    >>> ax = plot_heatmap(prev)
    >>> [text.get_text() for text in ax.texts]
    ['20.0%', '30.0%']
    >>> plt.close(ax.figure)
    """
    _require(prev, "prevalence")
    topics = _topics(prev)
    years, ticks = _year_ticks(prev)
    values = _topic_year(prev, topics, years)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.6 + 0.7 * len(years), 1.0 + 0.4 * len(topics)))
    mesh = _heatmap(ax, values, Normalize(0, np.nanmax(values)), fmt)
    ax.set_xticks(range(len(years)), ticks)
    ax.set_yticks(range(len(topics)), [_wrap(label) for label in topics])
    ax.set_xlabel("year (n = number of reports)")
    ax.figure.colorbar(mesh, ax=ax, label="topic prevalence", format=PercentFormatter(1, decimals=0), fraction=0.05)
    return ax


@_styled
def plot_term_trends(trends: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Occurrences per 10,000 tokens of chosen terms by year (from ``term_trends``); under each year, n reports.

    >>> trends = pd.DataFrame({"year": [2024, 2025] * 2, "term": ["普法", "普法", "营商环境", "营商环境"],
    ...     "count": [3, 5, 1, 4], "per_10k": [30.0, 41.0, 10.0, 33.0], "n_reports": [1, 2] * 2})
    >>> ax = plot_term_trends(trends)
    >>> [line.get_label() for line in ax.get_lines()]
    ['普法', '营商环境']
    >>> plt.close(ax.figure)
    """
    _require(trends, "term_trends")
    years, ticks = _year_ticks(trends)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 + 0.9 * len(years), 3.6))
    for i, (term, rows) in enumerate(trends.groupby("term", sort=False)):
        rows = rows.sort_values("year")
        ax.plot(rows["year"], rows["per_10k"], marker="o", color=PALETTE[i % len(PALETTE)], label=term)
    ax.set_xticks(years, ticks)
    ax.set_xlabel("year (n = number of reports)")
    ax.set_ylabel("per 10,000 tokens")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax


@_styled
def plot_stacked(prev: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Topic shares of each year as stacked bars, the legend beside the plot, top of the stack first.

    >>> prev = pd.DataFrame({"topic": [0, 1], "label": ["执法·培训", "普法·宣传"], "year": 2025,
    ...     "prevalence": [0.6, 0.4], "ci_low": [0.5, 0.3], "ci_high": [0.7, 0.5],
    ...     "n_reports": 4, "n_units": 80, "single_report": False})
    >>> ax = plot_stacked(prev)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['普法·宣传', '执法·培训']
    >>> plt.close(ax.figure)
    """
    _require(prev, "prevalence")
    topics = _topics(prev)
    years, ticks = _year_ticks(prev)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.6))
    bottom = np.zeros(len(years))
    for (topic, label), share in zip(topics.items(), np.nan_to_num(_topic_year(prev, topics, years))):
        colour = _colour(topic)
        bars = ax.bar(years, share, bottom=bottom, width=0.7, color=colour, edgecolor="white", linewidth=0.5,
                      label=_wrap(label))
        ax.bar_label(bars, [format(s, ".0%") if s >= 0.05 else "" for s in share], label_type="center",
                     fontsize=7, color=_ink(colour))
        bottom += share
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_xticks(years, ticks)
    ax.set_ylim(0, max(1.0, bottom.max()))
    ax.yaxis.set_major_formatter(PercentFormatter(1, decimals=0))
    ax.set_ylabel("share of the year's text")
    ax.set_xlabel("year (n = number of reports)")
    ax.grid(axis="x", visible=False)
    return ax


@_styled
def plot_top_words(
    topic_words: pd.DataFrame, *, fig: Figure | SubFigure | None = None, n: int = 10, ncols: int = 3
) -> Figure | SubFigure:
    """The ``n`` heaviest words of each topic as horizontal bars, one panel per topic, top word on top.

    >>> words = pd.DataFrame({"topic": 0, "label": "普法·宣传", "rank": [1, 2],
    ...     "word": ["普法", "宣传"], "weight": [0.05, 0.03]})
    >>> fig = plot_top_words(words)
    >>> [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    ['普法', '宣传']
    >>> plt.close(fig)
    """
    _require(topic_words, "topic_words")
    topics = _topics(topic_words)
    ncols = min(ncols, len(topics))
    if fig is None:
        fig = plt.figure(figsize=(2.4 * ncols, (0.6 + 0.17 * n) * math.ceil(len(topics) / ncols) + 0.3))
    for ax, (topic, label) in zip(_panels(fig, len(topics), ncols), topics.items()):
        words = topic_words[topic_words["topic"] == topic].nsmallest(n, "rank")
        ax.barh(range(len(words)), words["weight"], height=0.7, color=_colour(topic))
        ax.set_yticks(range(len(words)), words["word"])
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_title(_wrap(label))
        ax.xaxis.set_major_locator(MaxNLocator(3))
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="y", visible=False)
    fig.supxlabel("word weight in topic")
    return fig


@_styled
def plot_keyness(keyness: pd.DataFrame, *, ax: Axes | None = None, n: int = 15) -> Axes:
    """Signed G² of the ``n`` most rising and the ``n`` most falling terms between two years.

    Each bar is labelled with the term's counts in the first and the second year.

    >>> keyness = pd.DataFrame({"from": 2022, "to": 2025, "term": ["营商环境", "普法"],
    ...     "direction": ["rising", "falling"], "g2": [12.5, -8.1], "count_from": [3, 40], "count_to": [30, 9]})
    >>> ax = plot_keyness(keyness)
    >>> ax.get_title(), [text.get_text() for text in ax.texts]
    ('2022 → 2025', ['3→30', '40→9'])
    >>> plt.close(ax.figure)
    """
    _require(keyness, "keyness")
    pairs = keyness[["from", "to"]].drop_duplicates()
    if len(pairs) != 1:
        raise ValueError(f"the keyness frame holds {len(pairs)} pairs of years: plot one pair at a time")
    start, end = (int(year) for year in pairs.iloc[0])
    rows = pd.concat([
        keyness[keyness["direction"] == "rising"].nlargest(n, "g2"),
        keyness[keyness["direction"] == "falling"].nsmallest(n, "g2").iloc[::-1],
    ])
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 1.0 + 0.2 * len(rows)))
    y = np.arange(len(rows))
    g2 = rows["g2"].to_numpy(float)
    ax.barh(y, g2, height=0.7, color=np.where(g2 > 0, _RISING, _FALLING))
    for yi, value, before, after in zip(y, g2, rows["count_from"], rows["count_to"]):
        ax.annotate(f"{before}→{after}", (value, yi), xytext=(3 if value > 0 else -3, 0), textcoords="offset points",
                    ha="left" if value > 0 else "right", va="center", fontsize=7, color="0.35")
    ax.axvline(0, color="0.35", linewidth=0.8)
    ax.margins(x=0.15)
    ax.set_yticks(y, rows["term"])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.set_title(f"{start} → {end}")
    ax.set_xlabel(f"signed G² (bar labels: count in {start}→{end})")
    ax.legend(handles=[Patch(color=_RISING, label=f"more frequent in {end}"),
                       Patch(color=_FALLING, label=f"more frequent in {start}")], loc="lower right")
    return ax


@_styled
def plot_k_selection(
    ksel: pd.DataFrame, *, fig: Figure | SubFigure | None = None, recommended: int | None = None
) -> Figure | SubFigure:
    """Each model-selection metric against the number of topics K, the recommended K marked.

    >>> ksel = pd.DataFrame({"k": [4, 6, 8], "c_npmi": [0.05, 0.08, 0.07], "c_v": [0.5, 0.55, 0.52],
    ...     "exclusivity": [0.7, 0.75, 0.8], "diversity": [0.9, 0.85, 0.8], "stability": [0.6, 0.7, 0.65]})
    >>> fig = plot_k_selection(ksel, recommended=6)
    >>> [ax.get_title() for ax in fig.axes]
    ['coherence (C_NPMI)', 'coherence (C_V)', 'exclusivity', 'topic diversity', 'stability']
    >>> plt.close(fig)
    """
    _require(ksel, "k_selection")
    ksel = ksel.sort_values("k")
    if fig is None:
        fig = plt.figure(figsize=(7.0, 4.4))
    metrics = {column: title for column, title in _METRICS.items() if column in ksel.columns}
    for ax, (column, title) in zip(_panels(fig, len(metrics), 3, sharex=True), metrics.items()):
        ax.plot(ksel["k"], ksel[column], marker="o", markersize=4, color=PALETTE[0])
        if recommended is not None:
            ax.axvline(recommended, color=_RISING, linestyle="--", linewidth=1)
        ax.set_title(title)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if recommended is not None:
        fig.legend(handles=[Line2D([], [], color=_RISING, linestyle="--", label=f"recommended K = {recommended}")],
                   loc="outside upper center")
    fig.supxlabel("number of topics K")
    return fig


@_styled
def plot_prevalence_by_part(
    prev_part: pd.DataFrame, *, fig: Figure | SubFigure | None = None, ncols: int = 3, fmt: str = ".0%"
) -> Figure | SubFigure:
    """Topic prevalence within each report part: a topics-by-years heatmap per part, on one colour scale.

    Parts come in the order of :data:`~govtopics.structure.PARTS`; under each year, the number of
    reports having that part.

    >>> prev_part = pd.DataFrame({"topic": [0, 1, 0, 1], "label": ["执法·培训", "普法·宣传"] * 2,
    ...     "part": ["problems", "problems", "achievements", "achievements"], "year": 2025,
    ...     "prevalence": [0.7, 0.3, 0.4, 0.6], "ci_low": 0.0, "ci_high": 1.0, "n_reports": 3})
    >>> fig = plot_prevalence_by_part(prev_part)
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['achievements', 'problems']
    >>> plt.close(fig)
    """
    _require(prev_part, "prevalence_by_part")
    topics = _topics(prev_part)
    years = sorted(int(year) for year in prev_part["year"].unique())
    present = set(prev_part["part"])
    parts = [part for part in PARTS if part in present] + sorted(present - set(PARTS))
    ncols = min(ncols, len(parts))
    if fig is None:
        width = 1.6 + ncols * (0.4 * len(years) + 0.2) + 0.7
        fig = plt.figure(figsize=(width, (1.0 + 0.32 * len(topics)) * math.ceil(len(parts) / ncols)))
    norm = Normalize(0, prev_part["prevalence"].max())
    axes = _panels(fig, len(parts), ncols, sharey=True)
    for ax, part in zip(axes, parts):
        rows = prev_part[prev_part["part"] == part]
        mesh = _heatmap(ax, _topic_year(rows, topics, years), norm, fmt)
        ax.set_xticks(range(len(years)), _year_ticks(rows, years)[1])
        ax.set_yticks(range(len(topics)), [_wrap(label) for label in topics])
        ax.set_title(part)
    fig.colorbar(mesh, ax=axes, label="topic prevalence within the part", format=PercentFormatter(1, decimals=0),
                 shrink=0.6)
    fig.supxlabel("year (n = number of reports with the part)")
    return fig
