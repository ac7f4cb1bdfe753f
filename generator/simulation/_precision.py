"""A scope for 64-bit JAX, entered by every public entry point of the subpackage."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import jax

P = ParamSpec("P")
R = TypeVar("R")


def float64(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` with ``jax_enable_x64`` on, restoring the caller's setting afterwards."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with jax.enable_x64(True):
            return fn(*args, **kwargs)

    return wrapper
