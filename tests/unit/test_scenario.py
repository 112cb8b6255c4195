"""The scenario: declared parameters, validation, TOML and overrides."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyaltysim import ParameterError, Scenario, ScenarioFileError
from loyaltysim.params import parse_value


def test_defaults_are_valid_and_documented():
    scenario = Scenario()
    specs = Scenario.specs()
    unset = [spec.name for spec in specs if spec.optional]  # left out of to_dict
    assert len(specs) == len(scenario.to_dict()) + len(unset) >= 60
    for spec in specs:
        assert spec.unit and spec.meaning and spec.source and spec.group, spec.name
        assert spec.validate(spec.default) == getattr(scenario, spec.name)


def test_monthly_discount_rate_compounds_to_the_annual_rate():
    scenario = Scenario(annual_discount_rate=0.1)
    assert (1 + scenario.monthly_discount_rate) ** 12 == pytest.approx(1.1)


@pytest.mark.parametrize(
    ("name", "value", "accepts"),
    [
        ("failure_rate", 1.5, "a number in [0, 1]"),
        ("failure_rate", -0.1, "a number in [0, 1]"),
        ("failure_rate", math.nan, "a number in [0, 1]"),
        ("failure_rate", "high", "a number in [0, 1]"),
        ("failure_rate", True, "a number in [0, 1]"),
        ("n_customers", 12.5, "a whole number in [10, 10,000,000]"),
        ("n_customers", 5, "a whole number in [10, 10,000,000]"),
        ("honesty_dispersion", 1.0, "a number in [0, 1)"),
        ("network", "smallworld", "one of 'watts_strogatz'"),
    ],
)
def test_bad_values_name_the_parameter_and_what_it_accepts(name, value, accepts):
    with pytest.raises(ParameterError) as info:
        Scenario(**{name: value})
    message = str(info.value)
    assert message.startswith(f"{name}: got ")
    assert accepts in message
    assert info.value.name == name


def test_unknown_parameter_suggests_a_close_match():
    with pytest.raises(ParameterError, match=r"failur_rate: unknown parameter.*'failure_rate'"):
        Scenario.from_dict({"failur_rate": 0.1})
    with pytest.raises(ParameterError, match="unknown parameter"):
        Scenario().replace(nonsense=1)


def test_whole_floats_are_accepted_for_integers():
    assert Scenario(n_customers=2000.0).n_customers == 2000


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        (dict(honesty_mean=1.0), "honesty_dispersion"),
        (dict(haggle_propensity_mean=0.0), "haggle_propensity_dispersion"),
        (dict(satisfaction_baseline_mean=1.0), "satisfaction_baseline_dispersion"),
        (dict(n_customers=20, network_mean_degree=30), "network_mean_degree"),
        (dict(network_mean_degree=7), "network_mean_degree"),
        (dict(network="barabasi_albert", network_mean_degree=5), "network_mean_degree"),
    ],
)
def test_impossible_combinations_are_rejected(changes, name):
    with pytest.raises(ParameterError) as info:
        Scenario(**changes)
    assert info.value.name == name


def test_possible_neighbours_of_impossible_combinations_are_accepted():
    Scenario(honesty_mean=1.0, honesty_dispersion=0.0)
    Scenario(network="erdos_renyi", network_mean_degree=7)
    Scenario(n_customers=20, network="complete", network_mean_degree=30)


def test_toml_file(tmp_path):
    path = tmp_path / "market.toml"
    path.write_text(
        '[scenario]\nn_customers = 3000\nnetwork = "erdos_renyi"\n[policy]\nclaims = "verify"\n'
    )
    scenario = Scenario.from_toml(path)
    assert scenario.n_customers == 3000 and scenario.network == "erdos_renyi"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[scenario\n", "not valid TOML"),
        ("n_customers = 10\n", "unexpected top-level entry 'n_customers'"),
        ("scenario = 3\n", "'scenario' must be a table"),
    ],
)
def test_malformed_toml_files_are_reported(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScenarioFileError, match=message):
        Scenario.from_toml(path)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ScenarioFileError, match="no such scenario file"):
        Scenario.from_toml(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.3", 0.3),
        ("12", 12),
        ('"complete"', "complete"),
        ("complete", "complete"),
        ("true", True),
    ],
)
def test_override_values_parse_as_toml_or_bare_strings(text, value):
    assert parse_value(text) == value


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_value_inside_the_declared_range_is_accepted(data):
    spec = data.draw(st.sampled_from([s for s in Scenario.specs() if s.kind != "choice"]))
    low = spec.low if spec.low is not None else -1e6
    high = spec.high if spec.high is not None else 1e6
    if spec.kind == "int":
        value = data.draw(st.integers(int(low), int(min(high, low + 10_000))))
    else:
        value = data.draw(st.floats(low, high, exclude_max=spec.high_open, allow_nan=False))
    assert spec.validate(value) == value
