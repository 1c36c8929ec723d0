"""Allow `python -m alignlab`."""

import sys

from alignlab.cli import main

sys.exit(main())
