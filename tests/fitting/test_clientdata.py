"""Reading a client's transaction log: the columns, the mapping, every refusal in one line."""

from __future__ import annotations

import pandas as pd
import pytest

import loyaltysim as ls
from loyaltysim.errors import ParameterError, ScenarioFileError
from loyaltysim.fitting import (
    LOG_COLUMNS,
    read_transactions,
    simulated_log,
    summarize_log,
    synthetic_log,
)

GOOD = "customer_id,date,amount_usd\nA1,2025-01-03,10.5\nB2,2025-02-28,20\nA1,2025-03-01,0\n"


def write(tmp_path, text, name="log.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_csv_log_is_read_typed_and_sorted(tmp_path):
    text = "customer_id,date,amount_usd,shop\nB2,2025-02-28,20,x\nA1,2025-01-03 10:00,10.5,y\n"
    log = read_transactions(write(tmp_path, text))
    assert list(log.columns) == list(LOG_COLUMNS)
    assert log["customer_id"].tolist() == ["A1", "B2"]
    assert log["date"].tolist() == [pd.Timestamp("2025-01-03"), pd.Timestamp("2025-02-28")]
    assert log["amount_usd"].tolist() == [10.5, 20.0]


def test_a_firms_column_names_are_mapped(tmp_path):
    text = "CustNo,OrderDate,Total\n7,2025-01-03,10\n8,2025-02-01,4\n"
    log = read_transactions(
        write(tmp_path, text),
        {"customer_id": "CustNo", "date": "OrderDate", "amount_usd": "Total"},
    )
    assert log["customer_id"].tolist() == ["7", "8"]
    assert log["amount_usd"].sum() == 14.0


def test_parquet_and_csv_give_the_same_log(tmp_path):
    from_csv = read_transactions(write(tmp_path, GOOD))
    frame = pd.read_csv(tmp_path / "log.csv")
    frame["date"] = pd.to_datetime(frame["date"])
    frame.to_parquet(tmp_path / "log.parquet")
    pd.testing.assert_frame_equal(read_transactions(tmp_path / "log.parquet"), from_csv)


@pytest.mark.parametrize(
    ("text", "columns", "says"),
    [
        ("customer_id,date\nA,2025-01-01\n", None, "column 'amount_usd': got 'no such column'"),
        ("cid,date,amount_usd\nA,2025-01-01,1\n", None, "--columns customer_id=NAME"),
        (GOOD.replace("2025-02-28", "28/02/2025"), None, "date in row 2: got '28/02/2025'"),
        (GOOD.replace("2025-02-28", "2025-02-30"), None, "date in row 2"),
        (GOOD.replace(",20\n", ",-20\n"), None, "amount_usd in row 2: got '-20'"),
        (GOOD.replace(",20\n", ",twenty\n"), None, "accepts a number of USD"),
        (GOOD.replace(",20\n", ",inf\n"), None, "accepts a number of USD"),
        (GOOD.replace("B2,", ",", 1), None, "customer_id in row 2"),
        ("customer_id,date,amount_usd\n", None, "at least one row"),
        (GOOD, {"customer": "id"}, "--columns: unknown parameter"),
    ],
)
def test_a_bad_log_is_refused_in_one_line(tmp_path, text, columns, says):
    with pytest.raises(ParameterError) as info:
        read_transactions(write(tmp_path, text), columns)
    message = str(info.value)
    assert says in message and "\n" not in message


def test_a_missing_or_odd_file_is_refused(tmp_path):
    with pytest.raises(ScenarioFileError, match="no such transaction log"):
        read_transactions(tmp_path / "nothing.csv")
    with pytest.raises(ParameterError, match=r"a \.csv or \.parquet"):
        read_transactions(write(tmp_path, GOOD, "log.xlsx"))
    with pytest.raises(ScenarioFileError, match="cannot read"):
        read_transactions(write(tmp_path, "not parquet", "log.parquet"))


def test_the_models_log_is_a_client_log_with_the_ledgers_purchases(tmp_path):
    scenario = ls.Scenario(n_customers=400, horizon_months=14)
    result = ls.run(scenario, rng=3, purchases=True)
    log = synthetic_log(result.purchases)
    assert list(log.columns) == list(LOG_COLUMNS)
    assert len(log) == result.monthly["purchases"].sum()
    assert log["amount_usd"].sum() == pytest.approx(result.monthly["revenue_usd"].sum())
    months = log["date"].dt.year * 12 + log["date"].dt.month
    assert (months - months.min() + 1).max() == 14
    assert (log["date"].dt.day == 1).all()
    # through a file and back, the one summary function sees the same log
    log.to_csv(tmp_path / "synthetic.csv", index=False)
    again = read_transactions(tmp_path / "synthetic.csv")
    assert summarize_log(again, 400) == summarize_log(log, 400)
    pd.testing.assert_frame_equal(simulated_log(scenario, rng=3), log)
