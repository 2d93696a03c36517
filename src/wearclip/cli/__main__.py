"""``python -m wearclip.cli``: the same as the ``wearclip`` command."""

from . import main

main()
