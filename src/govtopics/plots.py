"""Figures: topic prevalence over the years, by group and by report part, effects, top words, keyness, choice of K.

Each function takes the tidy DataFrame another stage produces, draws inside the :func:`style`
rc context and returns its Axes or Figure, seaborn style: pass ``ax=`` (``fig=`` for
multi-panel figures, a Figure or SubFigure) to draw into your own. :func:`save_figure` writes
PNG, PDF or SVG files that are byte-identical from run to run.

Made to stay readable from 2 to 80 years and from 2 to 40 topics: years are a numeric axis with
thinned ticks (a gap in the reports stays a gap), the number of reports per year is a small bar
strip under the axis, topic colours come from :func:`topic_palette` (distinct, never pale, the
same colour for a topic whatever K), panels wrap, and labels are wrapped to the room they have.
Captions say how prevalence was weighted and what the intervals are.

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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import cycler, font_manager
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import Normalize, to_hex, to_rgb
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter, MaxNLocator, MultipleLocator, PercentFormatter, StrMethodFormatter

from .structure import PARTS

__all__ = [
    "PALETTE",
    "ciede2000",
    "plot_effects",
    "plot_expected",
    "plot_groups",
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
    "topic_palette",
    "use_cjk_font",
]

# seaborn's colour-blind-safe "colorblind" palette without its pale pink, grey and yellow: the
# first seven topic colours. topic_palette extends it.
PALETTE = ("#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC", "#CA9161", "#56B4E9")
_RISING, _FALLING = PALETTE[3], PALETTE[0]
# Topic colours stay between these CIELAB lightnesses (readable on white, never pale) and above this chroma.
_LIGHTNESS, _MIN_CHROMA = (30.0, 72.0), 30.0
# mplfonts also ships SimHei, whose licence is not free: never register it.
_MPLFONTS_FILE = "NotoSansCJKsc-Regular.otf"
# File-name fragments of common CJK sans-serif fonts, in order of preference, for when mplfonts is missing.
_SYSTEM_CJK = ("NotoSansCJK", "NotoSansSC", "SourceHanSans", "wqy-microhei", "wqy-zenhei", "msyh", "PingFang")
_COLUMNS = {
    "prevalence": ("topic", "label", "prevalence", "ci_low", "ci_high"),
    "prevalence_by_part": ("topic", "label", "part", "year", "prevalence", "ci_low", "ci_high", "n_reports"),
    "effects": ("topic", "label", "term", "estimate", "ci_low", "ci_high"),
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


def _lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (..., 3) in [0, 1] to CIELAB under D65."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _SRGB_TO_XYZ.T / _D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


_SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                         [0.0193339, 0.1191920, 0.9503041]])
_D65 = np.array([0.95047, 1.0, 1.08883])


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference of CIELAB colours (broadcasting over leading axes).

    Sharma, Wu and Dalal (2005), "The CIEDE2000 color-difference formula: implementation notes",
    whose test pairs this reproduces:

    >>> float(ciede2000(np.array([50.0, 2.6772, -79.7751]), np.array([50.0, 0.0, -82.7485]))).__round__(4)
    2.0425
    """
    l1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=float), -1, 0)
    l2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=float), -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    dhh = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, c_bar_p = (l1 + l2) / 2, (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_bar = np.where(np.abs(h1p - h2p) > 180, np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2), h_sum / 2)
    h_bar = np.where(c1p * c2p == 0, h_sum, h_bar)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    sl = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    sc, sh = 1 + 0.045 * c_bar_p, 1 + 0.015 * c_bar_p * t
    rt = (-2 * np.sqrt(c_bar_p**7 / (c_bar_p**7 + 25.0**7))
          * np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2)))))
    return np.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh))


@functools.cache
def _candidates() -> tuple[np.ndarray, np.ndarray]:
    """sRGB colours on a 1/23 grid within the topic lightness and chroma limits, and their CIELAB values."""
    levels = np.linspace(0, 1, 24)
    rgb = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    lab = _lab(rgb)
    keep = (lab[:, 0] >= _LIGHTNESS[0]) & (lab[:, 0] <= _LIGHTNESS[1]) & (np.hypot(lab[:, 1], lab[:, 2]) >= _MIN_CHROMA)
    return rgb[keep], lab[keep]


_PALETTE_CHUNK = 48


@functools.cache
def _palette(n: int) -> tuple[str, ...]:
    """The first ``n`` topic colours, computed a chunk at a time (greedy choice: every palette is a prefix of longer ones)."""
    size = max(len(PALETTE), _PALETTE_CHUNK * math.ceil(n / _PALETTE_CHUNK))
    if n < size:
        return _palette(size)[:n]
    rgb, lab = _candidates()
    colours = list(PALETTE)
    chosen = _lab(np.array([to_rgb(c) for c in colours]))
    distance = ciede2000(lab[:, None, :], chosen[None, :, :]).min(axis=1)
    while len(colours) < size:
        best = int(np.argmax(distance))  # ties: the first on the grid, so the choice is deterministic
        colours.append(to_hex(rgb[best]).upper())
        distance = np.minimum(distance, ciede2000(lab, lab[best]))
    return tuple(colours)


def topic_palette(n: int) -> list[str]:
    """``n`` topic colours: :data:`PALETTE`, then each next colour the one farthest (CIEDE2000) from all before it.

    Candidates are sRGB colours of CIELAB lightness 30-72 and chroma >= 30, so no colour is pale
    or grey. Topic t gets the same colour whatever ``n``: the palette only grows at its end.

    >>> topic_palette(9)[:7] == list(PALETTE), len(set(topic_palette(40)))
    (True, 40)
    """
    return list(_palette(int(n)))


def _colour(topic: int) -> str:
    return _palette(int(topic) + 1)[int(topic)]


def _ink(background: Any) -> str:
    """Text colour readable on ``background``."""
    r, g, b = to_rgb(background)
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.55 else "0.15"


def _topics(frame: pd.DataFrame) -> pd.Series:
    """Topic labels indexed by topic number, in topic order."""
    return frame.drop_duplicates("topic").set_index("topic")["label"].sort_index()


# -- layout helpers ---------------------------------------------------------------------------

_PANEL = (2.3, 1.55)  # inches of one facet
_TITLE_COLUMNS_PER_INCH = 12.5  # columns (a Chinese character takes two) of a 10-point title per inch of panel
_LABEL_COLUMNS_PER_INCH = 15.0  # the same for 8-point tick labels


def _root(artist: Any) -> Figure:
    return artist.get_figure(root=True)


def _inches(ax: Axes) -> tuple[float, float]:
    """The axes' size in inches as laid out now (before a constrained layout moves it a little)."""
    box = ax.get_window_extent()
    dpi = _root(ax).dpi
    return box.width / dpi, box.height / dpi


def _auto_cols(n: int) -> int:
    """Columns of facets for ``n`` panels: all in a row up to 3, a square for 4, then 3 to 5 wide, leaving the
    fewest empty cells (4 wide preferred up to 16 panels, 5 beyond).

    >>> [_auto_cols(n) for n in (2, 4, 6, 7, 10, 12, 13, 40)]
    [2, 2, 3, 4, 5, 4, 3, 5]
    """
    if n <= 4:
        return 2 if n == 4 else n
    order = (4, 3, 5) if n <= 16 else (5, 4)
    return min(order, key=lambda cols: -n % cols)


def _panels(fig: Figure | SubFigure, n: int, ncols: int, *, sharex: bool = False, sharey: bool = False) -> list[Axes]:
    """``n`` panels on a grid ``ncols`` wide; the unused cells are removed."""
    grid = fig.subplots(math.ceil(n / ncols), ncols, sharex=sharex, sharey=sharey, squeeze=False).ravel()
    for ax in grid[n:]:
        ax.remove()
    if sharex:  # a panel above a removed cell is the last of its column: it shows the x tick labels
        for ax in grid[max(n - ncols, 0):n]:
            ax.xaxis.set_tick_params(labelbottom=True)
    return list(grid[:n])


def _bottom_of_column(i: int, n: int, ncols: int) -> bool:
    return i + ncols >= n


def _years(frame: pd.DataFrame, column: str = "year") -> list[int]:
    return sorted(int(year) for year in frame[column].dropna().unique())


def _year_axis(ax: Axes, years: Sequence[int], width: float | None = None) -> None:
    """Years on a numeric axis: limits with half a year of margin, whole-year ticks thinned to the room there is."""
    lo, hi = min(years), max(years)
    width = _inches(ax)[0] if width is None else width
    ax.set_xlim(lo - 0.6, hi + 0.6)
    nbins = max(1, int(width / 0.4))  # a label "2024" takes about 0.3 inch
    if hi - lo < nbins:
        ax.set_xticks(range(lo, hi + 1))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins, integer=True, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
    if 1 < hi - lo <= 30:
        ax.xaxis.set_minor_locator(MultipleLocator(1))
        ax.tick_params(axis="x", which="minor", length=1.5)


def _count_strip(ax: Axes, counts: pd.DataFrame, colours: Sequence[str], *, label: bool = True,
                 height: float = 0.3) -> Axes:
    """A small bar strip under ``ax`` (sharing its x axis) with the number of reports per year.

    ``counts``: index years, one column per group (stacked). The year tick labels move from
    ``ax`` to the strip.
    """
    panel = max(_inches(ax)[1], 0.5)
    frac = min(max(height / panel, 0.05), 0.35)
    strip = ax.inset_axes((0, -(frac + 0.06 / panel), 1, frac), sharex=ax)
    bottom = np.zeros(len(counts))
    years = counts.index.to_numpy(dtype=float)
    for column, colour in zip(counts.columns, colours):
        values = counts[column].to_numpy(dtype=float)
        strip.bar(years, values, bottom=bottom, width=0.8, color=colour, linewidth=0)
        bottom += values
    top = int(bottom.max()) if len(bottom) else 0
    strip.set_yscale("function", functions=(np.sqrt, np.square))  # a year of 1 report stays visible beside 300
    strip.set_ylim(0, max(top, 1) * 1.08)
    strip.set_yticks([top], [str(top)])
    strip.tick_params(axis="y", length=2, labelsize=7)
    for text in strip.get_yticklabels():
        text.set_verticalalignment("top")  # hangs inside the strip, clear of the panel's lowest tick label
    strip.grid(False)
    if label:
        strip.set_ylabel("reports", rotation=0, ha="right", va="center", fontsize=7)
    ax.tick_params(axis="x", labelbottom=False)
    return strip


def _report_counts(frame: pd.DataFrame, hue: str | None = None, x: str = "year") -> pd.DataFrame | None:
    """Reports per year (columns: the hue groups, or one column), from the frame's ``n_reports``."""
    if "n_reports" not in frame.columns:
        return None
    keys = [x, hue] if hue else [x]
    counts = frame.drop_duplicates(keys).set_index(keys)["n_reports"]
    counts = counts.unstack(hue) if hue else counts.to_frame()
    years = _years(frame, x)
    return counts.reindex(range(years[0], years[-1] + 1)).fillna(0)


def _caption(frame: pd.DataFrame, *, strip: bool, interval: str | None = "band") -> str:
    """What the figure shows: the weighting of prevalence, what its interval (drawn as ``interval``) is, the bars."""
    level = f"{frame.attrs.get('level', 0.95):.0%}"
    if frame.attrs.get("kind") == "expected":
        text = (f"Expected prevalence from the regression on {frame.attrs.get('formula', 'the covariates')} "
                "(each report counts once)")
        how = "over draws from the topic posterior (method of composition)"
    else:
        weighting = frame["weighting"].iloc[0] if "weighting" in frame.columns else frame.attrs.get("weighting")
        text = f"Prevalence: {_WEIGHTING.get(weighting, 'weighting not stated')}"
        how = "(bootstrap of reports, then of their units, with draws from the topic posterior)"
    text += f"; {interval}: {level} interval {how}." if interval else "."
    if interval and frame.attrs.get("kind") != "expected" and "n_reports" in frame.columns and len(frame) and (
            frame["n_reports"] == 1).all():
        text += " Every point rests on a single report: its interval shows only how its paragraphs vary."
    return text + (" Bars: reports per year (square-root scale)." if strip else "")


_WEIGHTING = {
    "report": "each report counts once (the mean of its units, weighted by their tokens)",
    "tokens": "each token counts once (long reports weigh more)",
}


def _figure_width(fig: Figure | SubFigure) -> float:
    return fig.get_figwidth() if isinstance(fig, Figure) else _root(fig).get_figwidth() * fig.bbox_relative.width


def _figure_legend(fig: Figure | SubFigure, handles: list[Any], caption: str) -> None:
    """The legend above the panels, with the caption as its title (a suptitle would collide with it)."""
    width = _figure_width(fig)
    legend = fig.legend(handles=handles, loc="outside upper center", ncols=min(len(handles), 6),
                        title=_wrap(caption, max(40, int(width * 15))), title_fontsize=8)
    legend.get_title().set_color("0.3")


def _axes_caption(ax: Axes, text: str) -> None:
    ax.set_title(_wrap(text, max(40, int(_inches(ax)[0] * 17))), loc="left", fontsize=7.5, color="0.3")


def _runs(years: np.ndarray) -> list[np.ndarray]:
    """Index runs of consecutive years."""
    breaks = np.flatnonzero(np.diff(years) > 1) + 1
    return np.split(np.arange(len(years)), breaks)


def _series(ax: Axes, rows: pd.DataFrame, colour: str, *, markers: bool, band: bool = True,
            y: str = "prevalence") -> tuple[bool, bool]:
    """One line over the years: solid within runs of consecutive years, dotted across gaps; a band (or, for a
    year alone, an error bar) for the interval. Returns whether a single-report point and a gap were drawn."""
    rows = rows.sort_values("year")
    x = rows["year"].to_numpy(dtype=float)
    values = rows[y].to_numpy(dtype=float)
    single = rows["single_report"].to_numpy(bool) if "single_report" in rows.columns else np.zeros(len(rows), bool)
    runs = _runs(x)
    for run in runs:
        if band and len(run) > 1:
            ax.fill_between(x[run], rows["ci_low"].to_numpy(float)[run], rows["ci_high"].to_numpy(float)[run],
                            color=colour, alpha=0.2, linewidth=0)
        elif band:
            low, high = rows["ci_low"].to_numpy(float)[run], rows["ci_high"].to_numpy(float)[run]
            ax.errorbar(x[run], values[run], yerr=[values[run] - low, high - values[run]], color=colour,
                        linewidth=1.0, capsize=0)
        ax.plot(x[run], values[run], color=colour, linewidth=1.4)
    for before, after in zip(runs, runs[1:]):
        ax.plot(x[[before[-1], after[0]]], values[[before[-1], after[0]]], color=colour, linewidth=0.8,
                linestyle=":")
    alone = np.isin(np.arange(len(x)), [run[0] for run in runs if len(run) == 1])
    show = np.ones(len(x), bool) if markers else alone
    ax.plot(x[show & ~single], values[show & ~single], "o", color=colour, markersize=3.5)
    ax.plot(x[show & single], values[show & single], "o", color=colour, markerfacecolor="white", markersize=4,
            markeredgewidth=1.1)
    return bool((show & single).any()), len(runs) > 1


class _Percent(Formatter):
    """Percent tick labels with as few decimals as the ticks need (0%, 2.5%, 5%; never 0%, 0%, 1%)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        ticks = np.asarray(self.axis.get_majorticklocs() if self.axis is not None else [x], dtype=float) * 100
        decimals = next((d for d in range(4) if np.allclose(ticks, np.round(ticks, d), atol=1e-9)), 3)
        return f"{x * 100:.{decimals}f}%"


def _value_limits(rows: pd.DataFrame) -> tuple[float, float]:
    """From zero (or below it: a regression's expected values may dip there) to the top of the intervals."""
    low = min(0.0, float(np.nanmin(rows[["prevalence", "ci_low"]].to_numpy(float))))
    high = float(np.nanmax(rows[["prevalence", "ci_high"]].to_numpy(float)))
    pad = 0.05 * (high - low) if high > low else 0.01
    return low - (pad if low < 0 else 0.0), high + pad


def _hue_colours(values: Sequence[Any]) -> dict[Any, str]:
    return dict(zip(values, topic_palette(len(values))))


def _check_one_row(frame: pd.DataFrame, keys: list[str], hue_hint: str = "hue") -> None:
    if frame.duplicated(keys).any():
        others = [c for c in frame.columns if c not in (*keys, "label", "weighting")
                  and (frame[c].dtype == object or isinstance(frame[c].dtype, (pd.CategoricalDtype, pd.StringDtype)))]
        raise ValueError(f"several rows per {' and '.join(keys)}: pass {hue_hint}= one of {others}")


# -- prevalence ------------------------------------------------------------------------------


@_styled
def plot_prevalence(
    prev: pd.DataFrame, *, fig: Figure | SubFigure | None = None, ncols: int | None = None, hue: str | None = None,
    sharey: bool | None = None,
) -> Figure | SubFigure:
    """Prevalence of each topic over the years, one panel per topic (wrapping), its interval as a band.

    Draws :func:`~govtopics.trends.topic_prevalence` tables and
    :meth:`~govtopics.effects.TopicEffects.expected` grids. ``hue`` names a column (e.g.
    ``"level"``) drawn as one line per value. Within a run of consecutive years the line is
    solid; across years without reports it is dotted, and a year alone gets an error bar.
    Points rest on a single report where hollow (drawn when there are at most 30 years).
    Under the panels, the number of reports per year; above them, a caption with the weighting.
    ``sharey=None`` shares the y axis unless a quarter of the topics never reach a quarter of
    the highest one's peak (one topic at 90% would flatten the others).

    >>> prev = pd.DataFrame({"topic": 0, "label": "执法·培训·队伍", "year": [2024, 2025],
    ...     "prevalence": [0.2, 0.3], "ci_low": [0.1, 0.2], "ci_high": [0.3, 0.4],
    ...     "n_reports": [3, 1], "single_report": [False, True], "weighting": "report"})
    >>> fig = plot_prevalence(prev)
    >>> [ax.get_title() for ax in fig.axes[:1]], fig.legends[0].get_title().get_text()[:40]
    (['执法·培训·队伍'], 'Prevalence: each report counts once (the')
    >>> plt.close(fig)
    """
    _require(prev, "prevalence")
    if "year" not in prev.columns:
        raise ValueError("the frame has no year column: plot groups with plot_groups or plot_heatmap(x=...)")
    _check_one_row(prev, ["topic", "year", *([hue] if hue else [])])
    prev = prev[prev["year"].notna()]
    topics = _topics(prev)
    years = _years(prev)
    ncols = min(ncols or _auto_cols(len(topics)), len(topics))
    nrows = math.ceil(len(topics) / ncols)
    if fig is None:
        fig = plt.figure(figsize=(_PANEL[0] * ncols + 0.9, _PANEL[1] * nrows + 1.6))
    if sharey is None:  # shared unless a quarter of the topics would stay below a quarter of the height
        tops = prev.groupby("topic")["prevalence"].max()
        sharey = bool(tops.quantile(0.25) >= tops.max() / 4)
    axes = _panels(fig, len(topics), ncols, sharex=True, sharey=sharey)
    panel_width = _figure_width(fig) / ncols - 0.45  # less the tick labels' room
    groups = sorted(prev[hue].dropna().unique()) if hue else [None]
    colours = _hue_colours(groups) if hue else {}
    markers = len(years) <= 30
    single_drawn = gap_drawn = False
    for ax in axes:  # limits are set below: autoscaling 40 shared axes after every artist is quadratic
        ax.set_autoscale_on(False)
    for ax, (topic, label) in zip(axes, topics.items()):
        rows = prev[prev["topic"] == topic]
        for group in groups:
            part = rows if group is None else rows[rows[hue] == group]
            if len(part):
                single, gap = _series(ax, part, colours.get(group, _colour(topic)), markers=markers)
                single_drawn, gap_drawn = single_drawn or single, gap_drawn or gap
        ax.set_title(_wrap(label, int(panel_width * _TITLE_COLUMNS_PER_INCH)))
        if not sharey:
            ax.set_ylim(*_value_limits(rows))
    _year_axis(axes[0], years, panel_width)
    if sharey:
        axes[0].set_ylim(*_value_limits(prev))
    for ax in axes:
        ax.yaxis.set_major_formatter(_Percent())
        ax.yaxis.set_major_locator(MaxNLocator(4))
    counts = _report_counts(prev, hue)
    if counts is not None:
        strip_colours = [colours[g] for g in counts.columns] if hue else ["0.6"]
        for i, ax in enumerate(axes):
            if _bottom_of_column(i, len(axes), ncols):
                _count_strip(ax, counts, strip_colours, label=i % ncols == 0)
    handles = [Line2D([], [], color="0.35", linewidth=1.4, label="prevalence"),
               Patch(color="0.35", alpha=0.2, linewidth=0, label="interval")]
    if single_drawn:
        handles.append(Line2D([], [], color="0.35", marker="o", markerfacecolor="white", linestyle="",
                              label="single report"))
    if gap_drawn:
        handles.append(Line2D([], [], color="0.35", linestyle=":", linewidth=0.8, label="years without reports"))
    handles += [Line2D([], [], color=colours[g], linewidth=2, label=str(g)) for g in groups if g is not None]
    _figure_legend(fig, handles, _caption(prev, strip=counts is not None, interval="band (a bar for a year alone)"))
    fig.supxlabel("year")
    fig.supylabel("expected prevalence" if prev.attrs.get("kind") == "expected" else "topic prevalence")
    return fig


def _cell_width(n: int) -> float:
    """Inches per heatmap column: roomy for a few years, thin for eighty."""
    return min(0.7, max(0.06, 9.0 / max(n, 1)))


def _label_lines(labels: Sequence[str], columns: int) -> list[str]:
    return [_wrap(label, columns) for label in labels]


def _heatmap(ax: Axes, x_edges: np.ndarray, values: np.ndarray, norm: Normalize, fmt: str | None,
             x_centres: np.ndarray) -> QuadMesh:
    """Cells (as vector quads, not an image), their values written in when ``fmt``; row 0 on top."""
    rows = values.shape[0]
    mesh = ax.pcolormesh(x_edges, np.arange(rows + 1) - 0.5, np.ma.masked_invalid(values), cmap="Blues", norm=norm)
    if fmt:
        for (i, j), value in np.ndenumerate(values):
            if not np.isnan(value):
                ax.text(x_centres[j], i, format(value, fmt), ha="center", va="center", fontsize=7,
                        color=_ink(mesh.cmap(norm(value))))
    ax.set_ylim(rows - 0.5, -0.5)
    ax.grid(False)
    ax.spines[:].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return mesh


def _matrix(frame: pd.DataFrame, topics: pd.Series, x: str, columns: Sequence[Any]) -> np.ndarray:
    table = frame.pivot(index="topic", columns=x, values="prevalence")
    return table.reindex(index=topics.index, columns=list(columns)).to_numpy(float)


@_styled
def plot_heatmap(prev: pd.DataFrame, *, ax: Axes | None = None, fmt: str = ".1%", x: str = "year") -> Axes:
    """Topics by years (or by the groups of column ``x``), coloured by prevalence; values written in when there is room.

    Years are a numeric axis: a year without reports stays a blank column, and the number of
    reports per year is a bar strip underneath.

    >>> prev = pd.DataFrame({"topic": 0, "label": "执法·培训·队伍", "year": [2024, 2025],
    ...     "prevalence": [0.2, 0.3], "ci_low": [0.1, 0.2], "ci_high": [0.3, 0.4],
    ...     "n_reports": [3, 1], "weighting": "report"})
    >>> ax = plot_heatmap(prev)
    >>> [text.get_text() for text in ax.texts]
    ['20.0%', '30.0%']
    >>> plt.close(ax.figure)
    """
    _require(prev, "prevalence")
    if x not in prev.columns:
        raise ValueError(f"the frame has no column {x!r}")
    _check_one_row(prev, ["topic", x], "x")
    prev = prev[prev[x].notna()]
    topics = _topics(prev)
    if x == "year":
        years = _years(prev)
        columns = list(range(years[0], years[-1] + 1))
        centres = np.array(columns, dtype=float)
    else:
        columns = sorted(prev[x].unique())
        centres = np.arange(len(columns), dtype=float)
    edges = np.r_[centres - 0.5, centres[-1] + 0.5]
    cell = _cell_width(len(columns))
    label_columns = 26
    lines = _label_lines(topics, label_columns)
    row = max(0.26, 0.15 * max(label.count("\n") + 1 for label in lines) + 0.06)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.4 + cell * len(columns) + 1.0, 1.3 + row * len(topics)))
    values = _matrix(prev, topics, x, columns)
    write = fmt if cell >= 0.5 else None
    mesh = _heatmap(ax, edges, values, Normalize(0, np.nanmax(values)), write, centres)
    ax.set_yticks(range(len(topics)), lines)
    strip = False
    if x == "year":
        _year_axis(ax, years)
        counts = _report_counts(prev)
        if counts is not None:
            _count_strip(ax, counts, ["0.6"])
            strip = True
        ax.set_xlabel("")
    else:
        ax.set_xticks(centres, [str(c) for c in columns], rotation=90 if len(columns) > 8 else 0)
        ax.set_xlabel(x)
    ax.figure.colorbar(mesh, ax=ax, label="topic prevalence", format=PercentFormatter(1, decimals=0), fraction=0.05,
                       pad=0.02, shrink=min(1.0, 4.0 / max(row * len(topics), 1e-9)))
    _axes_caption(ax, _caption(prev, strip=strip, interval=None))
    return ax


@_styled
def plot_stacked(prev: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Topic shares of each year as stacked bars, the legend beside the plot, top of the stack first.

    Shares are written on segments with room for them (wide bars, tall segments).

    >>> prev = pd.DataFrame({"topic": [0, 1], "label": ["执法·培训", "普法·宣传"], "year": 2025,
    ...     "prevalence": [0.6, 0.4], "ci_low": [0.5, 0.3], "ci_high": [0.7, 0.5],
    ...     "n_reports": 4, "weighting": "report"})
    >>> ax = plot_stacked(prev)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['普法·宣传', '执法·培训']
    >>> plt.close(ax.figure)
    """
    _require(prev, "prevalence")
    _check_one_row(prev, ["topic", "year"])
    prev = prev[prev["year"].notna()]
    topics = _topics(prev)
    years = _years(prev)
    span = years[-1] - years[0] + 1
    legend_cols = math.ceil(len(topics) / 20)
    if ax is None:
        width = 1.2 + min(max(0.42 * span, 2.5), 9.0)
        _, ax = plt.subplots(figsize=(width + 2.1 * legend_cols, max(3.6, 0.2 * min(len(topics), 20) + 1.4)))
    bar_inches = _inches(ax)[0] / (span + 1.2) * 0.8
    height_inches = _inches(ax)[1]
    bottom = np.zeros(len(years))
    for (topic, label), share in zip(topics.items(), np.nan_to_num(_matrix(prev, topics, "year", years))):
        colour = _colour(topic)
        bars = ax.bar(years, share, bottom=bottom, width=0.8, color=colour, edgecolor="white",
                      linewidth=0.5 if bar_inches > 0.08 else 0, label=_wrap(label, 26))
        if bar_inches >= 0.32:
            room = share * height_inches >= 0.14
            ax.bar_label(bars, [format(v, ".0%") if ok and v >= 0.05 else "" for v, ok in zip(share, room)],
                         label_type="center", fontsize=7, color=_ink(colour))
        bottom += share
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.01, 0.5), ncols=legend_cols)
    _year_axis(ax, years)
    ax.set_ylim(0, max(1.0, bottom.max()))
    ax.yaxis.set_major_formatter(PercentFormatter(1, decimals=0))
    weighting = prev["weighting"].iloc[0] if "weighting" in prev.columns else prev.attrs.get("weighting")
    ax.set_ylabel("share of the year's text" if weighting == "tokens" else "topic prevalence")
    ax.grid(axis="x", visible=False)
    counts = _report_counts(prev)
    if counts is not None:
        _count_strip(ax, counts, ["0.6"])
    _axes_caption(ax, _caption(prev, strip=counts is not None, interval=None))
    return ax


@_styled
def plot_groups(prev: pd.DataFrame, by: str, *, ax: Axes | None = None) -> Axes:
    """Prevalence of each topic in each group of ``by`` (a few groups: level, region...), points with intervals.

    Topics are rows, top down; groups are dodged within a row. For many groups, use
    :func:`plot_heatmap` with ``x=by``.

    >>> prev = pd.DataFrame({"topic": [0, 0, 1, 1], "label": ["执法·培训"] * 2 + ["普法·宣传"] * 2,
    ...     "level": ["city", "county"] * 2, "prevalence": [0.6, 0.5, 0.4, 0.5], "ci_low": [0.5, 0.4, 0.3, 0.4],
    ...     "ci_high": [0.7, 0.6, 0.5, 0.6], "n_reports": [4, 6, 4, 6], "weighting": "report"})
    >>> ax = plot_groups(prev, "level")
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['city (4 reports)', 'county (6 reports)']
    >>> plt.close(ax.figure)
    """
    _require(prev, "prevalence")
    _check_one_row(prev, ["topic", by], "by")
    topics = _topics(prev)
    groups = sorted(prev[by].dropna().unique())
    if len(groups) > 12:
        raise ValueError(f"{len(groups)} groups of {by!r}: too many to dodge; use plot_heatmap(prev, x={by!r})")
    colours = _hue_colours(groups)
    lines = _label_lines(topics, 26)
    row = max(0.11 * len(groups) + 0.14, 0.15 * max(label.count("\n") + 1 for label in lines) + 0.08)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 1.3 + row * len(topics)))
    offsets = (np.arange(len(groups)) - (len(groups) - 1) / 2) * min(0.7 / len(groups), 0.18)
    for offset, group in zip(offsets, groups):
        rows = prev[prev[by] == group].set_index("topic").reindex(topics.index)
        y = np.arange(len(topics)) + offset
        n = rows["n_reports"].max() if "n_reports" in rows.columns else None
        label = f"{group} ({int(n)} reports)" if n is not None and not np.isnan(n) else str(group)
        ax.errorbar(rows["prevalence"], y, xerr=[rows["prevalence"] - rows["ci_low"], rows["ci_high"] -
                    rows["prevalence"]], fmt="o", markersize=3.5, color=colours[group], linewidth=1, label=label)
    ax.set_yticks(range(len(topics)), lines)
    ax.set_ylim(len(topics) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.set_xlim(left=0)
    ax.xaxis.set_major_formatter(_Percent())
    ax.set_xlabel("topic prevalence")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    _axes_caption(ax, _caption(prev, strip=False, interval="bars"))
    return ax


@_styled
def plot_effects(coefs: pd.DataFrame, term: str, *, ax: Axes | None = None) -> Axes:
    """One coefficient for every topic, with its interval (from :meth:`TopicEffects.coefficients`), zero marked.

    Intervals that exclude zero are coloured by sign. Use it for a contrast such as
    ``"level[T.county]"``; the spline's terms mean nothing one by one (draw ``expected()`` instead).

    >>> coefs = pd.DataFrame({"topic": [0, 1], "label": ["执法·培训", "普法·宣传"], "term": "level[T.county]",
    ...     "estimate": [0.05, -0.01], "ci_low": [0.02, -0.04], "ci_high": [0.08, 0.02]})
    >>> ax = plot_effects(coefs, "level[T.county]")
    >>> ax.get_xlabel()
    'level[T.county]: change in prevalence (percentage points)'
    >>> plt.close(ax.figure)
    """
    _require(coefs, "effects")
    rows = coefs[coefs["term"] == term].sort_values("topic")
    if rows.empty:
        raise ValueError(f"no term {term!r}; terms: {list(dict.fromkeys(coefs['term']))}")
    lines = _label_lines(rows["label"], 26)
    row = max(0.24, 0.15 * max(label.count("\n") + 1 for label in lines) + 0.06)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 1.4 + row * len(rows)))
    y = np.arange(len(rows))
    estimate, low, high = (rows[c].to_numpy(float) for c in ("estimate", "ci_low", "ci_high"))
    colours = np.where(low > 0, _RISING, np.where(high < 0, _FALLING, "0.55"))
    for yi, e, lo, hi, colour in zip(y, estimate, low, high, colours):
        ax.plot([lo, hi], [yi, yi], color=colour, linewidth=1.6, solid_capstyle="butt")
        ax.plot([e], [yi], "o", color=colour, markersize=4)
    ax.axvline(0, color="0.35", linewidth=0.8)
    ax.set_yticks(y, lines)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(_Percent())
    reference = rows["reference"].iloc[0] if "reference" in rows.columns else ""
    ax.set_xlabel(f"{term}{f' vs {reference}' if reference else ''}: change in prevalence (percentage points)")
    how = rows["cov_type"].iloc[0] if "cov_type" in rows.columns else "robust"
    _axes_caption(ax, f"Coefficient of {term} with its interval ({how} standard errors, over draws from the topic "
                      "posterior); coloured where the interval excludes zero.")
    return ax


@_styled
def plot_term_trends(trends: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Occurrences per 10,000 tokens of chosen terms by year (from ``term_trends``), reports per year underneath.

    >>> trends = pd.DataFrame({"year": [2024, 2025] * 2, "term": ["普法", "普法", "营商环境", "营商环境"],
    ...     "count": [3, 5, 1, 4], "per_10k": [30.0, 41.0, 10.0, 33.0], "n_reports": [1, 2] * 2})
    >>> ax = plot_term_trends(trends)
    >>> [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    ['普法', '营商环境']
    >>> plt.close(ax.figure)
    """
    _require(trends, "term_trends")
    trends = trends[trends["year"].notna()]
    years = _years(trends)
    terms = list(dict.fromkeys(trends["term"]))
    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 + min(max(0.42 * (years[-1] - years[0] + 1), 2.5), 9.0), 3.6))
    for colour, term in zip(topic_palette(len(terms)), terms):
        rows = trends[trends["term"] == term].assign(ci_low=np.nan, ci_high=np.nan)
        _series(ax, rows, colour, markers=len(years) <= 30, band=False, y="per_10k")
        ax.plot([], [], color=colour, marker="o", markersize=3.5, label=term)
    _year_axis(ax, years)
    ax.set_ylabel("per 10,000 tokens")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    counts = _report_counts(trends.drop_duplicates("year"))
    if counts is not None:
        _count_strip(ax, counts, ["0.6"])
    return ax


@_styled
def plot_top_words(
    topic_words: pd.DataFrame, *, fig: Figure | SubFigure | None = None, n: int = 10, ncols: int | None = None
) -> Figure | SubFigure:
    """The ``n`` heaviest words of each topic as horizontal bars, one panel per topic (wrapping), top word on top.

    >>> words = pd.DataFrame({"topic": 0, "label": "普法·宣传", "rank": [1, 2],
    ...     "word": ["普法", "宣传"], "weight": [0.05, 0.03]})
    >>> fig = plot_top_words(words)
    >>> [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    ['普法', '宣传']
    >>> plt.close(fig)
    """
    _require(topic_words, "topic_words")
    topics = _topics(topic_words)
    ncols = min(ncols or _auto_cols(len(topics)), len(topics))
    if fig is None:
        fig = plt.figure(figsize=(_PANEL[0] * ncols, (0.7 + 0.17 * n) * math.ceil(len(topics) / ncols) + 0.3))
    panel_width = _figure_width(fig) / ncols - 0.6  # less the words' room
    for ax, (topic, label) in zip(_panels(fig, len(topics), ncols), topics.items()):
        words = topic_words[topic_words["topic"] == topic].nsmallest(n, "rank")
        ax.barh(range(len(words)), words["weight"], height=0.7, color=_colour(topic))
        ax.set_yticks(range(len(words)), words["word"])
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_title(_wrap(label, int(panel_width * _TITLE_COLUMNS_PER_INCH)))
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
    """Each model-selection metric against the number of topics K, the recommended K marked, with
    ±1 standard error across seeds where the table has ``<metric>_se`` columns.

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
        if f"{column}_se" in ksel.columns:
            ax.errorbar(ksel["k"], ksel[column], yerr=ksel[f"{column}_se"], fmt="none", ecolor=PALETTE[0],
                        elinewidth=1, capsize=2)
        if recommended is not None:
            ax.axvline(recommended, color=_RISING, linestyle="--", linewidth=1)
        ax.set_title(title)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles = [Line2D([], [], color=_RISING, linestyle="--", label=f"recommended K = {recommended}")
               ] if recommended is not None else []
    if any(f"{column}_se" in ksel.columns for column in metrics):
        handles.append(Line2D([], [], color=PALETTE[0], marker="|", linestyle="none", markersize=8,
                              label="±1 standard error across seeds"))
    if handles:
        fig.legend(handles=handles, loc="outside upper center", ncols=len(handles))
    fig.supxlabel("number of topics K")
    return fig


@_styled
def plot_prevalence_by_part(
    prev_part: pd.DataFrame, *, fig: Figure | SubFigure | None = None, ncols: int = 3, fmt: str = ".0%"
) -> Figure | SubFigure:
    """Topic prevalence within each report part: a topics-by-years heatmap per part, on one colour scale.

    Parts come in the order of :data:`~govtopics.structure.PARTS`; under each, the number of
    reports having that part in each year.

    >>> prev_part = pd.DataFrame({"topic": [0, 1, 0, 1], "label": ["执法·培训", "普法·宣传"] * 2,
    ...     "part": ["problems", "problems", "achievements", "achievements"], "year": 2025,
    ...     "prevalence": [0.7, 0.3, 0.4, 0.6], "ci_low": 0.0, "ci_high": 1.0, "n_reports": 3})
    >>> fig = plot_prevalence_by_part(prev_part)
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['achievements', 'problems']
    >>> plt.close(fig)
    """
    _require(prev_part, "prevalence_by_part")
    prev_part = prev_part[prev_part["year"].notna()]
    topics = _topics(prev_part)
    years = _years(prev_part)
    columns = list(range(years[0], years[-1] + 1))
    centres = np.array(columns, dtype=float)
    edges = np.r_[centres - 0.5, centres[-1] + 0.5]
    present = set(prev_part["part"])
    parts = [part for part in PARTS if part in present] + sorted(present - set(PARTS))
    ncols = min(ncols, len(parts))
    cell = _cell_width(len(columns) * ncols)
    lines = _label_lines(topics, 26)
    row = max(0.26, 0.15 * max(label.count("\n") + 1 for label in lines) + 0.06)
    if fig is None:
        width = 2.2 + ncols * (cell * len(columns) + 0.3) + 0.8
        fig = plt.figure(figsize=(width, (1.1 + row * len(topics)) * math.ceil(len(parts) / ncols) + 0.4))
    norm = Normalize(0, prev_part["prevalence"].max())
    axes = _panels(fig, len(parts), ncols, sharey=True)
    for i, (ax, part) in enumerate(zip(axes, parts)):
        rows = prev_part[prev_part["part"] == part]
        mesh = _heatmap(ax, edges, _matrix(rows, topics, "year", columns), norm, fmt if cell >= 0.5 else None, centres)
        ax.set_yticks(range(len(topics)), lines)
        _year_axis(ax, years)
        ax.set_title(part)
        counts = rows.drop_duplicates("year").set_index("year")["n_reports"].reindex(columns).fillna(0).to_frame()
        _count_strip(ax, counts, ["0.6"], label=i % ncols == 0)
    fig.colorbar(mesh, ax=axes, label="topic prevalence within the part", format=PercentFormatter(1, decimals=0),
                 shrink=0.6)
    caption = _caption(prev_part, strip=False, interval=None)
    fig.suptitle(_wrap(caption, max(40, int(_figure_width(fig) * 15))), fontsize=8, color="0.3")
    fig.supxlabel("year (bars: reports with the part, square-root scale)")
    return fig
