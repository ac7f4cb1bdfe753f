"""``python -m generator`` behaves like the ``symposium`` command."""

import sys

from .cli import main

sys.exit(main())
