"""`python -m experiments.cli ...` runs the `groupsim` command."""

from experiments.cli.command import main

main()
