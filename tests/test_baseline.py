"""The library plans' summary medians against the stored baseline (tests/baseline.json).

Any change of a number shows up here; explain it in its commit and refresh the baseline with
`make baseline`.
"""

import json
import math
import sys
from pathlib import Path

import pandas as pd
import pytest

from scenarios.loader import library, load_plan
from sim.run import simulate

BASELINE = Path(__file__).with_name("baseline.json")
REPLICATES = 5
METRICS = (
    "lifetime_days", "peak_members", "final_members", "total_gmv", "total_cost", "gross_profit",
    "referral_joins", "lurker_share", "posting_gini", "top10_share", "complaint_share",
    "spam_share", "trust_end_all",
)


def medians(plan: str) -> dict[str, float]:
    """Median of each metric over replicates with seeds 0..REPLICATES-1."""
    summary = pd.DataFrame([simulate(load_plan(plan), seed).summary for seed in range(REPLICATES)])
    return {metric: round(float(summary[metric].median()), 6) for metric in METRICS}


@pytest.mark.parametrize("plan", list(library()))
def test_library_plan_matches_the_baseline(plan):
    stored = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert plan in stored, f"{plan} has no baseline: run `make baseline`"
    now = medians(plan)
    changed = {
        metric: (stored[plan][metric], value) for metric, value in now.items()
        if not math.isclose(stored[plan][metric], value, rel_tol=1e-6, abs_tol=1e-9)
        and not (math.isnan(stored[plan][metric]) and math.isnan(value))
    }
    assert not changed, f"{plan} moved from the baseline (stored, now): {changed}"


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_baseline.py --update")
    BASELINE.write_text(json.dumps({plan: medians(plan) for plan in library()}, indent=1) + "\n",
                        encoding="utf-8")
    print(f"wrote {BASELINE}")
