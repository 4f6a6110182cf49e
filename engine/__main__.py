"""``python -m engine`` is ``signpost``."""

from engine.cli import main

raise SystemExit(main())
