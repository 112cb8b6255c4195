"""``python -m loyaltysim`` runs the command line."""

import sys

from loyaltysim.cli import main

sys.exit(main())
