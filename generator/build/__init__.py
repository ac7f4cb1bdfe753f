"""Build: the whole site, stage by stage (``site.build_site``), with the caches that keep a rebuild small,
the pages rendered in parallel, the search index, and publishing that never leaves a half-written site."""
