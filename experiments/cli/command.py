"""The `groupsim` command's entry point, apart from `experiments.cli.main`: worker processes are
spawned, and a spawned process first re-imports the script that started its parent. That script
imports only this module, so workers do not load the whole command line (charts, decks, Optuna,
SALib) before their first run."""


def main() -> None:
    """Run the `groupsim` command line (typer; exits with its exit code)."""
    from experiments.cli.main import app

    app()
