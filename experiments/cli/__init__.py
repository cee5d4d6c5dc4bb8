"""The `groupsim` command line, on top of every other layer. Imports nothing: the entry point
`experiments.cli.command:main` must stay light (see that module)."""
