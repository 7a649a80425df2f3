"""What the build writes, by name: tables (:data:`TABLES`) and figures (:data:`FIGURES`).

Each entry is a function of an :class:`~govtopics.analysis.Analysis`. A table function returns
a DataFrame, written to ``tables/<name>.csv``, or a ``{file name: frame}`` dict for several; a
figure function returns a Figure or an Axes (saved as ``<name>.png``) or a ``{file name: figure}``
dict for several. Either raises
:class:`NotApplicable` when the output does not apply to this analysis. The plot functions
themselves live in :mod:`govtopics.plots`. Config validation (``figures.which``), the build, the
CLI's choices and the tests iterate over these registries, so a new output is one function and
one ``register`` line::

    @FIGURES.register("my_figure")
    def my_figure(analysis):
        return plots.plot_heatmap(analysis.prevalence_by(["level", "year"]))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .registry import Registry

if TYPE_CHECKING:
    from .analysis import Analysis

__all__ = ["FIGURES", "TABLES", "NotApplicable", "write_table"]

FIGURES = Registry("figure")
TABLES = Registry("table")


class NotApplicable(Exception):
    """This output does not apply to this analysis; the message says why (it goes into the manifest)."""


def write_table(frame: pd.DataFrame, target: Any) -> Any:
    """A table as the build writes it (UTF-8 CSV, six significant digits, ``\\n`` line ends) to a path or buffer.

    >>> import io
    >>> buffer = io.StringIO()
    >>> _ = write_table(pd.DataFrame({"word": ["普法"], "weight": [1 / 3]}), buffer)
    >>> buffer.getvalue()
    'word,weight\\n普法,0.333333\\n'
    """
    frame.to_csv(target, index=False, float_format="%.6g", lineterminator="\n")
    return target


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
    if not hasattr(getattr(analysis.model, "model_", None), "inference"):
        raise NotApplicable(f"model {analysis.config.model.name!r} has no gensim inference to re-estimate words by year")
    return analysis.words_by_year


@TABLES.register("topic_prevalence_by_year")
def _prevalence_by_year(analysis: Analysis) -> pd.DataFrame:
    return analysis.prevalence


@TABLES.register("topic_prevalence_by_part")
def _prevalence_by_part(analysis: Analysis) -> pd.DataFrame:
    return analysis.prevalence_by(["part", "year"])


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
