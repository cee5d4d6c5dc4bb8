"""Bad input, fuzzed: every mutation of a library plan or command line exits 2 with a message
naming the path and what is allowed, never a traceback. Validate/load only, no simulation."""

import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from experiments.cli.main import app
from plan_strategies import bounds
from scenarios.loader import LIBRARY, MAX_EXTENDS, _CALENDAR_KINDS
from scenarios.schema import Plan

FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PLANS = sorted(LIBRARY.glob("*.yaml"))
WRONG_TYPES = ["abc", [1, 2], {"x": 1}, "", "1,5", "二十"]


def validate(path: Path):
    return CliRunner().invoke(app, ["validate", str(path)])


def assert_bad_input(result, *needles: str) -> None:
    """Exit 2, no traceback, and the message names each needle."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output, f"{needle!r} not in:\n{result.output}"


def leaves(raw: dict) -> list[tuple[str, type, str]]:
    """(printed path, model, field) of every lever a library plan sets, sections and items."""
    out = []
    for section, body in raw.items():
        if section == "calendar":
            for n, item in enumerate(body):
                model = _CALENDAR_KINDS[item["kind"]]
                out += [(f"calendar[{n}].{f}", model, f) for f in item if f != "kind"]
        elif isinstance(body, dict):
            model = Plan.model_fields[section].annotation
            out += [(f"{section}.{f}", model, f) for f, v in body.items() if not isinstance(v, list)]
    return out


def set_path(raw: dict, path: str, value) -> None:
    parts = re.findall(r"[^.\[\]]+", path)
    node = raw
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[parts[-1]] = value


def out_of_range(model, field: str) -> list:
    """Values just outside, and far outside, the field's declared range."""
    lo, hi, _, _ = bounds(model.model_fields[field].metadata)
    values = []
    if lo is not None:
        values += [lo - 1, lo - 1e-6 if isinstance(lo, float) else lo - 1, -1e308]
    if hi is not None:
        values += [hi + 1, 10**30, 1e308]
    return values


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_a_bad_value_anywhere_names_its_path(tmp_path_factory, data):
    source = data.draw(st.sampled_from(PLANS))
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    raw.pop("extends", None)
    path, model, field = data.draw(st.sampled_from(leaves(raw)))
    annotation = str(model.model_fields[field].annotation)
    choices = list(out_of_range(model, field))
    if "bool" not in annotation:
        choices += WRONG_TYPES
    if "Literal" in annotation or "Platform" in annotation:
        choices += ["周六", "星期日", "Sat", "WECHAT"]
    if not choices:  # a free-text field: make an unknown key next to it instead
        path, choices = path.rsplit(".", 1)[0] + ".colour", ["red"]
    set_path(raw, path, data.draw(st.sampled_from(choices)))
    file = tmp_path_factory.mktemp("plan") / "bad.yaml"
    file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert_bad_input(validate(file), path)


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_an_unknown_key_anywhere_is_named(tmp_path_factory, data):
    raw = yaml.safe_load(data.draw(st.sampled_from(PLANS)).read_text(encoding="utf-8"))
    raw.pop("extends", None)
    places = ["", *(s for s, v in raw.items() if isinstance(v, dict))]
    places += [f"calendar[{n}]" for n in range(len(raw.get("calendar", [])))]
    place = data.draw(st.sampled_from(places))
    key = data.draw(st.sampled_from(["colour", "weeks", "红包", "ip-strength", "Budget"]))
    path = f"{place}.{key}".lstrip(".")
    if path in ("group.weeks",):  # a real lever there: not unknown
        return
    set_path(raw, path, 1)
    file = tmp_path_factory.mktemp("plan") / "bad.yaml"
    file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = validate(file)
    assert_bad_input(result, path, "unknown key")
    # the keys allowed at that place (a plan file's top level takes `extends:` too)
    model = (_CALENDAR_KINDS[raw["calendar"][int(place[9:-1])]["kind"]]
             if place.startswith("calendar[") else
             Plan.model_fields[place].annotation if place else Plan)
    allowed = [*model.model_fields, *(("extends",) if model is Plan else ())]
    assert f"allowed here: {', '.join(allowed)} (docs/model.md lists every lever)" in \
        " ".join(result.output.split()), result.output


def _key_lines(text: str) -> list[int]:
    """0-based lines that hold a `key: value` outside quotes."""
    return [n for n, line in enumerate(text.splitlines())
            if re.match(r"^\s*(- )?\{?[a-z_]+: ", line) and not re.search("[\"']", line)]


@settings(FUZZ, max_examples=120)
@given(data=st.data())
def test_typing_slips_get_a_hint_naming_the_line(tmp_path_factory, data):
    source = data.draw(st.sampled_from(PLANS))
    lines = source.read_text(encoding="utf-8").splitlines()
    n = data.draw(st.sampled_from(_key_lines("\n".join(lines))))
    slip = data.draw(st.sampled_from(["colon", "comma", "tab"]))
    if slip == "colon":
        lines[n] = lines[n].replace(": ", "： ", 1)
        hint = "full-width colon '：'; use ':'"
    elif slip == "comma" and ", " in lines[n]:
        lines[n] = lines[n].replace(", ", "， ", 1)
        hint = "full-width comma '，'; use ','"
    else:
        lines[n] = "\t" + lines[n]
        hint = "tab; indent with spaces"
    file = tmp_path_factory.mktemp("plan") / "slip.yaml"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate(file)
    assert_bad_input(result, hint)
    if "not valid YAML" in result.output:
        assert f"line {n + 1} has" in result.output


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_broken_yaml_never_gives_a_traceback(tmp_path_factory, data):
    text = data.draw(st.sampled_from(PLANS)).read_text(encoding="utf-8")
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.sampled_from(["{", "[", "}: :", "\"", "- -", "&a *b", "\x00", "@"]))
    file = tmp_path_factory.mktemp("plan") / "broken.yaml"
    file.write_text(text[:cut] + junk + text[cut:], encoding="utf-8")
    result = validate(file)
    assert result.exit_code in (0, 2), result.output
    assert isinstance(result.exception, SystemExit) or result.exception is None
    assert "Traceback" not in result.output


BAD_COMMANDS = [
    (["--replicates", "0"], "replicates must be at least 1"),
    (["--replicates", "-3"], "replicates must be at least 1"),
    (["--replicates", "abc"], "replicates"),
    (["--workers", "0"], "workers must be at least 1"),
    (["--weeks", "0"], "group.weeks"),
    (["--weeks", "53"], "group.weeks"),
    (["--weeks", "1e9"], "weeks"),
    (["--set", "group.weeks=周六"], "group.weeks"),
    (["--set", "group.open_weekday=周六"], "write 周六 as 'sat'"),
    (["--set", "pool.size=-1"], "pool.size"),
    (["--set", "pool.size=1e400"], "pool.size"),
    (["--set", "economics.budget=abc"], "economics.budget"),
    (["--set", "group.colour=1"], "group.colour"),
    (["--set", "nonsense"], "dotted.key=value"),
    (["--set", "=3"], "dotted.key=value"),
    (["--set", "calendar.amount=5"], "calendar"),
    (["--set", "calendar[9].amount=5"], "calendar"),
    (["--set", "host.capacity=1，000"], "full-width comma"),
    (["--set", "members.initial=99999999999999999999999"], "members.initial"),
]


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_bad_command_lines_exit_2(tmp_path_factory, data):
    plan = data.draw(st.sampled_from([p.stem for p in PLANS]))
    args, needle = data.draw(st.sampled_from(BAD_COMMANDS))
    out = tmp_path_factory.mktemp("run") / "out"
    result = CliRunner().invoke(app, ["run", plan, *args, "--out", str(out)])
    assert_bad_input(result, needle)
    assert not out.exists(), "nothing is written for bad input"


# ---- the hints, one by one ------------------------------------------------------------------

def test_a_full_width_colon_points_at_its_own_line(tmp_path):
    file = tmp_path / "plan.yaml"
    file.write_text("description: x\ngroup: {weeks: 2}\nmembers：\n  initial: 50\n",
                    encoding="utf-8")
    result = validate(file)
    assert_bad_input(result, "line 3 has a full-width colon '：'; use ':'")


def test_chinese_weekdays_map_to_the_allowed_ones(tmp_path):
    file = tmp_path / "plan.yaml"
    file.write_text("calendar:\n  - {kind: topic, weekday: 星期日}\n", encoding="utf-8")
    assert_bad_input(validate(file), "calendar[0].weekday", "write 星期日 as 'sun'", "'sat'")


def test_list_paths_are_printed_with_indexes_and_a_mapping_for_a_list_gets_a_hint(tmp_path):
    file = tmp_path / "plan.yaml"
    file.write_text("calendar:\n  - {kind: topic}\n  - {kind: red_packet, amount: -5}\n")
    assert_bad_input(validate(file), "calendar[1].amount = -5", "allowed range 0.0 to 1000000.0",
                     "(calendar[1] is the red_packet item)")
    file.write_text("calendar: {kind: topic}\n")
    assert_bad_input(validate(file), "calendar = {...}", "each starting with '- '")


def test_a_long_extends_chain_is_refused_not_a_recursion_error(tmp_path):
    (tmp_path / "p0.yaml").write_text("extends: small_start\n")
    for n in range(1, MAX_EXTENDS + 5):
        (tmp_path / f"p{n}.yaml").write_text(f"extends: p{n - 1}.yaml\n")
    assert validate(tmp_path / f"p{MAX_EXTENDS - 2}.yaml").exit_code == 0
    assert_bad_input(validate(tmp_path / f"p{MAX_EXTENDS + 4}.yaml"), "extends chains at most")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    file = tmp_path / "plan.yaml"
    file.write_bytes("description: 小美\n".encode("gbk"))
    assert_bad_input(validate(file), "not UTF-8")


def test_an_empty_file_is_refused_not_run_as_a_plan_of_defaults(tmp_path):
    """0 bytes, nothing but comments and blanks, or `{}`: no plan nor portfolio named after the
    file."""
    from scenarios.portfolio import PortfolioError, load_portfolio
    for text in ("", "# my plan\n\n   \n", "---\n", "{}\n"):
        file = tmp_path / "plan.yaml"
        file.write_text(text, encoding="utf-8")
        for args in (["validate", str(file)], ["run", str(file), "--replicates", "1",
                                                "--out", str(tmp_path / "out")]):
            result = CliRunner().invoke(app, args)
            assert_bad_input(result, "is empty: a plan (or portfolio) needs at least one key")
        assert not (tmp_path / "out").exists()
        try:
            load_portfolio(file)
        except PortfolioError as err:
            assert "is empty" in str(err)
        else:
            raise AssertionError("an empty portfolio file was loaded")
