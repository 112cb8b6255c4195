"""The case library: every story's case runs, and points the way its story says.

The cases run once per session (the ``case_results`` fixture of tests/conftest.py)."""

from __future__ import annotations

import pytest

from loyaltysim.cases import CASES, get_case
from loyaltysim.errors import ParameterError


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_the_case_points_the_way_its_story_says(case_results, name):
    case = get_case(name)
    result = case_results[name]  # the configuration `loyaltysim case NAME` prints
    # the model agrees with the story, or the case says why it does not
    assert result.agrees == (not case.disagreement), result.reading()
    paired = result.comparison.paired(case.policies[0].name)
    if case.story_answer == case.policies[0].name:
        beaten = (paired.drop(case.story_answer)["high"] < 0).all()
    else:
        beaten = paired.loc[case.story_answer, "low"] > 0
    assert beaten == result.agrees
    reading = result.reading()
    assert case.story_says in reading and "95% CI" in reading
    assert ("Why the model disagrees" in reading) == bool(case.disagreement)


def test_every_case_asks_a_question_of_a_story_with_a_baseline_first():
    for case in CASES.values():
        assert case.story.startswith("story ") and case.question.endswith("?")
        assert case.policies[0].name == "always_compensate"
        assert case.story_answer in [p.name for p in case.policies]
        assert len({p.name for p in case.policies}) == len(case.policies)


def test_an_unknown_case_names_the_cases():
    with pytest.raises(ParameterError, match="tennis_racket"):
        get_case("tennis")
