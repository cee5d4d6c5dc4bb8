"""Load plans: library names or YAML paths, `extends:` chains and dotted overrides.

Plans are read as YAML 1.2 (ruamel.yaml, safe and pure): `010` is 10, `2:00` is the text
'2:00' (never base 60, so a number field names it), `yes`/`no` are text, and a key written
twice in one mapping is an error naming both lines.
"""

import difflib
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.representer import SafeRepresenter
from ruamel.yaml.resolver import VersionedResolver

from scenarios.schema import WEEKDAYS, CalendarItem, Economics, Plan

LIBRARY = Path(__file__).parent / "library"
PORTFOLIOS = LIBRARY / "portfolios"
"""The library's portfolios (`scenarios.portfolio`)."""
NOT_A_PLAN = ("'{source}' is a portfolio (several groups), not a plan: groupsim run, compare, "
              "sweep and validate take portfolios; this command takes one plan (a portfolio's "
              "plans are named under its groups:).")


class PlanError(ValueError):
    """A plan that cannot be used; the message names each bad field."""


def library(lang: Literal["en", "zh"] = "en") -> dict[str, str]:
    """Library plan name -> its one-line description in `lang` (`description_zh` for zh),
    sorted by name."""
    return _descriptions(LIBRARY, lang)


def _descriptions(folder: Path, lang: Literal["en", "zh"]) -> dict[str, str]:
    out = {}
    for path in sorted(folder.glob("*.yaml")):
        raw = read_yaml(path)
        out[path.stem] = str((raw.get("description_zh") if lang == "zh" else None)
                             or raw.get("description", ""))
    return out


def portfolio_library(lang: Literal["en", "zh"] = "en") -> dict[str, str]:
    """Name -> description in `lang` of each portfolio in scenarios/library/portfolios/, sorted
    by name."""
    return _descriptions(PORTFOLIOS, lang)


def load_plan(source: str | Path, overrides: Sequence[str] = (),
              values: Mapping[str, Any] | None = None) -> Plan:
    """Resolve `source` (library name or YAML path), apply `key.path=value` overrides, then
    `values` (key path -> value already read, as a portfolio's `set:` holds them), validate."""
    path = _find(str(source))
    raw = _resolve(path, seen=())
    if "portfolio" in raw or "groups" in raw:
        raise PlanError(NOT_A_PLAN.format(source=source))
    raw = with_derived_defaults(raw)
    raw.setdefault("name", path.stem)
    for item in overrides:
        _apply_override(raw, item)
    for key, value in (values or {}).items():
        set_path(raw, key, value)
    return validate_dict(raw, where=str(source))


def with_derived_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """`raw` with the derived defaults of the plan as written filled in: `economics.market_price`
    and `economics.unit_cost` (`scenarios.schema.Economics`), so that overrides set after cannot
    move them. Every other path that changes a plan starts from a validated plan, which carries
    them already. An invalid economics section is left as it is for validation to name."""
    try:
        economics = Economics.model_validate(raw.get("economics", {}))
    except ValidationError:
        return raw
    stated = {} if economics.margin is None else {"margin": economics.margin}
    return {**raw, "economics": {**economics.model_dump(mode="json"), **stated}}


def validate_dict(raw: dict[str, Any], where: str = "plan") -> Plan:
    try:
        return Plan.model_validate(raw)
    except ValidationError as err:
        raise PlanError(describe_errors(err, where)) from None


def plan_to_yaml(plan: Plan) -> str:
    """The resolved plan with every default filled in."""
    return dump_yaml(plan.model_dump(mode="json"))


_YAML_1_1 = VersionedResolver(version=(1, 1))
_STR = "tag:yaml.org,2002:str"


class _Representer(SafeRepresenter):
    """Quotes text that a YAML 1.1 reader would take for something else (`yes`, `2:00`, `010`),
    so files groupsim writes read the same in YAML 1.1 tools."""

    def represent_str(self, data: str) -> ScalarNode:
        ambiguous = _YAML_1_1.resolve(ScalarNode, data, (True, False)) != _STR
        return self.represent_scalar(_STR, data, style="'" if ambiguous else None)


_Representer.add_representer(str, _Representer.represent_str)


def _yaml() -> YAML:
    """A YAML 1.2 reader/writer (a new one per use: ruamel's objects are not thread-safe)."""
    y = YAML(typ="safe", pure=True)
    y.Representer = _Representer
    y.default_flow_style = False
    y.allow_unicode = True
    y.sort_base_mapping_type_on_output = False
    return y


def dump_yaml(data: Any) -> str:
    """`data` as block-style YAML 1.2, keys in their order, non-ASCII text as written."""
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def parse_yaml(text: str) -> Any:
    """Parse YAML 1.2 text; `DuplicateKey` if a mapping repeats a key, else ruamel's
    `YAMLError` (with `problem_mark`) for text that is not YAML."""
    y = _yaml()
    node = y.compose(text)
    if node is not None:
        _check_duplicates(node)
    return y.load(text)


class DuplicateKey(MarkedYAMLError):
    """A key written twice in one mapping (YAML 1.2 forbids it)."""


def _check_duplicates(node: Node) -> None:
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            first: dict[Any, int] = {}
            for key, value in node.value:
                ident = (key.tag, key.value) if not isinstance(key.value, list) else id(key)
                line = key.start_mark.line + 1
                if ident in first:
                    raise DuplicateKey(
                        problem=f"the key '{key.value}' is written twice, on line {first[ident]} "
                                f"and line {line}; " + ("merge the two blocks into one"
                                if isinstance(value, MappingNode) else "keep one of them"),
                        problem_mark=key.start_mark)
                first[ident] = line
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def parse_scalar(text: str, what: str) -> Any:
    """A `--set` or `--vary` value read as plans are: `010` is 10, `2:00` is text.

    `what` names the option in the `PlanError` raised for text that is not YAML."""
    try:
        return parse_yaml(text)
    except YAMLError:
        raise PlanError(f"Bad {what}: the value is not a valid YAML scalar.") from None


def _find(source: str) -> Path:
    path = Path(source)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise PlanError(f"Plan file not found: {source}.")
        return path
    lib = LIBRARY / f"{source}.yaml"
    if lib.is_file():
        return lib
    if (PORTFOLIOS / f"{source}.yaml").is_file():
        raise PlanError(NOT_A_PLAN.format(source=source))
    plans, portfolios = list(library()), list(portfolio_library())
    close = difflib.get_close_matches(source, plans + portfolios, n=1)
    raise PlanError(
        f"Unknown plan '{source}': not a file, a library plan nor a library portfolio. "
        + (f"Did you mean '{close[0]}'? " if close else "")
        + f"Library plans: {', '.join(plans)}. Library portfolios (groupsim run, compare, "
        f"sweep and validate take them): {', '.join(portfolios)}."
    )


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping a YAML file holds; `PlanError` naming the line for text that is not YAML, a
    key written twice, or anything but a mapping, and for an empty file (nothing but comments
    and blanks, or an empty mapping `{}`): read as a plan of defaults, it would run what nobody
    wrote."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise PlanError(f"{path} is not UTF-8 text (byte {err.start}); save it as UTF-8.") from None
    except OSError as err:
        raise PlanError(f"{path} cannot be read: {err.strerror}.") from None
    try:
        data = parse_yaml(text)
    except YAMLError as err:
        raise PlanError(_yaml_error(path, text, err)) from None
    if data is None or data == {}:
        raise PlanError(
            f"{path} is empty: a plan (or portfolio) needs at least one key. A plan: "
            "`extends: tuanzhang` (a library plan) and the levers it changes, e.g. "
            "`group: {platform: wecom}` (docs/model.md lists every lever); a portfolio: "
            "`portfolio:`, `pool:`, `groups:` and `targets:` (docs/model.md, \"Portfolios\").")
    if not isinstance(data, dict):
        raise PlanError(f"{path} must hold a mapping of plan sections, not {type(data).__name__}.")
    return data


def _yaml_error(path: Path, text: str, err: YAMLError) -> str:
    """Where the YAML broke, in plain words, led by a hint for the usual typing slips."""
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    last = mark.line + 1 if mark else len(text.splitlines())
    hints = [f"line {n} {hint}" for n, hint in _typing_slips(text) if n <= last]
    problem = getattr(err, "problem", None) or str(err)
    if isinstance(err, DuplicateKey):
        return f"{path} is not valid: {problem}."
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    lines = text.splitlines()
    shown = f"\n  {lines[mark.line].strip()}" if mark and mark.line < len(lines) else ""
    found = f"{where}{problem}{shown}"
    if hints:
        return f"{path} is not valid YAML: {'; '.join(hints)}. (The parser noticed at {found})"
    return f"{path} is not valid YAML: {found}"


# characters typed with a Chinese input method that YAML does not read as punctuation
_FULL_WIDTH = {"：": ("a full-width colon", ":"), "，": ("a full-width comma", ","),
               "［": ("a full-width bracket", "["), "］": ("a full-width bracket", "]"),
               "｛": ("a full-width brace", "{"), "｝": ("a full-width brace", "}"),
               "－": ("a full-width dash", "-"), "　": ("a full-width space", "a space")}


def _typing_slips(text: str) -> list[tuple[int, str]]:
    """(line number, what is wrong) for full-width punctuation and tabs outside comments."""
    found = []
    for n, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0]
        for char, (name, ascii_) in _FULL_WIDTH.items():
            if char in code:
                found.append((n, f"has {name} '{char}'; use '{ascii_}'"))
        if "\t" in code:
            found.append((n, "has a tab; indent with spaces"))
    return found


MAX_EXTENDS = 16


def _resolve(path: Path, seen: tuple[str, ...]) -> dict[str, Any]:
    data = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise PlanError(f"{path}: extends must be a library name or a path, not {parent!r}.")
    if parent in seen:
        raise PlanError(f"{path}: extends forms a cycle through {parent!r}.")
    if len(seen) >= MAX_EXTENDS:
        raise PlanError(f"{path}: extends chains at most {MAX_EXTENDS} files deep; this one is deeper.")
    parent_path = _find(parent) if not (path.parent / parent).is_file() else path.parent / parent
    base = _resolve(parent_path, seen + (parent,))
    base.pop("name", None)
    base.pop("description", None)
    base.pop("description_zh", None)
    _one_form(base, data)
    return merge(base, data)


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) replaces the parent's value."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _apply_override(raw: dict[str, Any], item: str) -> None:
    key, value = split_override(item, "host.ip_strength=0.8 or calendar[0].amount=30")
    set_path(raw, key, value)


def split_override(item: str, example: str) -> tuple[str, Any]:
    """A `--set` item's path and value (`PlanError`, with `example`, if it is not path=value)."""
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise PlanError(f"Bad --set '{item}': write it as dotted.key=value, e.g. {example}.")
    return key.strip(), parse_scalar(text, f"--set '{item}'")


# a plan states these in one of two ways (scenarios.schema.Economics): stating one drops the other
_SAME_FACT = {"margin": ("unit_cost",), "unit_cost": ("margin",),
              "reference_price": ("market_price",), "market_price": ("reference_price",)}


def _one_form(raw: dict[str, Any], stated: dict[str, Any], resolved: bool = False) -> None:
    """Drop from `raw`'s economics each fact that `stated`'s economics states the other way.
    In a `resolved` plan (unit_cost filled in), a new market price also drops the margin stated
    with the old one: the unit cost is a fact about the goods and stays."""
    economics, new = raw.get("economics"), stated.get("economics")
    if isinstance(economics, dict) and isinstance(new, dict):
        for key in new:
            for other in _SAME_FACT.get(key, ()):
                economics.pop(other, None)
            if resolved and key in ("market_price", "reference_price") and "unit_cost" in economics:
                economics.pop("margin", None)


def set_path(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at `path` in a raw plan mapping, the same way `--set path=value` does.

    A path is dotted keys; a key may pick list items: `calendar[0]` by position,
    `calendar[red_packet]` every item of that kind, `groups[tz]` the items of that name (a
    portfolio's groups, hosts, staff; a group without a name is named by its plan), `[*]` all.
    Missing sections are created (validation then names unknown keys); a list selector that matches nothing raises `PlanError` listing the
    items that exist. Setting `economics.margin` drops `economics.unit_cost` (and the other way
    round), since both state the cost of goods; likewise `reference_price` and `market_price`.
    """
    steps = [_parse_step(path, part) for part in path.split(".")]
    if len(steps) == 2 and steps[0] == ("economics", None) and steps[1][1] is None:
        _one_form(raw, {"economics": {steps[1][0]: value}}, resolved=True)
    nodes = [raw]
    for i, (key, selector) in enumerate(steps):
        last = i == len(steps) - 1
        if selector is None and last:
            for node in nodes:
                node[key] = value
            return
        nxt = []
        for node in nodes:
            child = node.setdefault(key, [] if selector is not None else {})
            if selector is None:
                if not isinstance(child, dict):
                    raise PlanError(f"Bad path '{path}': '{key}' is not a section.")
                nxt.append(child)
            else:
                nxt.extend(_select(path, key, child, selector))
        if last:  # `calendar[0]=...` replaces the picked items
            for node in nodes:
                items = node[key]
                for j in _select_indices(path, key, items, selector):
                    items[j] = value
            return
        nodes = nxt


def get_path(raw: dict[str, Any], path: str) -> list[Any]:
    """The values at `path` (one per matched list item); `PlanError` if a selector matches none."""
    steps = [_parse_step(path, part) for part in path.split(".")]
    values: list[Any] = [raw]
    for key, selector in steps:
        nxt = []
        for node in values:
            if not isinstance(node, dict) or key not in node:
                continue
            child = node[key]
            nxt.extend([child] if selector is None else _select(path, key, child, selector))
        values = nxt
    return values


def _parse_step(path: str, part: str) -> tuple[str, str | None]:
    key, bracket, rest = part.partition("[")
    if not key or (bracket and (not rest.endswith("]") or len(rest) < 2)) or "]" in key:
        raise PlanError(
            f"Bad path '{path}': write dotted keys, with [N] or [kind] after a list, "
            "e.g. host.ip_strength or calendar[red_packet].amount."
        )
    return key, rest[:-1].strip() if bracket else None


def _select(path: str, key: str, items: Any, selector: str) -> list[dict[str, Any]]:
    return [items[j] for j in _select_indices(path, key, items, selector)]


def _select_indices(path: str, key: str, items: Any, selector: str) -> list[int]:
    if not isinstance(items, list):
        raise PlanError(f"Bad path '{path}': '{key}' is not a list, so [{selector}] cannot pick.")
    if selector.lstrip("-").isdigit():
        j = int(selector)
        hits = [j] if 0 <= j < len(items) else []
    elif selector == "*":
        hits = list(range(len(items)))
    else:
        hits = [j for j, item in enumerate(items) if _label(item) == selector]
    if hits:
        return hits
    if not items:
        raise PlanError(f"Bad path '{path}': {key} is empty, so [{selector}] matches no item.")
    listed = ", ".join(f"[{j}] {_label(item)}" for j, item in enumerate(items))
    raise PlanError(
        f"Bad path '{path}': {key}[{selector}] matches no item. "
        f"Pick an index 0 to {len(items) - 1}, * or a kind or name; the items are: {listed}."
    )


def _label(item: Any) -> str:
    """What `[label]` picks a list item by: its kind (a calendar item), else its name, else its
    plan (a portfolio's group without a name is named by its plan)."""
    if not isinstance(item, dict):
        return repr(item)
    return str(item.get("kind") or item.get("name") or item.get("plan") or "?")


def _path(loc: list) -> str:
    """A pydantic location as the path a user writes: calendar[0].amount."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def describe_errors(err: ValidationError, where: str, root: type[BaseModel] = Plan,
                    raw: Mapping[str, Any] | None = None) -> str:
    """One line per bad field of a `root` model (a plan unless said): its path, the value and
    what is allowed (the range, for numbers). With `raw` (the mapping validated), a list item
    that has a name is named too (a portfolio's `groups[0]`, picked as `groups[tz]`)."""
    lines = [f"{where}: {err.error_count()} bad field(s)"]
    for e in err.errors():
        loc = [p for p in e["loc"] if p not in _CALENDAR_KINDS]
        path = _path(loc)
        value = e.get("input")
        shown = "{...}" if isinstance(value, dict) else repr(value)
        kinds = [k for k, p in enumerate(e["loc"]) if p in _CALENDAR_KINDS]
        item = ""
        if kinds:  # the user may have picked it by kind (calendar[flash_sale]): say which it is
            item_path = _path([p for p in e["loc"][:kinds[0]] if p not in _CALENDAR_KINDS])
            item = f" ({item_path} is the {e['loc'][kinds[0]]} item)"
        elif raw is not None and len(loc) > 2 and isinstance(loc[1], int):
            items = raw.get(loc[0])
            named = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
            if isinstance(named, dict) and (named.get("name") or named.get("plan")):
                item = f" ({_path(loc[:2])} is {_label(named)})"
        if e["type"] == "missing":  # the input shown would be the section it is missing from
            lines.append(f"  {path}: missing; {e['msg'].lower()}{item}")
            continue
        lines.append(f"  {path or '(plan)'} = {shown}: {_allowed(e, root)}{_hint(e)}{item}")
    return "\n".join(lines)


# 周六, 星期六, 礼拜六 ... -> sat
_CHINESE_WEEKDAYS = {
    f"{prefix}{day}": WEEKDAYS[i if i < 7 else 6]
    for prefix in ("周", "星期", "礼拜")
    for i, day in enumerate("一二三四五六日天")
}


def _hint(e: dict[str, Any]) -> str:
    """A hint for the usual slips behind an error (in the value, its keys, or an unknown key),
    or ''."""
    value = e["loc"][-1] if e["type"] == "extra_forbidden" else e.get("input")
    texts = [str(v) for v in (value if isinstance(value, dict) else [value]) if isinstance(v, str)]
    for text in texts:
        if text.strip() in _CHINESE_WEEKDAYS:
            return f" (write {text.strip()} as '{_CHINESE_WEEKDAYS[text.strip()]}')"
    slips = {f"{name} '{char}'; use '{ascii_}'"
             for text in texts for char, (name, ascii_) in _FULL_WIDTH.items() if char in text}
    if slips:
        return f" (it has {'; '.join(sorted(slips))})"
    if e["type"] == "list_type":
        return " (a list: one item per line, each starting with '- '; the first is [0])"
    clock = _CLOCK.match(texts[0].strip()) if texts and e["type"] in _NUMBER_ERRORS else None
    if clock:
        hours = int(clock[1]) + int(clock[2]) / 60 + int(clock[3] or 0) / 3600
        return f" — write hours as a number, e.g. {hours:g}"
    return ""


_CLOCK = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")
_NUMBER_ERRORS = {"int_parsing", "float_parsing", "int_type", "float_type"}


def _allowed(e: dict[str, Any], root: type[BaseModel]) -> str:
    kind = e["type"]
    if kind == "extra_forbidden":
        return _unknown_key(e["loc"], root)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        lo, hi = _bounds(e["loc"], root)
        allowed = (f"allowed range {lo} to {hi}" if lo is not None and hi is not None else
                   f"allowed: at least {lo}" if lo is not None else f"allowed: at most {hi}")
        return f"{e['msg'].lower()}; {allowed}"
    if kind == "union_tag_invalid":
        return f"unknown calendar kind; allowed: {', '.join(_CALENDAR_KINDS)}"
    if kind == "union_tag_not_found":
        return f"a calendar item needs a kind: {', '.join(_CALENDAR_KINDS)}"
    return e["msg"]


def _unknown_key(loc: tuple, root: type[BaseModel]) -> str:
    """An unknown key at `loc` of a `root` model: the closest allowed key, the keys allowed
    there, and where they are described (a plan's levers, or a portfolio's fields)."""
    model = _model_at(loc[:-1], root)
    docs = ("docs/model.md lists every lever" if root is Plan
            else "docs/model.md, \"Portfolios\", describes them")
    if model is None:
        return f"unknown key (check the spelling; {docs})"
    keys = [*model.model_fields, *(("extends",) if model is Plan else ())]
    close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
    did = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key{did}; allowed here: {', '.join(keys)} ({docs})"


def _model_at(loc: tuple, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model of the section at `loc` of a `root` model (walking lists and calendar kinds),
    or None where `loc` is no section."""
    model: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int):
            continue
        if part in _CALENDAR_KINDS:
            model = _CALENDAR_KINDS[part]
            continue
        field = model.model_fields.get(part) if model else None
        if field is None:
            return None
        model = _submodel(field.annotation)
    return model


def _bounds(loc: tuple, root: type[BaseModel]) -> tuple[Any, Any]:
    """Lower and upper bound of the field at `loc` of a `root` model, walking sections, lists
    and calendar kinds."""
    names = [k for k, part in enumerate(loc)
             if not isinstance(part, int) and part not in _CALENDAR_KINDS]
    model = _model_at(loc[:names[-1]], root) if names else None
    field = model.model_fields.get(loc[names[-1]]) if model else None
    if field is None:
        return "?", "?"
    lo = hi = None
    # the field's own constraints, and those of an Annotated type in a union (`Yuan | None`)
    inner = [m for a in get_args(field.annotation) if get_origin(a) is Annotated
             for info in get_args(a)[1:] for m in getattr(info, "metadata", [info])] \
        if field else []
    for m in [*(field.metadata if field else ()), *inner]:
        lo = next((v for v in (getattr(m, "ge", None), getattr(m, "gt", None)) if v is not None), lo)
        hi = next((v for v in (getattr(m, "le", None), getattr(m, "lt", None)) if v is not None), hi)
    return lo, hi


def _submodel(annotation: Any) -> type | None:
    for cand in (annotation, *get_args(annotation)):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return cand
    return None


_CALENDAR_KINDS: dict[str, type] = {
    get_args(m.model_fields["kind"].annotation)[0]: m
    for m in get_args(get_args(CalendarItem)[0])
}
