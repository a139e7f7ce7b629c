"""The time contract, property-tested over arbitrary proposed outlines."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courses.budget import (
    PART_MAX,
    PART_MIN,
    SECTION_MAX,
    SECTION_MIN,
    BudgetError,
    PartPlan,
    SectionPlan,
    allocate,
    check,
    part_count_range,
    rebalance,
)

any_minutes = st.one_of(
    st.integers(min_value=-1000, max_value=100_000),
    st.floats(allow_nan=True, allow_infinity=True),
)
objectives = st.lists(st.text(min_size=1, max_size=20), min_size=2, max_size=6)
sections = st.builds(
    SectionPlan, title=st.text(max_size=20), minutes=any_minutes, learning_objectives=objectives
)
parts = st.lists(
    st.builds(PartPlan, title=st.text(max_size=20), sections=st.lists(sections, min_size=0, max_size=12)),
    min_size=1,
    max_size=8,
).filter(lambda ps: any(p.sections for p in ps))
requested = st.integers(min_value=15, max_value=200 * 60)


@settings(max_examples=400, deadline=None)
@given(parts, requested)
def test_rebalanced_outline_always_honours_the_contract(proposed, minutes):
    result = rebalance(proposed, minutes)
    assert check(result, minutes) == []
    total = sum(s.minutes for p in result for s in p.sections)
    assert abs(total - minutes) <= 0.05 * minutes
    assert all(p.sections for p in result)
    for part in result:
        for section in part.sections:
            assert SECTION_MIN <= section.minutes <= SECTION_MAX
            assert 2 <= len(section.learning_objectives) <= 6
    low, high = part_count_range(minutes)
    assert low <= len(result) <= high
    if minutes >= PART_MIN * len(result):
        assert all(PART_MIN <= p.minutes <= PART_MAX for p in result)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=30), st.data())
def test_allocate_is_exact_and_bounded(weights, data):
    n = len(weights)
    total = data.draw(st.integers(min_value=n * 10, max_value=n * 90))
    shares = allocate(weights, total, 10, 90)
    assert sum(shares) == total and all(10 <= s <= 90 for s in shares)


def test_allocate_follows_the_weights_when_bounds_allow():
    assert allocate([1, 1, 2], 120, 10, 90) == [30, 30, 60]


def test_part_count_rule():
    assert part_count_range(90) == (1, 1)
    assert part_count_range(150) == (2, 3)
    assert part_count_range(360) == (3, 5)
    assert part_count_range(12_000)[0] == math.ceil(12_000 / PART_MAX)


def test_two_hours_of_proposals_for_one_hour_are_scaled_down():
    proposal = [PartPlan("P", [SectionPlan(f"S{i}", 40, ["a", "b"]) for i in range(3)])]
    result = rebalance(proposal, 60)
    assert [s.minutes for s in result[0].sections] == [20, 20, 20]


def test_an_outline_without_sections_is_refused():
    with pytest.raises(BudgetError):
        rebalance([PartPlan("empty", [])], 60)
