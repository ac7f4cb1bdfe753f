"""``python -m generator`` behaves like the ``symposium`` command."""

import sys

from generator.cli import main

sys.exit(main())
