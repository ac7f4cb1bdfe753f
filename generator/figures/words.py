"""Numbers as a reader meets them in the figures' sentences.

Captions are written from the measured values; these helpers keep their wording and
rounding the same everywhere: "31%", "less than 0.1%", "1.02 times", "12,667", and the
training set and network described in words. Plain Python (no NumPy), like the page.
"""

from __future__ import annotations

import itertools
import math


def number(v: float, digits: int = 3) -> str:
    """``digits`` significant digits, thousands separated, no exponent for everyday sizes."""
    v = float(v)
    if not math.isfinite(v):
        return "undefined"
    if v == 0:
        return "0"
    if abs(v) >= 1e6 or abs(v) < 1e-4:
        mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
        return f"{mantissa}×10^{int(exponent)}".replace("-", "−")
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(v))))
    text = f"{round(v, decimals):,.{decimals}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text.replace("-", "−")  # a minus sign, not a hyphen


def percent(fraction: float, digits: int = 2, floor: float = 0.01) -> str:
    """A fraction as a percentage a reader can picture: "31%", "0.52%", "less than 0.01%"
    (``floor``, in percent, is the smallest said in figures)."""
    p = 100 * float(fraction)
    if p == 0:
        return "0%"
    if p < floor:
        return f"less than {floor:g}%"
    return f"{number(p, digits)}%"


def times(ratio: float) -> str:
    """A ratio to a reference, three digits kept: "1.02 times", "1.00 times"."""
    ratio = float(ratio)
    text = f"{ratio:#.3g}" if 1e-3 <= abs(ratio) < 100 else number(ratio, 3)
    return f"{text.replace('-', '−')} times"


def count(n: int, thing: str, plural: str | None = None) -> str:
    return f"{n:,} {thing if n == 1 else plural or thing + 's'}"


def seconds(s: float) -> str:
    """A duration: "0.8 seconds", "23 seconds", "2 minutes 5 seconds"."""
    s = float(s)
    if s < 60:
        return f"{number(s, 2)} seconds"
    minutes, rest = divmod(round(s), 60)
    return f"{count(minutes, 'minute')} {count(rest, 'second')}" if rest else count(minutes, "minute")


def learning_rate(eta: float) -> str:
    return f"η = {eta:g}"


def setting(sim) -> str:
    """What is trained, in words: "a tanh network with two hidden layers of 64 units (8,970
    weights) learns to tell 500 handwritten digits apart (ten classes)"."""
    sizes = tuple(sim.sizes)
    weights = sum(a * b + b for a, b in itertools.pairwise(sizes))
    hidden = sizes[1:-1]
    if len(set(hidden)) == 1:
        layers = f"{'one hidden layer' if len(hidden) == 1 else f'{_small(len(hidden))} hidden layers'} of {hidden[0]} units"
    else:
        layers = "hidden layers of " + ", ".join(str(h) for h in hidden[:-1]) + f" and {hidden[-1]} units"
    task = (
        f"learns to tell {sim.data.n:,} handwritten digits apart (ten classes)"
        if sim.data.outputs == 10
        else f"learns to tell even from odd among {sim.data.n:,} handwritten digits"
    )
    return f"a small tanh network with {layers} ({weights:,} weights) {task}"


def _small(n: int) -> str:
    return ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")[n] if n < 10 else str(n)


def listing(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
