"""The what-if catalogue (experiments/analyses/whatifs.py, docs/whatifs.md): every lever of the
schema has a question, and every question is a test over paired replicates on fixed seeds.
Whether a row is expected to fail (the model disagrees: strict xfail) or waits for another
branch (skip) is declared in the row, not here."""

from pathlib import Path

import pytest

from experiments.analyses.whatifs import (
    EXPECTED, NOT_LEVERS, ROWS, block, expectations_table, levers, measure, pairs, plans,
)

DOC = Path(__file__).parent.parent / "docs" / "whatifs.md"

MUST_HOLD = {"price_up", "sale_below_cost", "red_packet_hour", "red_packet_amount",
             "newcomers_leave_first", "invites_early", "fee_filters", "start_large"}
"""Issue 13's failures (price, discount under cost, red-packet hour and size, newcomers,
invitations, fee, shares): none of them may be declared a disagreement."""


def test_every_lever_has_a_row():
    keys = levers()
    covered = {k for row in ROWS for k in row.levers}
    missing = [k for k in keys if k not in covered and k not in NOT_LEVERS]
    assert not missing, f"schema fields with no what-if row: {missing}"
    assert covered <= set(keys), f"rows name unknown levers: {sorted(covered - set(keys))}"
    assert set(NOT_LEVERS) <= set(keys), "NOT_LEVERS names a field the schema does not have"
    assert not covered & set(NOT_LEVERS), "a field is both exempt and covered"


def test_lever_walk_sees_nested_and_calendar_fields():
    keys = set(levers())
    assert {"economics.unit_cost", "growth.early_join_discounts.by_hour", "calendar.*.hour",
            "calendar.red_packet", "calendar.red_packet.amount", "calendar.cleanup.inactive_days",
            "incentives.points"} <= keys
    assert "calendar.red_packet.kind" not in keys and "group" not in keys


def test_rows_are_well_formed():
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), "duplicate row ids"
    for row in ROWS:
        assert row.source, f"{row.id}: no source"
        assert (row.against is None) == bool(row.variant), f"{row.id}: a change or a number"
        base, variant = plans(row)
        assert variant is None or variant != base, f"{row.id}: the change changes nothing"
    assert MUST_HOLD <= set(ids)
    assert not [row.id for row in ROWS if row.id in MUST_HOLD and row.disagrees]


def test_doc_expectations_are_generated_from_the_rows():
    assert block(DOC.read_text(encoding="utf-8"), EXPECTED) == expectations_table(), \
        "docs/whatifs.md is out of date with ROWS: run `make whatifs`"


def _marks(row):
    if row.disagrees:
        return [pytest.mark.xfail(strict=True, reason=row.disagrees)]
    return []


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id, marks=_marks(r)) for r in ROWS])
def test_whatif(row):
    m = measure(row, pairs(row))
    assert m.n >= 3, f"{row.id}: {row.metric} defined in only {m.n} replicates"
    assert m.holds, (f"{row.id}: expected {row.metric} {'↑↓≈'[(1, -1, 0).index(row.direction)]}, "
                     f"measured {m.effect:.4g} [{m.low:.4g}, {m.high:.4g}], "
                     f"{m.agree:.0%} of seeds agree")
