"""tests/test_layers.py's rules hold inside the layers' sub-packages too (experiments/running/
history/ and its formats/): no import from a higher layer, and __init__ files import nothing."""

from pathlib import Path

import pytest

from test_layers import LAYERS, ROOT, _imports, _layer

NESTED = sorted(p for layer in LAYERS for p in (ROOT / layer).glob("*/**/*.py"))


def test_there_are_sub_packages():
    assert any(p.parent.name == "history" for p in NESTED)


@pytest.mark.parametrize("path", NESTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_nested_module_imports_no_higher_layer(path: Path):
    rank = LAYERS.index(path.relative_to(ROOT).parts[0])
    upward = [f"{line}: {module}" for line, module in _imports(path)
              if (target := _layer(module)) is not None
              and (target not in LAYERS or LAYERS.index(target) > rank)]
    assert upward == [], f"{path} imports from a higher layer: {upward}"
    if path.name == "__init__.py":
        assert _imports(path) == [], f"{path} must import nothing"
