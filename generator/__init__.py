"""symposium-site: a symposium's program and speakers, kept as YAML, built into a static website."""

__version__ = "0.1.0"
