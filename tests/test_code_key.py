"""A run directory is keyed on the code: results made by other code are never reused."""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.running import storage
from experiments.cli.main import app
from experiments.running.runner import run_plans
from experiments.running.storage import OutDirError
from scenarios.loader import load_plan
from sim.sources import OUTPUT_SOURCES, code_record, source_files

FAST = ["--replicates", "1", "--weeks", "1"]


def plan():
    return load_plan("small_start", ["group.weeks=1"])


def other_code(monkeypatch, file: str = "sim/model.py", **versions: str) -> None:
    """Make `claim` see a different hash of `file` (and other versions), as after an edit."""
    real = storage.code_record

    def changed(paths):
        record = real(paths)
        record["sources"][file] = "0" * 16
        return record | versions

    monkeypatch.setattr(storage, "code_record", changed)


def test_the_record_covers_model_metrics_schema_and_loader(tmp_path):
    record = code_record(source_files(OUTPUT_SOURCES))
    for name in ("sim/model.py", "sim/metrics.py", "sim/hour.py", "agents/host.py",
                 "experiments/running/runner.py",
                 "scenarios/schema.py", "scenarios/loader.py"):
        assert name in record["sources"]
    assert record["numba"] and record["groupsim"]
    profile = tmp_path / "profile.yaml"  # any further file, e.g. a profile, is recorded too
    profile.write_text("a: 1\n")
    before = code_record([profile])["sources"][str(profile)]
    profile.write_text("a: 2\n")
    assert code_record([profile])["sources"][str(profile)] != before


def test_other_code_is_refused_then_force_reruns_from_scratch(tmp_path, monkeypatch):
    first = run_plans([plan()], replicates=2, out=tmp_path)
    assert json.loads((tmp_path / "groupsim.json").read_text())["code"] == code_record(
        source_files(OUTPUT_SOURCES))
    stale = first.summary.assign(gmv=-1.0)  # what an old model left: must not come back
    storage.write_parquet(stale, tmp_path / "summary.parquet")
    other_code(monkeypatch)
    with pytest.raises(OutDirError, match=r"made by other code \(sim/model.py\).*--force"):
        run_plans([plan()], replicates=2, out=tmp_path)
    assert pd.read_parquet(tmp_path / "summary.parquet")["gmv"].eq(-1.0).all()
    again = run_plans([plan()], replicates=2, out=tmp_path, force=True)
    assert again.summary.equals(first.summary)
    assert pd.read_parquet(tmp_path / "summary.parquet").equals(first.summary)
    assert run_plans([plan()], replicates=2, out=tmp_path).summary.equals(first.summary)


def test_another_numba_or_groupsim_version_is_other_code(tmp_path, monkeypatch):
    run_plans([plan()], replicates=1, out=tmp_path)
    other_code(monkeypatch, file="scenarios/loader.py", numba="0.1.0")
    with pytest.raises(OutDirError, match=r"scenarios/loader.py, numba .* -> 0.1.0"):
        run_plans([plan()], replicates=1, out=tmp_path)


def test_a_directory_from_before_the_code_was_recorded_is_not_reused(tmp_path):
    run_plans([plan()], replicates=1, out=tmp_path)
    manifest = json.loads((tmp_path / "groupsim.json").read_text())
    del manifest["code"]
    (tmp_path / "groupsim.json").write_text(json.dumps(manifest))
    with pytest.raises(OutDirError, match="before groupsim recorded its code"):
        run_plans([plan()], replicates=1, out=tmp_path)


@pytest.mark.parametrize("command", [["run", "small_start"],
                                     ["sweep", "small_start", "--vary", "host.capacity=2,3"]])
def test_commands_say_so_and_exit_2_without_force(tmp_path, monkeypatch, command):
    out = ["--out", str(tmp_path)]
    assert CliRunner().invoke(app, [*command, *FAST, *out]).exit_code == 0
    other_code(monkeypatch, file="sim/metrics.py")
    result = CliRunner().invoke(app, [*command, *FAST, *out])
    assert result.exit_code == 2, result.output
    assert "other code (sim/metrics.py)" in result.output and "--force" in result.output
    assert "Traceback" not in result.output
    assert CliRunner().invoke(app, [*command, *FAST, *out, "--force"]).exit_code == 0
