import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from govtopics.effects import cluster_covariance, estimate_effects, spline_df

YEARS = [2019, 2020, 2021, 2022]
COUNTY_EFFECT = 0.10  # counties write this much more about topic 0
YEARLY_RISE = 0.02  # topic 1 rises this much a year everywhere


def synthetic(n_govs=40, years=YEARS, units_per_report=6, gov_sd=0.0, concentration=400.0, seed=0):
    """Report units of ``n_govs`` governments, one report a year each, three topics.

    Counties write COUNTY_EFFECT more about topic 0, topic 1 rises YEARLY_RISE a year, and
    ``coastal`` (drawn independently of everything) changes nothing. ``gov_sd`` gives each
    government a lasting lean towards topic 0 (its reports are not independent).
    """
    rng = np.random.default_rng(seed)
    county = rng.permutation(np.arange(n_govs) % 2 == 0)
    coastal = rng.random(n_govs) < 0.5
    lean = rng.normal(0, gov_sd, n_govs)
    rows, gamma = [], []
    for gov in range(n_govs):
        for year in years:
            shares = np.array([0.3 + COUNTY_EFFECT * county[gov] + lean[gov],
                               0.3 + YEARLY_RISE * (year - years[0]), 0.0])
            shares += rng.normal(0, 0.03, 3) * [1, 1, 0]  # report-to-report variation
            shares[2] = 1 - shares[:2].sum()
            for i in range(units_per_report):
                theta = rng.dirichlet(60 * shares)  # units of a report differ around it
                rows.append({"doc_id": f"g{gov}-{year}", "unit_index": i, "year": year, "unit": f"gov{gov}",
                             "level": "county" if county[gov] else "city", "coastal": bool(coastal[gov]),
                             "n_tokens": int(rng.integers(20, 60))})
                gamma.append(concentration * theta + 0.1)
    return pd.DataFrame(rows), np.array(gamma)


def term_row(fit, topic, term):
    table = fit.coefficients()
    return table[(table["topic"] == topic) & (table["term"] == term)].iloc[0]


@pytest.fixture(scope="module")
def fitted():
    units, gamma = synthetic()
    return units, gamma, estimate_effects(units, gamma, "year_spline + level + coastal", n_draws=300)


def test_a_true_effect_is_recovered_and_a_null_covariate_contains_zero(fitted):
    _, _, fit = fitted
    county = term_row(fit, 0, "level[T.county]")
    assert county["ci_low"] < COUNTY_EFFECT < county["ci_high"]
    assert county["ci_low"] > 0.05 and county["ci_high"] - county["ci_low"] < 0.06  # informative, not just wide
    for topic in range(3):
        coastal = term_row(fit, topic, "coastal")
        assert coastal["ci_low"] < 0 < coastal["ci_high"]
    other = term_row(fit, 1, "level[T.county]")  # level says nothing about topic 1
    assert other["ci_low"] < 0 < other["ci_high"]


def test_year_to_year_differences_recover_the_rise(fitted):
    _, _, fit = fitted
    diffs = fit.differences("year")
    rise = diffs[diffs["topic"] == 1]
    assert rise[["from", "to"]].values.tolist() == [[2019, 2020], [2020, 2021], [2021, 2022]]
    assert str(rise["from"].dtype) == "Int64"
    assert ((rise["ci_low"] < YEARLY_RISE) & (YEARLY_RISE < rise["ci_high"])).all()
    periods = fit.differences("year", periods={"early": (2019, 2020), "late": (2021, 2022)})
    late = periods[periods["topic"] == 1].iloc[0]
    assert (late["from"], late["to"]) == ("early", "late")
    assert late["ci_low"] < 2 * YEARLY_RISE < late["ci_high"]  # mean of 2021-22 minus mean of 2019-20


def test_expected_grid_each_year_by_level(fitted):
    units, _, fit = fitted
    assert len(fit.expected()) == 3 * len(YEARS) * 2 * 2  # by default every covariate's values
    grid = fit.expected(over=["year", "level"])
    assert list(grid.columns[:4]) == ["topic", "label", "year", "level"]
    assert len(grid) == 3 * len(YEARS) * 2  # coastal averaged over the reports
    assert str(grid["year"].dtype) == "Int64"
    reports = units.drop_duplicates("doc_id")
    expected_n = reports.groupby(["year", "level"]).size()
    got_n = grid[grid["topic"] == 0].set_index(["year", "level"])["n_reports"]
    assert got_n.sort_index().tolist() == expected_n.sort_index().tolist()
    by_level = grid[grid["topic"] == 0].groupby("level")["prevalence"].mean()
    assert by_level["county"] - by_level["city"] == pytest.approx(COUNTY_EFFECT, abs=0.03)
    np.testing.assert_allclose(grid.groupby(["year", "level"])["prevalence"].sum(), 1.0, atol=1e-9)


def test_expected_of_group_dummies_is_the_hand_computed_group_mean():
    # Two reports per level, one topic's shares known exactly: OLS on level dummies gives each level's mean.
    units = pd.DataFrame({"doc_id": ["a", "a", "b", "c", "d"], "unit": ["u1", "u1", "u2", "u3", "u4"],
                          "level": ["city", "city", "city", "county", "county"], "n_tokens": [10, 30, 20, 10, 10]})
    gamma = np.array([[9.0, 1.0], [1.0, 9.0], [5.0, 5.0], [2.0, 8.0], [4.0, 6.0]])
    fit = estimate_effects(units, gamma, "level", n_draws=50, model_uncertainty=False)
    got = fit.expected().query("topic == 0").set_index("level")["prevalence"]
    # report a: (10*0.9 + 30*0.1)/40 = 0.3; b: 0.5 -> city 0.4; c 0.2, d 0.4 -> county 0.3
    assert got["city"] == pytest.approx(0.4, abs=0.02)
    assert got["county"] == pytest.approx(0.3, abs=0.02)


def test_clustering_widens_intervals_when_units_repeat():
    units, gamma = synthetic(n_govs=30, years=list(range(2015, 2023)), gov_sd=0.05, seed=3)
    clustered = term_row(estimate_effects(units, gamma, "year_spline + level", n_draws=200), 0, "level[T.county]")
    naive = term_row(estimate_effects(units, gamma, "year_spline + level", cluster=None, n_draws=200), 0,
                     "level[T.county]")
    width = lambda row: row["ci_high"] - row["ci_low"]  # noqa: E731
    # 8 reports per government share its lean: the effective sample is nearer 30 than 240
    assert width(clustered) > 1.8 * width(naive)
    assert clustered["ci_low"] < COUNTY_EFFECT < clustered["ci_high"]


def test_cluster_covariance_matches_statsmodels():
    rng = np.random.default_rng(7)
    n = 60
    x = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n)])
    y = rng.normal(size=(n, 3)) + x @ rng.normal(size=(3, 3))
    groups = rng.integers(0, 12, n)
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    ours = cluster_covariance(x, y - x @ beta, groups)
    for k in range(3):
        reference = sm.OLS(y[:, k], x).fit(cov_type="cluster", cov_kwds={"groups": groups}).cov_params()
        np.testing.assert_allclose(ours[k], reference, rtol=1e-10)


def test_thin_years_do_not_make_the_design_singular():
    # 12 years; 2015's only report is the only city report: a dummy per year is then collinear with level.
    rows, gamma = [], []
    rng = np.random.default_rng(1)
    for year in range(2014, 2026):
        for i in range(1 if year in (2015, 2020) else 3):
            level = "city" if year == 2015 else "county"
            rows.append({"doc_id": f"{year}-{i}", "year": year, "unit": f"u{i}-{year % 3}", "level": level,
                         "n_tokens": 30})
            gamma.append(50 * rng.dirichlet([5, 5, 5]) + 0.5)
    units, gamma = pd.DataFrame(rows), np.array(gamma)
    with pytest.raises(ValueError, match="singular"):
        estimate_effects(units, gamma, "C(year) + level", n_draws=10)
    fit = estimate_effects(units, gamma, "year_spline + level", n_draws=50)
    assert fit.year_df == spline_df(12) == 3
    assert fit.terms == ["Intercept", "year_spline[1]", "year_spline[2]", "year_spline[3]", "level[T.county]"]
    expected = fit.expected(over="year")
    assert sorted(expected["year"].unique()) == list(range(2014, 2026))
    assert np.isfinite(expected[["prevalence", "ci_low", "ci_high"]].to_numpy()).all()


def test_integer_years_survive_a_missing_year_and_the_report_is_excluded_with_its_reason(fitted):
    units, gamma, _ = fitted
    units = units.astype({"year": float})
    units.loc[units["doc_id"] == "g3-2020", "year"] = np.nan  # floats once a year is missing
    fit = estimate_effects(units, gamma, "year_spline + level", n_draws=20)
    assert fit.excluded.values.tolist() == [["g3-2020", "no year"]]
    assert len(fit.reports) == units["doc_id"].nunique() - 1
    assert str(fit.reports["year"].dtype) == "Int64"
    grid = fit.expected(over="year")
    assert str(grid["year"].dtype) == "Int64" and grid["year"].tolist()[:4] == YEARS


def test_model_uncertainty_widens_intervals():
    units, gamma = synthetic(n_govs=20, concentration=8.0, seed=5)  # short units: vague posteriors
    with_model = term_row(estimate_effects(units, gamma, "level", n_draws=300), 0, "level[T.county]")
    without = term_row(estimate_effects(units, gamma, "level", n_draws=300, model_uncertainty=False), 0,
                       "level[T.county]")
    assert with_model["std_error"] > 1.1 * without["std_error"]


def test_deterministic_for_a_seed(fitted):
    units, gamma, fit = fitted
    again = estimate_effects(units, gamma, "year_spline + level + coastal", n_draws=300)
    assert np.array_equal(again.draws, fit.draws)
    other = estimate_effects(units, gamma, "year_spline + level + coastal", n_draws=300, seed=1)
    assert not np.array_equal(other.draws, fit.draws)


def test_one_year_and_one_level_are_noted_not_fitted():
    units, gamma = synthetic(n_govs=12, years=[2026])
    units["level"] = "province"
    fit = estimate_effects(units, gamma, "year_spline + level + coastal", n_draws=20)
    assert fit.terms == ["Intercept", "coastal"]
    assert any("year_spline dropped" in note for note in fit.notes)
    assert any(note.startswith("level takes one value") for note in fit.notes)


def test_one_issuing_unit_falls_back_to_hc1():
    units, gamma = synthetic(n_govs=1, years=list(range(1990, 2002)))
    fit = estimate_effects(units, gamma, "year_spline", n_draws=20)
    assert fit.cov_type.startswith("HC1 (one unit") and fit.n_clusters == 12
    fit = estimate_effects(units.assign(unit=None), gamma, "year_spline", n_draws=20)
    assert fit.cov_type.startswith("HC1 (no report has a unit") and fit.n_clusters == 12


def test_a_report_without_an_issuing_unit_is_its_own_cluster():
    units, gamma = synthetic(n_govs=6)
    units.loc[units["doc_id"].isin(["g0-2019", "g0-2020"]), "unit"] = None
    fit = estimate_effects(units, gamma, "year_spline + level", n_draws=20)
    assert fit.cov_type == "cluster(unit)" and fit.n_clusters == 6 + 2
    assert "2 report(s) without a unit: each is its own cluster" in fit.notes


def test_covariates_must_be_report_level():
    units, gamma = synthetic(n_govs=6)
    units["part"] = np.where(units["unit_index"] < 3, "achievements", "plans")
    with pytest.raises(ValueError, match="vary within reports"):
        estimate_effects(units, gamma, "part", n_draws=5)


def test_draws_have_the_cluster_robust_covariance_and_keep_shares_summing_to_one():
    units, gamma = synthetic(n_govs=24, years=[2020, 2021, 2022], gov_sd=0.03, seed=11)
    fit = estimate_effects(units, gamma, "year_spline + level", n_draws=4000, model_uncertainty=False)
    reports = units.groupby("doc_id", sort=False)
    theta = gamma / gamma.sum(axis=1, keepdims=True)
    y = np.stack([np.average(theta[rows], axis=0, weights=units["n_tokens"].to_numpy()[rows])
                  for rows in reports.indices.values()])
    x = np.asarray(fit.spec.get_model_matrix(fit.reports), dtype=float)
    groups = pd.factorize(fit.reports["unit"])[0]
    for k in range(3):
        reference = sm.OLS(y[:, k], x).fit(cov_type="cluster", cov_kwds={"groups": groups})
        np.testing.assert_allclose(fit.mean_fit(k).cov_params().to_numpy(), reference.cov_params())
        np.testing.assert_allclose(fit.centres[0, k], reference.params, atol=1e-12)
        nu = 24 - 1  # draws are Student t with G - 1 degrees of freedom: variance nu / (nu - 2) times V
        sd = np.sqrt(np.diag(reference.cov_params()) * nu / (nu - 2))
        sample = np.cov(fit.draws[:, k, :].T)  # 4000 draws: about 2% Monte Carlo error
        np.testing.assert_allclose(np.sqrt(np.diag(sample)), sd, rtol=0.05)
        sample_sd = np.sqrt(np.diag(sample))
        np.testing.assert_allclose(sample / np.outer(sample_sd, sample_sd), reference.cov_params() * nu / (nu - 2)
                                   / np.outer(sd, sd), atol=0.06)  # the same correlations
    np.testing.assert_allclose(fit.draws.sum(axis=1), np.tile([1.0, 0, 0, 0], (4000, 1)), atol=1e-9)


def test_two_years_give_a_straight_line_and_recover_their_difference():
    units, gamma = synthetic(n_govs=30, years=[2025, 2026])
    fit = estimate_effects(units, gamma, "year_spline + level", n_draws=200)
    assert fit.year_df == 1 and fit.terms == ["Intercept", "year", "level[T.county]"]
    rise = fit.differences("year").query("topic == 1").iloc[0]
    assert rise["ci_low"] < YEARLY_RISE < rise["ci_high"]
