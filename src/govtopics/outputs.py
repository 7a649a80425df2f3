"""What the build writes, by name: tables (:data:`TABLES`), figures (:data:`FIGURES`) and other files (:data:`FILES`).

Each entry is a function of an :class:`~govtopics.analysis.Analysis`. A table function returns
a DataFrame, written to ``tables/<name>.csv``, or a ``{file name: frame}`` dict for several; a
figure function returns a Figure or an Axes (saved as ``<name>.png``) or a ``{file name: figure}``
dict for several; a file entry is named by its file name (``explorer.html``) and returns its
content (text or bytes). Any of them raises
:class:`NotApplicable` when the output does not apply to this analysis. The plot functions
themselves live in :mod:`govtopics.plots`. Config validation (``figures.which``), the build, the
CLI's choices and the tests iterate over these registries, so a new output is one function and
one ``register`` line::

    @FIGURES.register("my_figure")
    def my_figure(analysis):
        return plots.plot_heatmap(analysis.prevalence_by(["level", "year"]))
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from .registry import Registry

if TYPE_CHECKING:
    from .analysis import Analysis

__all__ = ["FIGURES", "FILES", "TABLES", "NotApplicable", "write_table", "read_table", "guard_cell", "unguard_cell",
           "guard_formulas", "unguard_formulas", "FORMULA_START"]

FIGURES = Registry("figure")
TABLES = Registry("table")
FILES = Registry("file")


class NotApplicable(Exception):
    """This output does not apply to this analysis; the message says why (it goes into the manifest)."""


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection"); TAB and CR too.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def guard_cell(value: Any) -> Any:
    """A text cell as a spreadsheet shows it, never runs it: a leading ``'`` before ``= + - @``, TAB or CR.

    A number written as text (``-3.5``) stays as it is: a spreadsheet reads it as a number,
    not a formula. A cell that already starts with ``'`` gets one more, so :func:`unguard_cell`
    gives back exactly the original. Other values (numbers, missing values) are returned unchanged.

    >>> guard_cell("=HYPERLINK('http://x')"), guard_cell("-3.5"), guard_cell("@SUM(A1)"), guard_cell("普法")
    ("'=HYPERLINK('http://x')", '-3.5', "'@SUM(A1)", '普法')
    >>> unguard_cell(guard_cell("'=1")) == "'=1", guard_cell(-2)
    (True, -2)
    """
    if isinstance(value, str) and value[:1] in (*FORMULA_START, "'") and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unguard_cell(value: Any) -> Any:
    """The original of a cell :func:`guard_cell` wrote (other cells unchanged).

    >>> unguard_cell("'=1+1"), unguard_cell("'普法"), unguard_cell("''x")
    ('=1+1', "'普法", "'x")
    """
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in (*FORMULA_START, "'") \
            and not _NUMBER.fullmatch(value[1:]):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list[int]:
    return [i for i in range(frame.shape[1]) if not pd.api.types.is_numeric_dtype(frame.dtypes.iloc[i])
            and not pd.api.types.is_bool_dtype(frame.dtypes.iloc[i])
            and not pd.api.types.is_datetime64_any_dtype(frame.dtypes.iloc[i])]


def guard_formulas(frame: pd.DataFrame, cell: Any = guard_cell) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names went through :func:`guard_cell` (numbers stay numbers).

    >>> guard_formulas(pd.DataFrame({"unit": ["=cmd|' /C calc'!A0", "司法局"], "n": [-1, 2]})).values.tolist()
    [["'=cmd|' /C calc'!A0", -1], ['司法局', 2]]
    """
    out = frame.copy(deep=False)
    for i in _text_columns(frame):
        column = frame.iloc[:, i]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        out.isetitem(i, column.map(cell))
    out.columns = [cell(name) for name in frame.columns]
    return out


def unguard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame :func:`guard_formulas` was given, from the one it returned (e.g. a table read back)."""
    return guard_formulas(frame, unguard_cell)


def write_table(frame: pd.DataFrame, target: Any, guard: bool = True) -> Any:
    """A table as the build writes it (UTF-8 CSV, six significant digits, ``\\n`` line ends) to a path or buffer.

    With ``guard`` (``[outputs] csv_guard``, on by default) a text cell that a spreadsheet
    would run as a formula is written with a leading ``'`` (:func:`guard_cell`);
    :func:`read_table` reads the original values back.

    >>> import io
    >>> buffer = io.StringIO()
    >>> _ = write_table(pd.DataFrame({"word": ["普法", "=1+1"], "weight": [1 / 3, -0.5]}), buffer)
    >>> buffer.getvalue()
    "word,weight\\n普法,0.333333\\n'=1+1,-0.5\\n"
    """
    (guard_formulas(frame) if guard else frame).to_csv(target, index=False, float_format="%.6g", lineterminator="\n")
    return target


def read_table(source: Any, **options: Any) -> pd.DataFrame:
    """A CSV table of the build (or the CLI's ``--csv``) with its original values: ``pd.read_csv`` and then
    :func:`unguard_formulas`.

    >>> import io
    >>> read_table(io.StringIO("word,n\\n'=1+1,-2\\n")).values.tolist()
    [['=1+1', -2]]
    """
    return unguard_formulas(pd.read_csv(source, **options))


# -- tables ------------------------------------------------------------------------------------


@TABLES.register("documents")
def _documents(analysis: Analysis) -> pd.DataFrame:
    return analysis.documents_table


@TABLES.register("k_selection")
def _k_selection(analysis: Analysis) -> pd.DataFrame:
    if analysis.k_table is None:
        raise NotApplicable(f"model.k = {analysis.config.model.k} is fixed, so K was not scanned")
    return analysis.k_table


@TABLES.register("topic_words")
def _topic_words(analysis: Analysis) -> pd.DataFrame:
    return analysis.topic_words


@TABLES.register("unit_topics")
def _unit_topics(analysis: Analysis) -> pd.DataFrame:
    return analysis.unit_topics


@TABLES.register("topic_words_by_year")
def _topic_words_by_year(analysis: Analysis) -> pd.DataFrame:
    if not hasattr(analysis.model, "topic_word_counts"):
        raise NotApplicable(f"model {analysis.config.model.name!r} has no inference with fixed topics "
                            "(topic_word_counts) to re-estimate words by year")
    return analysis.words_by_year


@TABLES.register("topic_prevalence_by_year")
def _prevalence_by_year(analysis: Analysis) -> pd.DataFrame:
    return analysis.prevalence


@TABLES.register("topic_prevalence_by_part")
def _prevalence_by_part(analysis: Analysis) -> pd.DataFrame:
    return analysis.prevalence_by(["part", "year"])


@TABLES.register("prevalence_by_group")
def _prevalence_by_group(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """``prevalence_by_<group>``: prevalence by year and each group of ``trends.by``."""
    groups = analysis.prevalence_groups
    if not groups:
        raise NotApplicable(NO_GROUPS)
    return {f"prevalence_by_{group}": frame for group, frame in groups.items()}


@TABLES.register("effects")
def _effects(analysis: Analysis) -> pd.DataFrame:
    """Each covariate's coefficient for each topic, with its interval."""
    return _fit(analysis).coefficients()


@TABLES.register("effects_expected")
def _effects_expected(analysis: Analysis) -> pd.DataFrame:
    """Expected prevalence over the formula's covariates (each year by level …), the mix of reports held fixed."""
    return _fit(analysis).expected()


@TABLES.register("effects_differences")
def _effects_differences(analysis: Analysis) -> pd.DataFrame:
    """Differences in expected prevalence from year to year (or between ``effects.periods``)."""
    _fit(analysis)
    differences = analysis.effect_differences()
    if differences is None:
        raise NotApplicable(f"effects.formula = {analysis.config.effects.formula!r} has no year to take differences over")
    return differences


@TABLES.register("passages")
def _passages(analysis: Analysis) -> pd.DataFrame:
    return analysis.passages()


@TABLES.register("passages_by_year")
def _passages_by_year(analysis: Analysis) -> pd.DataFrame:
    return analysis.passages("year")


@TABLES.register("keywords_by_year")
def _keywords_by_year(analysis: Analysis) -> pd.DataFrame:
    return analysis.keywords("year")


@TABLES.register("keywords_by_part")
def _keywords_by_part(analysis: Analysis) -> pd.DataFrame:
    return analysis.keywords("part")


@TABLES.register("keyness")
def _keyness(analysis: Analysis) -> pd.DataFrame:
    return analysis.keyness


@TABLES.register("term_trends")
def _term_trends(analysis: Analysis) -> pd.DataFrame:
    return analysis.term_trends


NO_GROUPS = 'trends.by names no group to compare (e.g. by = ["level"])'


@TABLES.register("codebook_keywords")
def _codebook_keywords(analysis: Analysis) -> pd.DataFrame:
    """Each seed word of the codebook in the units: count, units, share, shared_with, status (kept or why dropped)."""
    table = analysis.keyword_diagnostics
    if table is None:
        raise NotApplicable(NO_CODEBOOK)
    return table


@TABLES.register("codebook_concepts")
def _codebook_concepts(analysis: Analysis) -> pd.DataFrame:
    """Each concept and free topic of the seeded model: seeds kept, keyword rate, token share, top words."""
    table = analysis.concepts
    if table is None:
        raise NotApplicable(NO_CODEBOOK)
    return table


NO_CODEBOOK = 'model.codebook is "" (an unsupervised model): no seed words to check'


def _fit(analysis: Analysis) -> Any:
    fit = analysis.effects
    if fit is None:
        raise NotApplicable('effects.formula is empty, so no effects were estimated (e.g. formula = "year_spline + level")')
    return fit


def _file_part(text: str) -> str:
    """A term or value as part of a file name: ``level[T.county]`` -> ``level_county``.

    >>> _file_part("level[T.county]"), _file_part("region[T.华东]")
    ('level_county', 'region_华东')
    """
    return re.sub(r"\W+", "_", text.replace("[T.", "_")).strip("_")


# -- figures -----------------------------------------------------------------------------------


@FIGURES.register("prevalence")
def prevalence(analysis: Analysis) -> Any:
    """Each topic's prevalence over the years with its interval, one panel per topic."""
    from . import plots

    return plots.plot_prevalence(analysis.prevalence)


@FIGURES.register("heatmap")
def heatmap(analysis: Analysis) -> Any:
    """Topics by years, coloured by prevalence."""
    from . import plots

    return plots.plot_heatmap(analysis.prevalence)


@FIGURES.register("stacked")
def stacked(analysis: Analysis) -> Any:
    """Topic shares of each year as stacked bars."""
    from . import plots

    return plots.plot_stacked(analysis.prevalence)


@FIGURES.register("top_words")
def top_words(analysis: Analysis) -> Any:
    """Each topic's ten heaviest words."""
    from . import plots

    return plots.plot_top_words(analysis.topic_words)


@FIGURES.register("keyness")
def keyness(analysis: Analysis) -> dict[str, Any]:
    """Rising and falling terms for each pair of consecutive years: ``keyness_<from>_<to>``."""
    from . import plots

    pairs = analysis.keyness.groupby(["from", "to"], sort=True)
    return {f"keyness_{first}_{second}": plots.plot_keyness(pair) for (first, second), pair in pairs}


@FIGURES.register("k_selection")
def k_selection(analysis: Analysis) -> Any:
    """The K scan's metrics against K, the recommended K marked."""
    from . import plots

    table = analysis.k_table
    if table is None:
        raise NotApplicable(f"model.k = {analysis.config.model.k} is fixed, so K was not scanned")
    return plots.plot_k_selection(table, recommended=analysis.k_rule[0])


@FIGURES.register("prevalence_by_part")
def prevalence_by_part(analysis: Analysis) -> Any:
    """Topic prevalence within each report part, one heatmap per part."""
    from . import plots

    return plots.plot_prevalence_by_part(analysis.prevalence_by(["part", "year"]))


@FIGURES.register("term_trends")
def term_trends(analysis: Analysis) -> Any:
    """Occurrences of the followed terms per 10,000 tokens, by year."""
    from . import plots

    return plots.plot_term_trends(analysis.term_trends)


@FIGURES.register("prevalence_by_group")
def prevalence_by_group(analysis: Analysis) -> dict[str, Any]:
    """``prevalence_by_<group>``: each topic's prevalence over the years, one line per group of ``trends.by``
    (up to 8 groups); for more groups, or a single year, each group's prevalence over all years."""
    from . import plots

    groups = analysis.prevalence_groups
    if not groups:
        raise NotApplicable(NO_GROUPS)
    drawn = {}
    for group, prev in groups.items():
        n_groups, n_years = prev[group].nunique(), prev["year"].nunique()
        if n_groups <= 8 and n_years > 1:
            drawn[f"prevalence_by_{group}"] = plots.plot_prevalence(prev, hue=group)
        else:
            overall = analysis.prevalence_by(group)
            drawn[f"prevalence_by_{group}"] = (plots.plot_groups(overall, group) if n_groups <= 12
                                               else plots.plot_heatmap(overall, x=group))
    return drawn


@FIGURES.register("effects_expected")
def effects_expected(analysis: Analysis) -> dict[str, Any]:
    """Expected prevalence from the effects: over the years (``effects_expected``), and for each other covariate
    (``effects_expected_<covariate>``: one line per value over the years, or the values side by side)."""
    from . import plots

    fit = _fit(analysis)
    timed = "year" in fit.variables
    drawn = {}
    if timed:
        drawn["effects_expected"] = plots.plot_prevalence(fit.expected(over=["year"]))
    for variable in (v for v in fit.variables if v != "year"):
        numeric = pd.api.types.is_numeric_dtype(fit.reports[variable])
        n_values = fit.reports[variable].nunique()
        if n_values < 2:  # nothing to compare (the fit's notes say so)
            continue
        if timed and not numeric and n_values <= 8:
            drawn[f"effects_expected_{variable}"] = plots.plot_prevalence(fit.expected(over=["year", variable]),
                                                                          hue=variable)
        else:
            grid = fit.expected(over=[variable], observed=not numeric)
            drawn[f"effects_expected_{variable}"] = (plots.plot_groups(grid, variable) if grid[variable].nunique() <= 12
                                                     else plots.plot_heatmap(grid, x=variable))
    if not drawn:
        raise NotApplicable(f"effects.formula = {fit.formula!r} names no covariate")
    return drawn


@FIGURES.register("effects")
def effects(analysis: Analysis) -> dict[str, Any]:
    """``effect_<term>``: one category's coefficient for every topic (``level[T.county]``: county vs the reference)."""
    from . import plots

    fit = _fit(analysis)
    terms = [term for term in fit.terms if "[T." in term]
    if not terms:
        raise NotApplicable(f"effects.formula = {fit.formula!r} has no category term to draw (such as level)")
    coefficients = fit.coefficients()
    return {f"effect_{_file_part(term)}": plots.plot_effects(coefficients, term) for term in terms}


# -- other files -------------------------------------------------------------------------------


@FILES.register("explorer.html")
def explorer(analysis: Analysis) -> str:
    """The offline topic explorer: one self-contained page (map of topics, terms by relevance, prevalence, passages)."""
    return analysis.explorer.to_html()
