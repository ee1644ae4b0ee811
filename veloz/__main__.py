"""``python -m veloz``: the ``veloz`` command."""

from veloz.cli import main

raise SystemExit(main())
