"""A plan name is a label: any text works in every command, and file names derived from names
are safe and distinct."""

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.cli.main import app
from experiments.running.storage import read_results
from scenarios.names import MAX_STEM, file_stem

ODD = ["A/B test", "A_B test", "../../etc/passwd", "v1.2 \"quoted\" 'x'", "团购 第二期",
       "🎉 launch", "a\\b:c*d?e|f<g>", ".hidden", "-dash", "x" * 300, ""]
FAST = ["--replicates", "1", "--weeks", "1"]


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def plan_file(folder: Path, name: str) -> Path:
    path = folder / f"{file_stem(name)}.yaml"
    path.write_text("extends: small_start\nname: " + _quoted(name) + "\n", encoding="utf-8")
    return path


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_file_stems_are_plain_distinct_and_stable():
    stems = [file_stem(name) for name in ODD]
    assert len(set(stems)) == len(ODD)
    assert file_stem("A_B") == "A_B" and file_stem("团购") == "团购" and file_stem("v1.2") == "v1.2"
    assert file_stem("A/B") != file_stem("A_B") and file_stem("A/B") == file_stem("A/B")
    for stem in stems:
        assert stem and "/" not in stem and "\\" not in stem and not stem.startswith((".", "-"))
        assert len(stem) <= MAX_STEM + 9 and all(c.isalnum() or c in "_-." for c in stem)


def test_compare_and_report_and_deck_take_any_names(tmp_path):
    """Before: `compare` with `name: "A/B test"` died with FileNotFoundError (exit 1)."""
    plans = [plan_file(tmp_path, name) for name in ("A/B test", "A_B test", "团购 🎉 \"q\"")]
    out = tmp_path / "out"
    result = invoke("compare", *plans, *FAST, "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "plans").iterdir()) == sorted(
        f"{file_stem(n)}.yaml" for n in ("A/B test", "A_B test", "团购 🎉 \"q\""))
    assert [p.name for p in read_results(out).plans] == ["A/B test", "A_B test", "团购 🎉 \"q\""]
    assert list(pd.read_parquet(out / "summary.parquet")["plan"].unique()) == [
        "A/B test", "A_B test", "团购 🎉 \"q\""]
    deck = invoke("deck", out, "--out", tmp_path / "deck.pptx")
    assert deck.exit_code == 0, deck.output


@pytest.mark.parametrize("name", ["../../escape", "A/B test", "🎉"])
def test_run_and_sweep_keep_default_directories_under_runs(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    plan = plan_file(tmp_path, name)
    result = invoke("run", plan, *FAST)
    assert result.exit_code == 0, result.output
    result = invoke("sweep", plan, "--vary", "host.capacity=2,3", *FAST)
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(made) == 2 and all(p.startswith(file_stem(name)) for p in made)
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == ["runs"]
