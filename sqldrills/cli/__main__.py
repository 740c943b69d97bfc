"""``python -m sqldrills.cli``: the same as the ``sqldrills`` command."""

from sqldrills.cli.commands import entry

entry()
