"""Every command's help shows what its code documents: no text lost to markup (rich read
`a:b:n` as an emoji and `[default: 10]` as a style tag)."""

import pytest
import typer
from typer.testing import CliRunner

from experiments.cli.main import app

GROUP = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands)


def _squeezed(text: str) -> str:
    """Text without whitespace: help is wrapped to the terminal, not otherwise changed."""
    return "".join(text.split())


def test_every_command_is_covered():
    assert {"run", "compare", "sweep", "sensitivity", "optimize", "deck"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_help_keeps_every_documented_token(name: str):
    result = CliRunner().invoke(app, [name, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    shown = _squeezed(result.output)
    command = GROUP.commands[name]
    documented = [command.help or ""] + [getattr(param, "help", None) or ""
                                         for param in command.params]
    for text in documented:
        for paragraph in text.split("\n\n"):
            assert _squeezed(paragraph.replace("\b", "")) in shown, (name, paragraph)
    for param in command.params:
        if getattr(param, "show_default", False) and not getattr(param, "is_flag", False) \
                and param.default not in (None, ()) and not param.required:
            assert f"[default:{_squeezed(str(param.default))}]" in shown, (name, param.name)


def test_the_tokens_markup_ate_are_shown():
    sweep = CliRunner().invoke(app, ["sweep", "--help"], terminal_width=80).output
    assert "a:b:n" in sweep and "🅱" not in sweep
    sensitivity = _squeezed(CliRunner().invoke(app, ["sensitivity", "--help"]).output)
    assert "[default:10]" in sensitivity and "[default:64]" in sensitivity
    assert "[default:lifetime_days,final_members,total_gmv,gross_profit]" in sensitivity
