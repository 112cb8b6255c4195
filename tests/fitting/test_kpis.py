"""KPIs: the one function checked by hand, the KPI file's refusals, the claims log, the fit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import loyaltysim as ls
from loyaltysim.cli import main
from loyaltysim.errors import ParameterError
from loyaltysim.fitting import (
    CLAIM_OUTCOMES,
    INFORMS,
    KPIs,
    compute_kpis,
    fit,
    read_claims,
    read_kpis,
    synthetic_claims,
    synthetic_log,
)
from loyaltysim.fitting.clientdata import SYNTHETIC_START
from loyaltysim.fitting.kpis import CLAIM_KPIS, basket_from_kpis
from loyaltysim.simulation import simulate


def frame(rows, columns=("customer_id", "date", "amount_usd")):
    data = pd.DataFrame(rows, columns=list(columns))
    data["date"] = pd.to_datetime(data["date"])
    return data


# months 1..6: a buys in 1, 2 (twice) and 6; b in 2; c in 4
LOG = frame(
    [
        ("a", "2025-01-05", 10.0),
        ("a", "2025-02-01", 20.0),
        ("a", "2025-02-20", 30.0),
        ("b", "2025-02-10", 40.0),
        ("c", "2025-04-03", 50.0),
        ("a", "2025-06-30", 30.0),
    ]
)
# claims in months 2 (a, paid, public), 3 (b, rejected), 5 (c, reversed) and 7 (after the log)
CLAIMS = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "a"],
        "date": pd.to_datetime(["2025-02-02", "2025-03-01", "2025-05-09", "2025-07-01"]),
        "value_usd": [8.0, 100.0, 12.0, 5.0],
        "outcome": ["paid", "rejected", "reversed", "paid"],
        "public": [True, False, True, False],
    }
)


def test_compute_kpis_by_hand():
    # active (bought in the month or the 2 before): a in 1-4 and 6, b in 2-4, c in 4-6;
    # per month 1..6: 1, 2, 2, 3, 1, 2; months 3..6: 2, 3, 1, 2
    kpis = compute_kpis(LOG)
    assert kpis["active_customers"] == pytest.approx(8 / 4)
    # still active next month, months 3..5: 2 of 2, 1 of 3 (c), 1 of 1
    assert kpis["monthly_retention"] == pytest.approx(4 / 6)
    # purchases in months 3..6: c's and a's last, over 8 active customer-months
    assert kpis["purchases_per_active_customer"] == pytest.approx(2 / 8)
    # first purchases in months 2..6: b (2) and c (4), over 5 months
    assert kpis["new_customers_per_month"] == pytest.approx(2 / 5)
    amounts = LOG["amount_usd"].to_numpy()
    assert kpis["basket_mean_usd"] == pytest.approx(amounts.mean())
    assert kpis["basket_sd_usd"] == pytest.approx(amounts.std())
    assert list(kpis) == [name for name in KPIs().given() or INFORMS if name not in CLAIM_KPIS]


def test_claim_kpis_by_hand():
    kpis = compute_kpis(LOG, CLAIMS)
    # claims of months 3..6: b's (3) and c's (5), over 8 active customer-months; c's public
    assert kpis["claim_rate"] == pytest.approx(2 / 8)
    assert kpis["complaint_rate"] == pytest.approx(1 / 8)
    # paid within the log's months: a's 8 and c's reversed 12, over revenue 180
    assert kpis["refund_share"] == pytest.approx(20 / 180)
    assert "audited_fraud_share" not in kpis  # a client's log has no audit of each claim
    assert "complaint_rate" not in compute_kpis(LOG, CLAIMS.drop(columns="public"))


def test_the_models_claims_are_written_as_a_clients_and_recounted():
    scenario = ls.Scenario(n_customers=2_000, horizon_months=12, fraud_propensity_max=0.3)
    model = simulate(scenario, "verify_first", 3, purchase_log=True, claim_log=True)
    claims = synthetic_claims(model.claim_log.frame())
    log = synthetic_log(model.purchase_log.frame())
    assert set(claims["outcome"]) <= set(CLAIM_OUTCOMES) and len(claims) > 20
    assert {"rejected", "checked_paid"} <= set(claims["outcome"])
    kpis = compute_kpis(log, claims, 12, SYNTHETIC_START)
    records = model.claim_log.frame()
    assert kpis["audited_fraud_share"] == pytest.approx((records["kind"] == "fraudulent").mean())
    paid = records.loc[records["paid"], "value_usd"].sum()
    assert kpis["refund_share"] == pytest.approx(paid / log["amount_usd"].sum())


def test_the_example_kpi_file_is_read():
    kpis = read_kpis("examples/kpis.toml")
    assert kpis.period_months == 24 and kpis.monthly_retention == 0.9
    assert set(kpis.given()) == set(INFORMS)
    basket = basket_from_kpis(kpis)
    assert basket["basket_value_usd"] == 85.0
    assert math.sqrt(math.exp(basket["basket_value_sigma"] ** 2) - 1) == pytest.approx(60 / 85)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "[kpis]\nmonthly_retention = 1.5\n",
            "kpis.monthly_retention: got 1.5; accepts a number in [0, 1]",
        ),
        ("[kpis]\nmonthly_retntion = 0.9\n", "did you mean 'monthly_retention'?"),
        ("[kpis]\nclaim_rate = 'high'\n", "kpis.claim_rate: got 'high'"),
        ("[kpis]\nperiod_months = 3\nclaim_rate = 0.1\n", "kpis.period_months: got 3"),
        ("[kpis]\nbasket_mean_usd = 40.0\n", "accepts at least one of monthly_retention"),
        ("[kpis]\nmonthly_retention = 0.9\nbasket_sd_usd = 3.0\n", "kpis.basket_mean_usd"),
        ("[scenario]\nn_customers = 10\n", "kpis.toml: [scenario]: got 'an unknown table'"),
        ("[kpi]\nclaim_rate = 0.1\n", "did you mean 'kpis'?"),
        ("kpis = 3\n", "[kpis]: got 3; accepts a KPI file with one [kpis] table"),
        ("[kpis]\nnew_customers_per_month = 40\n", "kpis.active_customers: got 'nothing'"),
    ],
)
def test_a_bad_kpi_file_exits_2_in_one_line_and_writes_nothing(tmp_path, capsys, text, says):
    data = tmp_path / "kpis.toml"
    data.write_text(text)
    out = tmp_path / "fit"
    assert main(["fit", str(data), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_data_of_another_type_is_refused_naming_both_kinds(tmp_path, capsys):
    data = tmp_path / "kpis.json"
    data.write_text("{}")
    assert main(["fit", str(data), "--out", str(tmp_path / "fit")]) == 2
    err = capsys.readouterr().err
    assert "accepts a transaction log (.csv or .parquet) or a KPI file (.toml)" in err
    assert not (tmp_path / "fit").exists()


def test_options_that_do_not_fit_a_kpi_file_are_refused(tmp_path, capsys):
    claims = tmp_path / "claims.csv"
    CLAIMS.to_csv(claims, index=False)
    out = tmp_path / "fit"
    for args, says in (
        (["--claims", str(claims)], "--claims: got"),
        (["--columns", "date=Day"], "--columns: got 'date'"),
        (["--audited-fraud-share", "1.5"], "--audited-fraud-share: got 1.5; accepts a number"),
    ):
        assert main(["fit", "examples/kpis.toml", "--out", str(out), *args]) == 2
        err = capsys.readouterr().err
        assert says in err and err.count("\n") == 1
    assert not out.exists()


CLAIMS_CSV = "customer_id,date,value_usd,outcome,public\nA,2025-01-03,10,paid,false\n"


def test_a_claims_log_is_read_typed(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(CLAIMS_CSV + "B,2025-02-01 09:00,0,Rejected,1\n")
    claims = read_claims(path)
    assert claims["outcome"].tolist() == ["paid", "rejected"]
    assert claims["public"].tolist() == [False, True]
    assert claims["date"].tolist() == [pd.Timestamp("2025-01-03"), pd.Timestamp("2025-02-01")]
    no_public = tmp_path / "plain.csv"
    no_public.write_text("customer_id,date,value_usd,outcome\nA,2025-01-03,10,paid\n")
    assert "public" not in read_claims(no_public).columns


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("customer_id,date,outcome\nA,2025-01-01,paid\n", "column 'value_usd': got 'no such"),
        (CLAIMS_CSV.replace("2025-01-03", "soon"), "date in row 1: got 'soon'"),
        (CLAIMS_CSV.replace(",10,", ",-10,"), "value_usd in row 1: got '-10'; accepts an amount"),
        (CLAIMS_CSV.replace("paid", "payed"), "did you mean 'paid'?"),
        (CLAIMS_CSV.replace("false", "maybe"), "public in row 1: got 'maybe'"),
    ],
)
def test_a_bad_claims_log_exits_2_in_one_line_and_writes_nothing(tmp_path, capsys, text, says):
    log = tmp_path / "log.csv"
    log.write_text("customer_id,date,amount_usd\nA,2025-01-01,5\n")
    claims = tmp_path / "claims.csv"
    claims.write_text(text)
    out = tmp_path / "fit"
    assert main(["fit", str(log), "--out", str(out), "--claims", str(claims)]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_kpis_refuse_bad_values_from_python():
    with pytest.raises(ParameterError, match="did you mean 'claim_rate'"):
        KPIs.from_dict({"claim_rat": 0.1})
    assert KPIs.from_dict({"claim_rate": 0.1}).given() == {"claim_rate": 0.1}


#: A market whose churn is far from the prior's median (log-uniform from 1e-4 to 1: 0.01).
TRUTH = ls.Scenario(
    n_customers=1_000,
    horizon_months=12,
    purchase_probability_mean=0.85,
    purchase_probability_dispersion=0.05,
    base_monthly_churn=0.2,
    churn_loyalty_sensitivity=0.0,
)


@pytest.mark.slow
def test_a_fit_to_kpis_moves_churn_toward_the_truth_and_lists_the_uninformed(tmp_path, capsys):
    model = simulate(TRUTH, "always_compensate", 11, purchase_log=True)
    values = compute_kpis(synthetic_log(model.purchase_log.frame()), None, 12, SYNTHETIC_START)
    data = tmp_path / "kpis.toml"
    data.write_text(
        "[kpis]\nperiod_months = 12\n"
        f"monthly_retention = {values['monthly_retention']}\n"
        f"purchases_per_active_customer = {values['purchases_per_active_customer']}\n"
    )
    out = tmp_path / "fit"
    small = ["--particles", "30", "--generations", "3", "--check-draws", "10", "--seed", "1"]
    assert main(["fit", str(data), "--out", str(out), "--market-size", "1000", *small]) == 0
    parameters = pd.read_csv(out / "parameters.csv").set_index("parameter")
    # the posterior median of churn (fitted as log10) is nearer the truth than the prior's
    churn = np.log10(parameters.loc["base_monthly_churn", "median"])
    assert abs(churn - np.log10(0.2)) < abs(-2.0 - np.log10(0.2))
    not_fitted = parameters.index[parameters["fitted_as"] == "not fitted"].tolist()
    assert not_fitted == [
        "initial_active_share",
        "advertising_rate",
        "imitation_rate",
        "complaint_propensity_mean",
        "fraud_propensity_max",
        "public_share",
    ]
    assert not parameters.loc[not_fitted, "informed"].any()
    report = (out / "report.md").read_text()
    assert (
        "Not informed by these data" in report
        and "advertising_rate" in report.split("Not informed by these data")[1]
    )
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert list(posterior.columns) == [
        "purchase_probability_mean",
        "purchase_probability_dispersion",
        "base_monthly_churn",
        "churn_loyalty_sensitivity",
        "weight",
    ]
    fitted = ls.Scenario.from_toml(out / "scenario.toml")
    assert fitted.horizon_months == 12 and fitted.n_customers == 1000
    assert fitted.advertising_rate == ls.Scenario().advertising_rate
    capsys.readouterr()


@pytest.mark.slow
def test_a_claims_log_and_an_audit_fit_the_claim_parameters(tmp_path):
    truth = ls.Scenario(n_customers=1_500, horizon_months=12, fraud_propensity_max=0.5)
    model = simulate(truth, "always_compensate", 5, purchase_log=True, claim_log=True)
    log = synthetic_log(model.purchase_log.frame())
    claims = synthetic_claims(model.claim_log.frame())
    share = float(claims["fraudulent"].mean())
    result = fit(
        log,
        tmp_path / "fit",
        claims=claims.drop(columns="fraudulent"),
        audited_fraud_share=share,
        market_size=1_500,
        particles=20,
        generations=2,
        check_draws=10,
        rng=3,
    )
    parameters = result.parameters.set_index("parameter")
    assert {"complaint_propensity_mean", "fraud_propensity_max", "public_share"} <= set(
        result.posterior.columns
    )
    assert set(result.predictive["summary"]) >= {
        "claim_rate",
        "complaint_rate",
        "refund_share",
        "audited_fraud_share",
    }
    # fitted as log10 from 1e-4 to 1 (prior median 0.01): the audit moves it toward 0.5
    fraud = np.log10(parameters.loc["fraud_propensity_max", "median"])
    assert abs(fraud - np.log10(0.5)) < abs(-2.0 - np.log10(0.5))


@pytest.mark.slow
def test_claim_kpis_alone_fit_the_claim_propensities_toward_the_truth(tmp_path):
    base = ls.Scenario(failure_rate=0.1)
    truth = base.replace(n_customers=2_000, horizon_months=12, complaint_propensity_mean=0.9)
    model = simulate(truth, "always_compensate", 5, purchase_log=True, claim_log=True)
    log = synthetic_log(model.purchase_log.frame())
    values = compute_kpis(log, synthetic_claims(model.claim_log.frame()), 12, SYNTHETIC_START)
    kpis = KPIs(claim_rate=values["claim_rate"], audited_fraud_share=values["audited_fraud_share"])
    result = fit(
        kpis,
        tmp_path / "fit",
        base=base,
        market_size=2_000,
        particles=20,
        generations=2,
        check_draws=10,
        rng=1,
    )
    assert list(result.posterior.columns) == [
        "complaint_propensity_mean",
        "fraud_propensity_max",
        "weight",
    ]
    parameters = result.parameters.set_index("parameter")
    # uniform prior on [0, 1] (median 0.5): the claim rate moves it toward 0.9
    median = parameters.loc["complaint_propensity_mean", "median"]
    assert abs(median - 0.9) < abs(0.5 - 0.9)
    assert parameters.loc["complaint_propensity_mean", "informed"]
    assert (
        parameters.loc[["base_monthly_churn", "public_share"], "fitted_as"] == "not fitted"
    ).all()
