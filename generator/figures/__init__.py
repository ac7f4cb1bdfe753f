"""Figures: the live figures, computed by ``generator.simulation`` and drawn as SVG, cached by content hash."""
