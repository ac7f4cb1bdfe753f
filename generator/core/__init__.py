"""Core: what every stage uses and that uses nothing of ours: hashing, files, paths, memory, diagnostics."""
