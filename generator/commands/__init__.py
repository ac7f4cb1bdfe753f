"""Commands besides check and build: serve, init/new, import (pretalx/frab/schedule 2), import-bibtex, schema."""
