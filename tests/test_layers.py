"""experiments/ is layered: running < analyses < outputs < cli. A module imports only its own
layer or the layers below it, and every package __init__ imports nothing (worker processes load
only the runner). Read from the source with ast, so lazy imports inside functions count too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "experiments"
LAYERS = ["running", "analyses", "outputs", "cli"]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every `import x` and `from x import y` anywhere in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.lineno, node.module)]
            if node.module == "experiments":
                found += [(node.lineno, f"experiments.{alias.name}") for alias in node.names]
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "experiments" or len(parts) < 2:
        return None
    return parts[1]


def test_every_module_sits_in_a_layer():
    loose = [p.name for p in ROOT.glob("*.py") if p.name != "__init__.py"]
    assert loose == [], f"modules outside a layer folder {LAYERS}: {loose}"
    assert sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(LAYERS)


@pytest.mark.parametrize("layer", LAYERS)
def test_no_import_upward(layer):
    rank = LAYERS.index(layer)
    upward = []
    for path in sorted((ROOT / layer).glob("*.py")):
        for line, module in _imports(path):
            target = _layer(module)
            if target is not None and (target not in LAYERS or LAYERS.index(target) > rank):
                upward.append(f"{path.relative_to(ROOT.parent)}:{line} imports {module}")
    assert upward == [], "imports from a higher layer:\n" + "\n".join(upward)


@pytest.mark.parametrize("init", [ROOT / "__init__.py"] + [ROOT / layer / "__init__.py" for layer in LAYERS])
def test_package_inits_import_nothing(init):
    assert _imports(init) == [], f"{init} must import nothing (worker start-up)"


def test_entry_point_imports_nothing_at_load():
    tree = ast.parse((ROOT / "cli" / "command.py").read_text())
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert top == [], "experiments/cli/command.py is re-imported by every spawned worker"
