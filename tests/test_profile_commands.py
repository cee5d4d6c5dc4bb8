"""`--profile` on run, compare, sweep, sensitivity, optimize and app: the plans play with the
profile's behaviour in every worker process, the run directory records it (copy and digest), the
report and deck name it, and a bad profile is an exit-2 error naming the field."""

import json
from pathlib import Path

import pytest
import yaml
from pptx import Presentation
from typer.testing import CliRunner

from experiments.cli.main import app
from experiments.outputs import app as page
from experiments.outputs.deck import _run, _sweep
from experiments.running.points import run_points
from experiments.running.runner import run_plans
from experiments.running.storage import read_results
from scenarios.loader import load_plan
from sim import profile as prof

AUDIENCE = {"name": "chengdu-fruit",
            "constants": {"post_rate": 0.03, "voice_spread": 1.4, "churn_per_day": 0.004},
            "rhythm": {"shift": 1.0},
            "fit": {"history": "groups/chengdu", "date": "2026-11-30"}}
LINE = "Audience profile: chengdu-fruit (fitted from groups/chengdu, 2026-11-30)"
FAST = ["--replicates", "2", "--weeks", "2"]
PLAN = load_plan("small_start", ["group.weeks=2"])


def invoke(*args):
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def profile_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("profile") / "profile.yaml"
    path.write_text(yaml.safe_dump(AUDIENCE, allow_unicode=True), encoding="utf-8")
    return path


def _recorded(out: Path, profile_file: Path) -> None:
    """The directory holds the profile's copy, and its manifest the profile and digest."""
    profile = prof.load(profile_file)
    assert prof.load(out / "profile.yaml").values == profile.values
    spec = json.loads((out / "groupsim.json").read_text())["spec"]
    assert spec["profile"]["digest"] == profile.digest
    assert spec["profile"]["constants"]["post_rate"] == 0.03


def test_run_plays_records_and_names_the_profile(tmp_path, profile_file):
    plain, fitted = tmp_path / "plain", tmp_path / "fitted"
    assert invoke("run", "small_start", *FAST, "--out", plain).exit_code == 0
    done = invoke("run", "small_start", *FAST, "--out", fitted, "--profile", profile_file)
    assert done.exit_code == 0, done.output
    assert LINE in " ".join(done.output.split())  # the terminal names it too
    _recorded(fitted, profile_file)
    a, b = read_results(plain), read_results(fitted)
    assert a.profile is None and b.profile.name == "chengdu-fruit"
    assert b.daily["real_messages"].sum() > 1.5 * a.daily["real_messages"].sum()
    assert LINE in (fitted / "report.html").read_text(encoding="utf-8")
    assert "Audience profile" not in (plain / "report.html").read_text(encoding="utf-8")
    # the deck's title slide names it (built without chart images)
    _, slides, _ = _run(b, "first_plan", "en")
    deck = Presentation()
    slides[0](deck, tmp_path)
    title = "\n".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert LINE in title


def test_the_zh_report_names_it_too(tmp_path, profile_file):
    done = invoke("compare", "small_start", "tuanzhang", *FAST, "--lang", "zh", "--out", tmp_path,
                  "--profile", profile_file)
    assert done.exit_code == 0, done.output
    _recorded(tmp_path, profile_file)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "受众画像：chengdu-fruit（拟合自 groups/chengdu，2026-11-30）" in html


def test_a_hand_written_profile_is_named_as_such(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("name: quiet\nconstants: {post_rate: 0.004}\n", encoding="utf-8")
    assert invoke("run", "small_start", *FAST, "--out", tmp_path / "r", "--profile",
                  path).exit_code == 0
    assert "Audience profile: quiet (set by hand)" in (tmp_path / "r" / "report.html").read_text()


def test_any_worker_count_and_dask_play_the_same_profile():
    audience = prof.from_dict(AUDIENCE)
    serial = run_plans([PLAN], 3, profile=audience).daily
    processes = run_plans([PLAN], 3, workers=2, profile=audience).daily
    on_dask = run_points(PLAN, [{}], 3, workers=2, dask="local", profile=audience)
    here = run_points(PLAN, [{}], 3, profile=audience)
    assert serial.equals(processes)
    assert here.equals(on_dask)
    assert not serial.equals(run_plans([PLAN], 3).daily)


def test_sweep_sensitivity_and_optimize_play_and_record_it(tmp_path, profile_file):
    vary = ["--vary", "host.ip_strength=0.3:0.7"]
    runs = {
        "sweep": ["sweep", "small_start", "--vary", "host.ip_strength=0.3:0.7:2", *FAST],
        "sensitivity": ["sensitivity", "small_start", *vary, "--samples", "2", *FAST],
        "optimize": ["optimize", "small_start", *vary, "--trials", "2", "--objective",
                     "final_members", *FAST],
    }
    for name, args in runs.items():
        plain, fitted = tmp_path / f"{name}-plain", tmp_path / f"{name}-fitted"
        assert invoke(*args, "--out", plain).exit_code == 0
        done = invoke(*args, "--out", fitted, "--profile", profile_file)
        assert done.exit_code == 0, (name, done.output)
        _recorded(fitted, profile_file)
        assert LINE in (fitted / "report.html").read_text(encoding="utf-8"), name
        table = "trials.parquet" if name == "optimize" else "summary.parquet"
        assert (plain / table).read_bytes() != (fitted / table).read_bytes(), name
    best = (tmp_path / "optimize-fitted" / "best.yaml").read_text(encoding="utf-8")
    assert "--profile profile.yaml" in best
    assert "profile: chengdu-fruit" in (tmp_path / "sweep-fitted" / "sweep.yaml").read_text(
        encoding="utf-8")
    _, slides, _ = _sweep(tmp_path / "sweep-fitted", "en")
    deck = Presentation()
    slides[0](deck, tmp_path)
    assert LINE in "\n".join(s.text_frame.text for s in deck.slides[0].shapes
                             if s.has_text_frame)


def test_app_plays_the_profile(monkeypatch, profile_file):
    served = {}
    monkeypatch.setattr(page, "serve", lambda *args: served.setdefault("args", args))
    assert invoke("app", "small_start", "--profile", profile_file).exit_code == 0
    audience = served["args"][-1]
    assert audience.name == "chengdu-fruit"
    plain = page.replicates_of(PLAN, 2)
    monkeypatch.setattr(page, "PROFILE", audience)
    fitted = page.replicates_of(PLAN, 2)  # not the cached plain runs: the key has the profile
    assert fitted.daily["real_messages"].sum() > 1.5 * plain.daily["real_messages"].sum()


BAD = {
    "unknown constant": ({"constants": {"post_rte": 0.01}},
                         "constants.post_rte: unknown name (did you mean 'post_rate'?); a "
                         "profile may set under constants: post_rate, voice_spread"),
    "out of range": ({"constants": {"post_rate": 5}},
                     "post_rate = 5: must be a number in [0.002, 0.04]"),
}
COMMANDS = {
    "run": ["run", "small_start"],
    "compare": ["compare", "small_start", "tuanzhang"],
    "sweep": ["sweep", "small_start", "--vary", "host.ip_strength=0.3:0.7:2"],
    "sensitivity": ["sensitivity", "small_start", "--vary", "host.ip_strength=0.3:0.7"],
    "optimize": ["optimize", "small_start", "--vary", "host.ip_strength=0.3:0.7"],
    "app": ["app", "small_start"],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("bad", BAD)
def test_a_bad_profile_is_exit_2_naming_the_field(tmp_path, command, bad):
    raw, message = BAD[bad]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    done = invoke(*COMMANDS[command], "--profile", path, "--out", tmp_path / "out") \
        if command != "app" else invoke(*COMMANDS[command], "--profile", path)
    assert done.exit_code == 2, done.output
    assert message in done.output and "Traceback" not in done.output
    assert not (tmp_path / "out").exists()
