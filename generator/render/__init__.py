"""Render: the linked program -> HTML pages through Jinja templates (environment, formats, views, pages)."""
