"""Topic effects: how covariates move report-level topic prevalence, after R stm's ``estimateEffect``.

:func:`estimate_effects` regresses each topic's report-level proportions on covariates given as a
formula (``"year_spline + level"``; formulaic's syntax, as in R). It follows stm's *method of
composition* (Treier and Jackman 2008; ``estimateEffect(uncertainty="Global")``): ``n_draws``
times, every unit's topic proportions are drawn from its posterior Dirichlet(gamma) and averaged
to its report (units weighted by tokens, so each report counts once), each topic's report
proportions are fitted by OLS with a cluster-robust covariance (CR1, clustered by issuing unit:
reports of one government are not independent), and one coefficient vector is drawn from a
multivariate t with G - 1 degrees of freedom (G clusters) around the estimate with that
covariance (normal when clusters are many). The pooled draws carry both the topic model's uncertainty and the
regression's sampling uncertainty. Estimates are their mean, standard errors their standard
deviation, intervals their quantiles; expected prevalence and its differences are the same
linear functions of every draw.

**year_spline** stands for ``cr(year, df=D, constraints="center")``: a natural cubic regression
spline of the year (mgcv's ``cr``), D - 1 interior knots at quantiles of the distinct years,
boundary knots at the first and last year, linear beyond them, centred so that it does not
repeat the intercept (with D = 1, no interior knot, it is the straight line ``year``). D comes from the number of distinct years (:func:`spline_df`), never
from the number of reports: a year with one report gets no coefficient of its own (a dummy
fitted to a single report) but is carried by the smoothness of the curve through its
neighbours, so thin years do not make the design singular. With one distinct year the term is
dropped. Write ``cr(year, df=4, constraints="center")`` or ``C(year)`` to choose otherwise.

Clustering needs at least two issuing units; with one (a single government's reports over
the years) each report is its own cluster, which is HC1, and ``cov_type`` says so.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import norm

from .trends import exclusions, integer_years

__all__ = ["TopicEffects", "cluster_covariance", "estimate_effects", "spline_df"]

_IDENTIFIER = re.compile(r"[^\W\d]\w*")
_SPLINE = re.compile(r"\byear_spline\b")
_FEW_CLUSTERS = 10


def spline_df(n_years: int) -> int:
    """Degrees of freedom of ``year_spline`` for ``n_years`` distinct years: about one per four years.

    Two years give a straight line (their difference), three a saturated curve; from then on
    ``round(n / 4)``, at least 2 and at most ``n - 1``. No term for a single year.

    >>> [spline_df(n) for n in (1, 2, 3, 4, 11, 52, 80)]
    [0, 1, 2, 2, 3, 13, 20]
    """
    if n_years < 2:
        return 0
    return min(n_years - 1, max(2, round(n_years / 4)))


@dataclass
class TopicEffects:
    """The result of :func:`estimate_effects`: coefficient draws and what is needed to predict from them.

    Tables: :meth:`coefficients`, :meth:`expected`, :meth:`differences`. Attributes: ``formula``
    (as given), ``fitted_formula`` (``year_spline`` spelled out), ``terms`` (coefficient names), ``draws`` (n_draws x
    K x terms: the coefficient draws the intervals come from), ``centres`` (the same without the
    sampling shock: the OLS fit to each posterior draw; their mean is the estimate), ``reports``
    (one row per report in the fit: doc_id and covariates), ``excluded``
    (doc_id, reason), ``cov_type``, ``n_clusters``, ``year_df``, ``notes`` (what was dropped and why).
    """

    formula: str
    fitted_formula: str
    terms: list[str]
    labels: list[str]
    draws: np.ndarray
    centres: np.ndarray
    reports: pd.DataFrame
    variables: list[str]
    excluded: pd.DataFrame
    cov_type: str
    n_clusters: int
    year_df: int | None
    level: float
    spec: Any = field(repr=False)
    proportions: np.ndarray = field(repr=False)
    groups: np.ndarray = field(repr=False)
    notes: list[str] = field(default_factory=list)

    @property
    def n_draws(self) -> int:
        return self.draws.shape[0]

    @property
    def description(self) -> str:
        """The formula in words for captions: ``year_spline + level (year_spline: natural cubic spline, 3 df)``."""
        if self.year_df is None:
            return self.formula
        if self.year_df == 1:
            return f"{self.formula} (year_spline: a straight line in the year)"
        return f"{self.formula} (year_spline: natural cubic spline, {self.year_df} df)"

    def _references(self) -> dict[str, str]:
        """The level each treatment-coded term is compared with: ``{"level[T.county]": "city"}``."""
        out = {}
        for factor, state in self.spec.factor_contrasts.items():
            base = getattr(state.contrasts, "base", None)
            if base is None or not state.levels:
                continue
            reference = state.levels[0] if repr(base).endswith("UNSET") else base
            prefix = f"{factor}[T."
            out.update({term: str(reference) for term in self.terms if term.startswith(prefix)})
        return out

    def _summary(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Estimate, interval and standard deviation of the linear functions ``rows`` (n x terms) of the
        coefficients, per topic: arrays n x K."""
        values = np.einsum("gp,dkp->gdk", rows, self.draws)
        alpha = (1 - self.level) / 2
        low, high = np.quantile(values, [alpha, 1 - alpha], axis=1)
        estimate = np.einsum("gp,kp->gk", rows, self.centres.mean(axis=0))
        return estimate, low, high, values.std(axis=1, ddof=1)

    def coefficients(self) -> pd.DataFrame:
        """One row per topic and term: estimate, std_error, ci_low, ci_high, p_value, reference, n_reports,
        n_clusters, cov_type.

        ``p_value`` is two-sided from the normal approximation ``estimate / std_error``;
        ``reference`` is the level a category term is compared with (``level[T.county]``: city).
        Spline terms (``year_spline[1]``...) mean nothing one by one: read :meth:`expected`.
        """
        mean, low, high, sd = self._summary(np.eye(len(self.terms)))
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(sd > 0, 2 * norm.sf(np.abs(mean) / sd), np.nan)
        rows = [
            (topic, self.labels[topic], term, mean[t, topic], sd[t, topic], low[t, topic], high[t, topic], p[t, topic])
            for topic in range(len(self.labels)) for t, term in enumerate(self.terms)
        ]
        table = pd.DataFrame(rows, columns=["topic", "label", "term", "estimate", "std_error", "ci_low", "ci_high",
                                            "p_value"])
        references = self._references()
        table["reference"] = [references.get(term, "") for term in table["term"]]
        return table.assign(n_reports=len(self.reports), n_clusters=self.n_clusters, cov_type=self.cov_type)

    def mean_fit(self, topic: int) -> Any:
        """statsmodels' OLS of one topic's report proportions at the posterior mean, with the same clustered
        covariance: its ``summary()`` is the familiar regression table, without the topic model's uncertainty
        (which :meth:`coefficients` adds).
        """
        import statsmodels.api as sm

        x = pd.DataFrame(np.asarray(self.spec.get_model_matrix(self.reports), dtype=float), columns=self.terms)
        y = pd.Series(self.proportions[:, topic], name=self.labels[topic])
        return sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": self.groups})

    def _grid_values(self, variable: str) -> list[Any]:
        column = self.reports[variable]
        values = column.dropna().unique()
        if pd.api.types.is_numeric_dtype(column) and variable != "year" and len(values) > 50:
            return sorted(set(np.quantile(column.dropna().astype(float), np.linspace(0.1, 0.9, 9))))
        return sorted(values)

    def _mean_rows(self, grid: pd.DataFrame, over: Sequence[str]) -> np.ndarray:
        """Design rows, one per grid row, averaged over the reports' own values of the variables not in ``over``."""
        others = [v for v in self.variables if v not in over]
        if others:
            mix = self.reports[others].value_counts(dropna=False).reset_index(name="weight")
        else:
            mix = pd.DataFrame({"weight": [len(self.reports)]})
        frames = [mix.assign(**{v: row[v] for v in over}) for _, row in grid.iterrows()]
        data = pd.concat(frames, ignore_index=True)
        if "year" in data.columns:
            data["year"] = integer_years(data["year"])
        matrix = np.asarray(self.spec.get_model_matrix(data), dtype=float)
        weights = mix["weight"].to_numpy(float)
        return (matrix.reshape(len(grid), len(mix), -1) * weights[None, :, None]).sum(axis=1) / weights.sum()

    def _grid(self, over: Sequence[str], values: Mapping[str, Sequence[Any]] | None) -> pd.DataFrame:
        values = dict(values or {})
        unknown = [v for v in [*over, *values] if v not in self.variables]
        if unknown:
            raise ValueError(f"{unknown} not in the formula's variables {self.variables}")
        axes = [values.get(v, self._grid_values(v)) for v in over]
        if not over:
            return pd.DataFrame(index=[0])
        grid = pd.MultiIndex.from_product(axes, names=list(over)).to_frame(index=False)
        if "year" in grid.columns:
            grid["year"] = integer_years(grid["year"])
        return grid

    def _counts(self, grid: pd.DataFrame, over: Sequence[str]) -> np.ndarray:
        if not over:
            return np.array([len(self.reports)])
        counts = self.reports.groupby(list(over), dropna=True).size()
        keys = [tuple(row) if len(over) > 1 else row[0] for row in grid[list(over)].itertuples(index=False)]
        return counts.reindex(keys, fill_value=0).to_numpy()

    def expected(self, over: Sequence[str] | str | None = None,
                 values: Mapping[str, Sequence[Any]] | None = None, observed: bool = True) -> pd.DataFrame:
        """Expected prevalence of each topic over a grid of the ``over`` covariates, with intervals.

        ``over`` defaults to every variable of the formula (e.g. each year by level); covariates
        left out are averaged over the reports as they are (the mix of reports held fixed).
        ``values`` overrides a covariate's grid (default: its distinct values in the fit, years
        as ``Int64``). With ``observed`` (the default, and unless ``values`` are given) only
        points of the grid that have reports in the fit are kept: no prediction for provinces in
        a year with only national reports; ``observed=False`` gives the whole grid,
        extrapolations included. Columns: topic, label,
        the ``over`` covariates, prevalence, ci_low, ci_high, n_reports (reports in the fit at
        that point of the grid), weighting.
        """
        over = self.variables if over is None else [over] if isinstance(over, str) else list(over)
        grid = self._grid(over, values)
        if observed and values is None:
            grid = grid[self._counts(grid, over) > 0].reset_index(drop=True)
        mean, low, high, _ = self._summary(self._mean_rows(grid, over))
        counts = self._counts(grid, over)
        frames = [
            grid.assign(topic=topic, label=self.labels[topic], prevalence=mean[:, topic], ci_low=low[:, topic],
                        ci_high=high[:, topic], n_reports=counts)
            for topic in range(len(self.labels))
        ]
        table = pd.concat(frames, ignore_index=True)
        table = table[["topic", "label", *over, "prevalence", "ci_low", "ci_high", "n_reports"]].assign(
            weighting="report")
        table.attrs.update(kind="expected", level=self.level, weighting="report", formula=self.description)
        return table

    def differences(self, over: str = "year",
                    periods: Mapping[str, tuple[Any, Any]] | Sequence[tuple[Any, Any]] | None = None,
                    within: Sequence[str] | str = ()) -> pd.DataFrame:
        """Differences in expected prevalence between consecutive values of ``over`` (year to year), with intervals.

        Other covariates are averaged over the reports (the mix of reports held fixed), except
        those named in ``within``, whose every value gets its own differences. ``periods`` (a
        mapping name -> (first, last) or a list of (first, last), inclusive) compares
        consecutive periods instead, each the mean of its years in the fit. Columns: topic,
        label, the ``within`` covariates, from, to, difference, ci_low, ci_high.
        """
        within = [within] if isinstance(within, str) else list(within)
        if over not in self.variables:
            raise ValueError(f"{over!r} not in the formula's variables {self.variables}")
        steps = self._grid_values(over)
        if periods is None:
            names = [str(s) for s in steps]
            members = [[s] for s in steps]
        else:
            items = (list(periods.items()) if isinstance(periods, Mapping)
                     else [(f"{a}-{b}", (a, b)) for a, b in periods])
            names = [name for name, _ in items]
            members = [[s for s in steps if a <= s <= b] for _, (a, b) in items]
            empty = [name for name, m in zip(names, members) if not m]
            if empty:
                raise ValueError(f"periods without any {over} in the fit: {empty}")
        grid = self._grid([*within, over], {over: steps})
        design = self._mean_rows(grid, [*within, over])
        position = {s: i for i, s in enumerate(steps)}
        rows = []
        cells = grid.groupby(within, sort=False).indices.items() if within else [((), np.arange(len(grid)))]
        for key, idx in cells:
            key = key if isinstance(key, tuple) else (key,)
            by_step = design[idx][np.argsort([position[s] for s in grid[over].iloc[idx]])]
            periods_rows = np.stack([by_step[[position[s] for s in m]].mean(axis=0) for m in members])
            mean, low, high, _ = self._summary(periods_rows[1:] - periods_rows[:-1])
            for i in range(len(members) - 1):
                for topic in range(len(self.labels)):
                    rows.append((topic, self.labels[topic], *key, names[i], names[i + 1], mean[i, topic],
                                 low[i, topic], high[i, topic]))
        table = pd.DataFrame(rows, columns=["topic", "label", *within, "from", "to", "difference", "ci_low", "ci_high"])
        if periods is None and over == "year":
            table["from"], table["to"] = integer_years(table["from"]), integer_years(table["to"])
        return table.sort_values(["topic", *within], kind="stable", ignore_index=True)


def _variables(formula: str, columns: Sequence[str]) -> list[str]:
    """Columns the formula names (identifiers that are columns), in order of appearance."""
    found = [name for name in _IDENTIFIER.findall(formula) if name in columns]
    return list(dict.fromkeys(found))


def _report_frame(units: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """One row per report with the given columns; each must be constant within a report."""
    varying = [c for c in columns if (units.groupby("doc_id", sort=False)[c].nunique(dropna=False) > 1).any()]
    if varying:
        raise ValueError(f"{varying} vary within reports: effects regress report-level proportions on report-level"
                         " covariates")
    return units.drop_duplicates("doc_id")[["doc_id", *columns]].reset_index(drop=True)


def _check_rank(x: np.ndarray, terms: Sequence[str]) -> None:
    n, p = x.shape
    if n <= p:
        raise ValueError(f"{n} reports for {p} coefficients ({', '.join(terms)}): simplify the formula")
    rank = np.linalg.matrix_rank(x)
    if rank < p:
        # the column whose removal restores full rank is one that others explain
        dependent = [t for i, t in enumerate(terms) if np.linalg.matrix_rank(np.delete(x, i, axis=1)) == rank]
        raise ValueError(f"the design is singular (rank {rank} of {p}): {dependent} are linear combinations of"
                         " the other columns; drop one")


def _pretty(term: str, spline: str | None) -> str:
    return term.replace(spline, "year_spline") if spline else term


def estimate_effects(
    units: pd.DataFrame,
    gamma: np.ndarray,
    formula: str = "year_spline + level",
    labels: Sequence[str] | None = None,
    cluster: str | None = "unit",
    n_draws: int = 1000,
    level: float = 0.95,
    seed: int = 20240601,
    year_df: int | None = None,
    model_uncertainty: bool = True,
) -> TopicEffects:
    """Regress report-level topic proportions on covariates by the method of composition (see the module docstring).

    ``units`` is the units frame of :func:`unit_topics` (doc_id, n_tokens and the covariates,
    constant within each report), ``gamma`` each unit's Dirichlet parameters
    (``LdaTopics.gamma_``; proportions with ``model_uncertainty=False``). ``formula`` is the
    right-hand side; ``year_spline`` stands for a natural spline of the year with ``year_df``
    degrees of freedom (default :func:`spline_df`). ``cluster`` names the column of the issuing
    unit (``None``: each report its own cluster, HC1); a report lacking it is its own cluster.
    Reports missing a covariate, or without tokens, are left out (``excluded``).

    One report (of one unit) per government; counties write 20 points more about topic 0:

    >>> rng = np.random.default_rng(0)
    >>> county = np.arange(40) >= 20
    >>> units = pd.DataFrame({"doc_id": np.arange(40), "unit": np.arange(40), "n_tokens": 50,
    ...                       "level": np.where(county, "county", "city")})
    >>> share = 0.4 + 0.2 * county + rng.normal(0, 0.05, 40)
    >>> gamma = 300 * np.c_[share, 1 - share]
    >>> fit = estimate_effects(units, gamma, "level", n_draws=200)
    >>> row = fit.coefficients().query("topic == 0 and term == 'level[T.county]'").iloc[0]
    >>> print(f"{row.estimate:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}]")
    0.21 [0.18, 0.24]
    """
    import formulaic

    gamma = np.asarray(gamma, dtype=float)
    if gamma.shape[0] != len(units):
        raise ValueError(f"gamma has {gamma.shape[0]} rows for {len(units)} units")
    k = gamma.shape[1]
    labels = list(labels) if labels is not None else [f"topic {i}" for i in range(k)]
    units = units.reset_index(drop=True)
    if "year" in units.columns:
        units = units.assign(year=integer_years(units["year"]))
    probe = _SPLINE.sub("year", formula)
    variables = _variables(probe, [c for c in units.columns if c not in ("doc_id", "n_tokens", "tokens", "text")])
    if cluster is not None and cluster not in units.columns:
        raise ValueError(f"no column {cluster!r} to cluster by; pass cluster=None for HC1")
    report_columns = list(dict.fromkeys([*variables, *([cluster] if cluster else [])]))
    _report_frame(units, report_columns)  # a covariate that varies within a report fails here, before any exclusion
    excluded = exclusions(units, variables)
    keep = units[variables].notna().all(axis=1).to_numpy() & (units["n_tokens"].fillna(0).to_numpy() > 0)
    kept = units[keep].reset_index(drop=True)
    gamma = gamma[keep]
    reports = _report_frame(kept, report_columns)
    order = np.argsort(pd.Index(reports["doc_id"]).get_indexer(kept["doc_id"]), kind="stable")
    kept, gamma = kept.iloc[order].reset_index(drop=True), gamma[order]
    report_of_unit = pd.Index(reports["doc_id"]).get_indexer(kept["doc_id"])
    starts = np.flatnonzero(np.r_[True, report_of_unit[1:] != report_of_unit[:-1]])  # units of a report together

    notes: list[str] = []
    fitted_formula, spline, df = formula, None, None
    if _SPLINE.search(formula):
        n_years = reports["year"].nunique()
        df = year_df if year_df is not None else spline_df(n_years)
        if df >= max(n_years, 2):
            raise ValueError(f"year_df={df} needs more than {n_years} distinct years; at most {n_years - 1}")
        if df == 0:
            fitted_formula = _SPLINE.sub("1", formula)
            notes.append(f"year_spline dropped: {n_years} distinct year(s)")
            df = None
        elif df == 1:  # a natural spline without interior knots is a straight line (and formulaic's cr needs one)
            fitted_formula = _SPLINE.sub("year", formula)
        else:
            spline = f"cr(year, df={df}, constraints='center')"
            fitted_formula = _SPLINE.sub(spline, formula)
    for v in variables:
        if reports[v].nunique() == 1:
            notes.append(f"{v} takes one value ({reports[v].iloc[0]}): no effect of it can be estimated")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        matrix = formulaic.model_matrix(fitted_formula, reports, na_action="raise")
    x = np.asarray(matrix, dtype=float)
    terms = [_pretty(t, spline) for t in matrix.columns]
    _check_rank(x, terms)

    known = reports[cluster].notna() if cluster is not None else pd.Series(False, index=reports.index)
    if cluster is None:
        groups, cov_type = np.arange(len(reports)), "HC1"
    elif not known.any():
        groups, cov_type = np.arange(len(reports)), f"HC1 (no report has a {cluster}: each is its own cluster)"
        notes.append(cov_type)
    elif reports.loc[known, cluster].nunique() < 2 and known.all():
        groups, cov_type = np.arange(len(reports)), f"HC1 (one {cluster}: reports cannot be clustered)"
        notes.append(cov_type)
    else:
        ids = reports[cluster].astype(object).where(known, "report:" + reports["doc_id"].astype(str))
        groups, cov_type = pd.factorize(ids)[0], f"cluster({cluster})"
        if not known.all():
            notes.append(f"{int((~known).sum())} report(s) without a {cluster}: each is its own cluster")
    n_clusters = int(groups.max()) + 1
    if cov_type.startswith("cluster") and n_clusters < _FEW_CLUSTERS:
        notes.append(f"only {n_clusters} clusters: cluster-robust standard errors may be too small")

    centres, draws = _compose(x, groups, starts, kept["n_tokens"].to_numpy(float), gamma, n_draws,
                     np.random.default_rng(seed), model_uncertainty)
    return TopicEffects(formula=formula, fitted_formula=fitted_formula, terms=terms, labels=labels, draws=draws,
                        centres=centres, reports=reports,
                        variables=variables, excluded=excluded, cov_type=cov_type, n_clusters=n_clusters,
                        year_df=df, level=level, spec=matrix.model_spec, notes=notes, groups=groups,
                        proportions=_report_proportions(gamma / gamma.sum(axis=1, keepdims=True),
                                                        kept["n_tokens"].to_numpy(float), starts))


def _scores(x: np.ndarray, residuals: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Cluster sums of x_i * e_ik: G x p x K."""
    n, p = x.shape
    n_groups = int(groups.max()) + 1
    indicator = sparse.csr_matrix((np.ones(n), (groups, np.arange(n))), shape=(n_groups, n))
    return np.asarray(indicator @ (x[:, :, None] * residuals[:, None, :]).reshape(n, -1)).reshape(n_groups, p, -1)


def _correction(n: int, p: int, n_groups: int) -> float:
    return n_groups / (n_groups - 1) * (n - 1) / (n - p)


def cluster_covariance(x: np.ndarray, residuals: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """CR1 cluster-robust covariances (K x p x p) of OLS fits on ``x``, one per column of ``residuals``.

    The sandwich ``(X'X)^-1 (sum_g X_g' e_g e_g' X_g) (X'X)^-1`` times ``G/(G-1) (N-1)/(N-p)``:
    statsmodels' ``cov_type="cluster"`` with its default corrections, for all topics at once.
    """
    n, p = x.shape
    scores = _scores(x, residuals, groups)
    bread = np.linalg.inv(x.T @ x)
    meat = np.einsum("gpk,gqk->kpq", scores, scores)
    return _correction(n, p, scores.shape[0]) * bread[None] @ meat @ bread[None]


def _report_proportions(theta: np.ndarray, tokens: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each report's topic proportions (R x K): its units' proportions weighted by their tokens."""
    return np.add.reduceat(tokens[:, None] * theta, starts) / np.add.reduceat(tokens, starts)[:, None]


def _compose(x: np.ndarray, groups: np.ndarray, starts: np.ndarray, tokens: np.ndarray, gamma: np.ndarray,
             n_draws: int, rng: np.random.Generator, model_uncertainty: bool) -> tuple[np.ndarray, np.ndarray]:
    """OLS fits to posterior draws and coefficient draws (each n_draws x K x p) by the method of composition.

    Each coefficient draw is ``beta + sqrt(c) (X'X)^-1 sum_g xi_g s_g`` with ``xi_g`` standard
    normal per cluster and ``s_g`` the cluster's score sums: normal with the CR1 covariance of
    :func:`cluster_covariance`, jointly over terms and topics, then scaled by
    ``sqrt(nu / chi2_nu)`` with ``nu = min(G - 1, N - p)``, which makes it Student t: with few
    clusters the sandwich is too small, and t(G - 1) is the reference Stata and the
    cluster-robust literature use (Cameron and Miller 2015). As every report's residuals sum to
    zero over topics, so does every draw's deviation: expected prevalence sums to 1 over topics
    in each draw.
    """
    n, p = x.shape
    bread = np.linalg.inv(x.T @ x)
    projection = bread @ x.T  # p x R: OLS coefficients of any response
    n_groups = int(groups.max()) + 1
    scale = np.sqrt(_correction(n, p, n_groups))
    nu = min(n_groups - 1, n - p)
    gamma32 = gamma.astype(np.float32)
    mean = gamma / gamma.sum(axis=1, keepdims=True)

    def fit(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y = _report_proportions(theta, tokens, starts)
        beta = projection @ y
        return beta, _scores(x, y - x @ beta, groups)

    centres, draws = np.empty((2, n_draws, gamma.shape[1], p))
    if not model_uncertainty:
        beta, scores = fit(mean)
    for d in range(n_draws):
        if model_uncertainty:
            sample = rng.standard_gamma(gamma32, dtype=np.float32)
            beta, scores = fit((sample / sample.sum(axis=1, keepdims=True)).astype(float))
        t_scale = np.sqrt(nu / rng.chisquare(nu))
        shock = scale * t_scale * bread @ np.einsum("g,gpk->pk", rng.standard_normal(n_groups), scores)
        centres[d], draws[d] = beta.T, (beta + shock).T
    return centres, draws
