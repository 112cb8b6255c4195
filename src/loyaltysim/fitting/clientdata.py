"""A client's transaction log: its columns, reading and validating it, and the model's own.

A transaction log has one row per purchase and three columns,
:data:`LOG_COLUMNS`: ``customer_id`` (any text or whole number that names a
customer), ``date`` (an ISO date, ``2025-03-14``; a time of day is allowed and
ignored) and ``amount_usd`` (what the purchase came to, zero or more). A
firm's export with other names is mapped to these by ``columns``
(``{"customer_id": "CustomerNo", ...}``; ``--columns`` on the command line).
Other columns are ignored. CSV (``.csv``) and Parquet (``.parquet``) are read.

The model writes the same format (:func:`synthetic_log`): each purchase is
a row dated on the first day of its month, for the buyer's basket, so
observed and simulated logs go through one summary function
(:func:`loyaltysim.fitting.summaries.summarize_log`).

A claims log (optional, ``--claims``) has one row per claim and four
columns, :data:`CLAIM_COLUMNS`: ``customer_id``, ``date``, ``value_usd``
(what was claimed) and ``outcome``, one of :data:`CLAIM_OUTCOMES` (the
model's own answers to a claim); a fifth column ``public`` (true/false:
the claimant also complained in public) is read when present. The model's
claim log is written in the same format by :func:`synthetic_claims`, with a
``fraudulent`` column beside it (what an audit of every claim would find).

Example:
    >>> import loyaltysim as ls
    >>> from loyaltysim.fitting import synthetic_log
    >>> result = ls.run(ls.Scenario(n_customers=500, horizon_months=6), rng=1, purchases=True)
    >>> log = synthetic_log(result.purchases)
    >>> list(log.columns)
    ['customer_id', 'date', 'amount_usd']
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.errors import ParameterError, ScenarioFileError
from loyaltysim.params import MAX_INPUT_BYTES, close_match

__all__ = [
    "CLAIM_COLUMNS",
    "CLAIM_OUTCOMES",
    "LOG_COLUMNS",
    "LOG_SUFFIXES",
    "MAX_LOG_BYTES",
    "PAID_OUTCOMES",
    "SYNTHETIC_START",
    "describe_log",
    "file_digest",
    "read_claims",
    "read_transactions",
    "synthetic_claims",
    "synthetic_log",
    "validate_claims",
    "validate_transactions",
]

#: The transaction log's columns, in order, with their meaning.
LOG_COLUMNS: dict[str, str] = {
    "customer_id": "who bought: any text or whole number naming one customer",
    "date": "when: an ISO date (2025-03-14); a time of day is ignored",
    "amount_usd": "what the purchase came to, in USD (zero or more)",
}

#: The claims log's columns, in order, with their meaning (``public`` is optional).
CLAIM_COLUMNS: dict[str, str] = {
    "customer_id": "who claimed: any text or whole number naming one customer",
    "date": "when the claim was filed: an ISO date (2025-03-14); a time of day is ignored",
    "value_usd": "what was claimed, in USD (zero or more)",
    "outcome": "how the claim ended: one of the outcomes of CLAIM_OUTCOMES",
}

#: The claims log's optional column: the claimant also complained in public (true/false).
PUBLIC_COLUMN = "public"

#: How a claim ended, the model's answers to a claim (papers/odd.md section 7.4): the front
#: line's answer, or ``reversed`` where management took up a rejection or deflection and paid.
CLAIM_OUTCOMES: dict[str, str] = {
    "refunded": "refunded at once under an announced guarantee",
    "paid": "paid at once, no questions asked",
    "checked_paid": "investigated, then paid",
    "deflected": "turned away by the front line, neither paid nor accused",
    "rejected": "investigated, then rejected as fraud",
    "reversed": "rejected or deflected, then taken up by management and paid",
}

#: The outcomes in which the firm paid the claim.
PAID_OUTCOMES = ("refunded", "paid", "checked_paid", "reversed")

_TRUE, _FALSE = ("true", "1", "yes", "y", "t"), ("false", "0", "no", "n", "f", "")

#: File types a transaction log may be.
LOG_SUFFIXES = (".csv", ".parquet")

#: The largest transaction log read, in bytes: a thousand times a scenario file's limit.
MAX_LOG_BYTES = 1_000 * MAX_INPUT_BYTES

#: The date the model's month 1 starts on in a synthetic log.
SYNTHETIC_START = "2025-01-01"


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes, in hex (what a fit folder records of its data)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_transactions(
    path: str | Path, columns: Mapping[str, str] | None = None, *, option: str = "DATA"
) -> pd.DataFrame:
    """Read and validate a transaction log (CSV or Parquet).

    Args:
        path: The file.
        columns: The file's name for each of :data:`LOG_COLUMNS` that it
            names differently (``{"customer_id": "CustomerNo"}``).
        option: What names the file in messages (the command-line argument).

    Returns:
        The log with exactly :data:`LOG_COLUMNS`: ``customer_id`` as text,
        ``date`` as dates, ``amount_usd`` as floats, sorted by date.

    Raises:
        ScenarioFileError: The file is missing, too large, of another type or
            unreadable.
        ParameterError: A column is missing, or a value is bad (see
            :func:`validate_transactions`).
    """
    frame = _read_table(path, LOG_COLUMNS, (), columns, option, "transaction log", "--columns")
    return validate_transactions(frame, str(path))


def read_claims(path: str | Path, *, option: str = "--claims") -> pd.DataFrame:
    """Read and validate a claims log (CSV or Parquet; see the module).

    Args:
        path: The file.
        option: What names the file in messages (the command-line option).

    Returns:
        The log with :data:`CLAIM_COLUMNS` (and ``public`` when the file has
        it), typed as :func:`validate_claims` leaves it.

    Raises:
        ScenarioFileError: The file is missing, too large, of another type or
            unreadable.
        ParameterError: A column is missing, or a value is bad.
    """
    frame = _read_table(path, CLAIM_COLUMNS, (PUBLIC_COLUMN,), None, option, "claims log", None)
    return validate_claims(frame, str(path))


def _read_table(
    path: str | Path,
    wanted: Mapping[str, str],
    optional: tuple[str, ...],
    columns: Mapping[str, str] | None,
    option: str,
    what: str,
    mapping_option: str | None,
) -> pd.DataFrame:
    """A log's file, read as text: its ``wanted`` columns, and the ``optional`` ones it has."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in LOG_SUFFIXES:
        raise ParameterError(option, str(path), f"a .csv or .parquet {what}")
    if not path.is_file():
        kind = f"a folder, not a {what}" if path.is_dir() else f"no such {what}"
        raise ScenarioFileError(f"{path}: {kind}")
    if path.stat().st_size > MAX_LOG_BYTES:
        raise ScenarioFileError(
            f"{path}: larger than {MAX_LOG_BYTES:,} bytes, the most a {what} may hold"
        )
    mapping = dict(columns or {})
    for name in mapping:
        if name not in wanted:
            raise ParameterError(
                str(mapping_option), name, "a mapping of " + ", ".join(wanted), unknown=True
            )
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_parquet(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScenarioFileError(f"{path}: cannot read the {what} ({message})") from None
    renamed = {mapping.get(name, name): name for name in wanted}
    for source, name in renamed.items():
        if source not in frame.columns:
            found = ", ".join(map(str, frame.columns[:8])) or "none"
            remedy = (
                f"; map a differently named column with {mapping_option} {name}=NAME"
                if mapping_option
                else ""
            )
            raise ParameterError(
                f"column {source!r}",
                "no such column",
                f"a {what} with columns {', '.join(renamed)}",
                f"in {path}, whose columns are {found}{remedy}",
            )
    renamed.update({name: name for name in optional if name in frame.columns})
    return frame[list(renamed)].rename(columns=renamed)


def validate_transactions(frame: pd.DataFrame, where: str = "transactions") -> pd.DataFrame:
    """Check and type a log that has :data:`LOG_COLUMNS`.

    Args:
        frame: The log (values may still be text, as a CSV file gives them).
        where: What names the log in messages (its path).

    Returns:
        The typed log, sorted by date (a stable sort: rows of one date keep
        their order).

    Raises:
        ParameterError: An empty log, an empty customer id, a date that is
            not a date, or an amount that is not a number, is infinite or is
            negative; the message names the first bad row (1-based, after the
            header) and its value.
    """
    if len(frame) == 0:
        raise ParameterError("DATA", where, "a transaction log with at least one row")
    ids, dates, amounts = _typed_columns(frame, where, "amount_usd")
    typed = pd.DataFrame({"customer_id": ids, "date": dates, "amount_usd": amounts})
    return typed.sort_values("date", kind="stable").reset_index(drop=True)


def validate_claims(frame: pd.DataFrame, where: str = "claims") -> pd.DataFrame:
    """Check and type a claims log that has :data:`CLAIM_COLUMNS` (and maybe ``public``).

    Args:
        frame: The log (values may still be text, as a CSV file gives them).
        where: What names the log in messages (its path).

    Returns:
        The typed log, sorted by date: ``outcome`` as text, ``public`` (when
        given) as booleans. An empty log is a firm without claims.

    Raises:
        ParameterError: A bad customer id, date or value (as in
            :func:`validate_transactions`), an outcome not in
            :data:`CLAIM_OUTCOMES` (with a close match), or a ``public`` that
            is not true or false.
    """
    ids, dates, values = _typed_columns(frame, where, "value_usd")
    raw_outcomes = frame["outcome"]
    outcomes = raw_outcomes.astype(str).str.strip().str.lower()
    bad = ~outcomes.isin(list(CLAIM_OUTCOMES)).to_numpy()
    hint = close_match(str(outcomes[bad].iloc[0]), CLAIM_OUTCOMES) if bad.any() else ""
    _refuse(where, "outcome", raw_outcomes, bad, "one of " + ", ".join(CLAIM_OUTCOMES), hint)
    columns: dict[str, Any] = {
        "customer_id": ids,
        "date": dates,
        "value_usd": values,
        "outcome": outcomes.to_numpy(),
    }
    if PUBLIC_COLUMN in frame.columns:
        raw = frame[PUBLIC_COLUMN]
        if pd.api.types.is_bool_dtype(raw):
            public = raw.to_numpy(dtype=bool)
        else:
            text = raw.astype(str).str.strip().str.lower()
            unknown = ~text.isin(_TRUE + _FALSE).to_numpy()
            _refuse(where, PUBLIC_COLUMN, raw, unknown, "true or false (or 1 or 0, yes or no)")
            public = text.isin(_TRUE).to_numpy()
        columns[PUBLIC_COLUMN] = public
    typed = pd.DataFrame(columns)
    return typed.sort_values("date", kind="stable").reset_index(drop=True)


def _typed_columns(
    frame: pd.DataFrame, where: str, amount: str
) -> tuple[np.ndarray, pd.Series, pd.Series]:
    """A log's customer ids, dates (normalised to the day) and amounts, checked."""
    ids = frame["customer_id"].astype(str).str.strip()
    _refuse(where, "customer_id", frame["customer_id"], ids.eq(""), "a non-empty customer id")
    raw_dates = frame["date"]
    if pd.api.types.is_datetime64_any_dtype(raw_dates):
        dates = pd.to_datetime(raw_dates)
    else:
        dates = pd.to_datetime(raw_dates.astype(str).str.strip(), errors="coerce", format="ISO8601")
    _refuse(where, "date", raw_dates, dates.isna(), "an ISO date such as 2025-03-14")
    raw_amounts = frame[amount]
    amounts = pd.to_numeric(raw_amounts, errors="coerce").astype(float)
    _refuse(where, amount, raw_amounts, ~np.isfinite(amounts), "a number of USD")
    _refuse(where, amount, raw_amounts, amounts < 0, "an amount of zero or more USD")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return ids.to_numpy(), dates.dt.normalize(), amounts


def _refuse(
    where: str,
    column: str,
    raw: pd.Series,
    bad: pd.Series | np.ndarray,
    accepts: str,
    hint: str = "",
) -> None:
    """Raise for the first row where ``bad`` holds, naming the row and its value."""
    bad_array = np.asarray(bad, dtype=bool)
    if bad_array.any():
        first = int(np.argmax(bad_array))
        count = int(bad_array.sum())
        raise ParameterError(
            f"{column} in row {first + 1}",
            raw.iloc[first],
            accepts,
            f"in {where}"
            + (f"; {count:,} bad rows in all" if count > 1 else "")
            + (f"; {hint}" if hint else ""),
        )


def synthetic_log(purchases: pd.DataFrame, start: str = SYNTHETIC_START) -> pd.DataFrame:
    """The model's purchase log as a client's transaction log (:data:`LOG_COLUMNS`).

    Args:
        purchases: A purchase log (``run(..., purchases=True).purchases``:
            month, customer, value_usd).
        start: The first day of the model's month 1 (an ISO date).

    Returns:
        One row per purchase: ``customer_id`` (the person's index in the
        population), ``date`` (the first day of the purchase's month) and
        ``amount_usd`` (the buyer's basket).

    Raises:
        ParameterError: ``start`` is not a date.
    """
    if not _is_date(start):
        raise ParameterError("start", start, "an ISO date such as 2025-01-01")
    first = np.datetime64(pd.Timestamp(start).strftime("%Y-%m"), "M")
    months = first + (purchases["month"].to_numpy(dtype=np.int64) - 1)
    return pd.DataFrame(
        {
            "customer_id": purchases["customer"].to_numpy(),
            "date": months.astype("datetime64[ns]"),
            "amount_usd": purchases["value_usd"].to_numpy(dtype=float),
        }
    )


def synthetic_claims(claims: pd.DataFrame, start: str = SYNTHETIC_START) -> pd.DataFrame:
    """The model's claim log as a client's claims log (:data:`CLAIM_COLUMNS`, ``public``).

    Args:
        claims: A claim log (``run(..., claims=True).claims``).
        start: The first day of the model's month 1 (an ISO date).

    Returns:
        One row per claim: ``customer_id`` (the claimant's index),
        ``date`` (the first day of its month), ``value_usd``, ``outcome``
        (the front line's answer, or ``reversed`` where management paid a
        rejected or deflected claim), ``public`` and ``fraudulent`` (the
        model's knowledge: what an audit of the claim would find).

    Raises:
        ParameterError: ``start`` is not a date.
    """
    if not _is_date(start):
        raise ParameterError("start", start, "an ISO date such as 2025-01-01")
    first = np.datetime64(pd.Timestamp(start).strftime("%Y-%m"), "M")
    months = first + (claims["month"].to_numpy(dtype=np.int64) - 1)
    outcome = np.where(
        claims["reversed"].to_numpy(dtype=bool), "reversed", claims["answer"].astype(str)
    )
    return pd.DataFrame(
        {
            "customer_id": claims["customer"].to_numpy(),
            "date": months.astype("datetime64[ns]"),
            "value_usd": claims["value_usd"].to_numpy(dtype=float),
            "outcome": outcome,
            PUBLIC_COLUMN: claims["public"].to_numpy(dtype=bool),
            "fraudulent": (claims["kind"].astype(str) == "fraudulent").to_numpy(),
        }
    )


def _is_date(text: str) -> bool:
    try:
        pd.Timestamp(text)
    except (ValueError, TypeError):
        return False
    return True


def describe_log(frame: pd.DataFrame) -> str:
    """One line on a log: rows, customers and the months it spans."""
    first, last = frame["date"].min(), frame["date"].max()
    return (
        f"{len(frame):,} transactions of {frame['customer_id'].nunique():,} customers, "
        f"{first:%Y-%m} to {last:%Y-%m}"
    )
