"""Load plans: library names or YAML paths, `extends:` chains and dotted overrides."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ValidationError

from scenarios.schema import WEEKDAYS, CalendarItem, Plan

LIBRARY = Path(__file__).parent / "library"


class PlanError(ValueError):
    """A plan that cannot be used; the message names each bad field."""


def library(lang: Literal["en", "zh"] = "en") -> dict[str, str]:
    """Library plan name -> its one-line description in `lang` (`description_zh` for zh),
    sorted by name."""
    out = {}
    for path in sorted(LIBRARY.glob("*.yaml")):
        raw = _read_yaml(path)
        out[path.stem] = str((raw.get("description_zh") if lang == "zh" else None)
                             or raw.get("description", ""))
    return out


def load_plan(source: str, overrides: Sequence[str] = ()) -> Plan:
    """Resolve `source` (library name or YAML path), apply `key.path=value` overrides, validate."""
    path = _find(source)
    raw = _resolve(path, seen=())
    raw.setdefault("name", path.stem)
    for item in overrides:
        _apply_override(raw, item)
    return validate_dict(raw, where=str(source))


def validate_dict(raw: dict[str, Any], where: str = "plan") -> Plan:
    try:
        return Plan.model_validate(raw)
    except ValidationError as err:
        raise PlanError(_describe(err, where)) from None


def plan_to_yaml(plan: Plan) -> str:
    """The resolved plan with every default filled in."""
    return yaml.safe_dump(plan.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def _find(source: str) -> Path:
    path = Path(source)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise PlanError(f"Plan file not found: {source}.")
        return path
    lib = LIBRARY / f"{source}.yaml"
    if lib.is_file():
        return lib
    raise PlanError(
        f"Unknown plan '{source}': not a file and not a library plan. "
        f"Library plans: {', '.join(library())}."
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise PlanError(f"{path} is not UTF-8 text (byte {err.start}); save it as UTF-8.") from None
    except OSError as err:
        raise PlanError(f"{path} cannot be read: {err.strerror}.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise PlanError(_yaml_error(path, text, err)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PlanError(f"{path} must hold a mapping of plan sections, not {type(data).__name__}.")
    return data


def _yaml_error(path: Path, text: str, err: yaml.YAMLError) -> str:
    """Where the YAML broke, in plain words, led by a hint for the usual typing slips."""
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    last = mark.line + 1 if mark else len(text.splitlines())
    hints = [f"line {n} {hint}" for n, hint in _typing_slips(text) if n <= last]
    problem = getattr(err, "problem", None) or str(err)
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
    data = _read_yaml(path)
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
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise PlanError(
            f"Bad --set '{item}': write it as dotted.key=value, e.g. host.ip_strength=0.8 "
            "or calendar[0].amount=30."
        )
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise PlanError(f"Bad --set '{item}': the value is not a valid YAML scalar.") from None
    set_path(raw, key.strip(), value)


def set_path(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at `path` in a raw plan mapping, the same way `--set path=value` does.

    A path is dotted keys; a key may pick list items: `calendar[0]` by position,
    `calendar[red_packet]` every item of that kind. Missing sections are created (validation
    then names unknown keys); a list selector that matches nothing raises `PlanError` listing the
    items that exist.
    """
    steps = [_parse_step(path, part) for part in path.split(".")]
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
    else:
        hits = [j for j, item in enumerate(items)
                if isinstance(item, dict) and item.get("kind") == selector]
    if hits:
        return hits
    if not items:
        raise PlanError(f"Bad path '{path}': {key} is empty, so [{selector}] matches no item.")
    listed = ", ".join(
        f"[{j}] {item.get('kind', '?') if isinstance(item, dict) else repr(item)}"
        for j, item in enumerate(items)
    )
    raise PlanError(
        f"Bad path '{path}': {key}[{selector}] matches no item. "
        f"Pick an index 0 to {len(items) - 1} or a kind; the items are: {listed}."
    )


def _describe(err: ValidationError, where: str) -> str:
    lines = [f"{where}: {err.error_count()} bad field(s)"]
    for e in err.errors():
        loc = [p for p in e["loc"] if p not in _CALENDAR_KINDS]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        value = e.get("input")
        shown = "{...}" if isinstance(value, dict) else repr(value)
        lines.append(f"  {path or '(plan)'} = {shown}: {_allowed(e)}{_hint(e)}")
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
    return ""


def _allowed(e: dict[str, Any]) -> str:
    kind = e["type"]
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; docs/model.md lists every lever)"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        lo, hi = _bounds(e["loc"])
        return f"{e['msg'].lower()}; allowed range {lo} to {hi}"
    if kind == "union_tag_invalid":
        return f"unknown calendar kind; allowed: {', '.join(_CALENDAR_KINDS)}"
    if kind == "union_tag_not_found":
        return f"a calendar item needs a kind: {', '.join(_CALENDAR_KINDS)}"
    return e["msg"]


def _bounds(loc: tuple) -> tuple[Any, Any]:
    """Lower and upper bound of the field at `loc`, walking sections, lists and calendar kinds."""
    model, field = Plan, None
    for part in loc:
        if isinstance(part, int):
            continue
        if part in _CALENDAR_KINDS:
            model = _CALENDAR_KINDS[part]
            continue
        field = model.model_fields.get(part) if model else None
        if field is None:
            return "?", "?"
        model = _submodel(field.annotation)
    lo = hi = None
    for m in field.metadata if field else ():
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
