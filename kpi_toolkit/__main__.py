"""``python -m kpi_toolkit`` runs the ``kpi`` command line."""

import sys

from .cli import main

sys.exit(main())
