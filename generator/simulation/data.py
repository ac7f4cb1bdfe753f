"""The training set: a seeded subset of scikit-learn's digits, standardised.

`load_digits` ships inside scikit-learn, so nothing is downloaded at build time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits

from .config import DataConfig


@dataclass(frozen=True)
class Dataset:
    """Inputs ``x`` (n, 64); targets ``y`` (n, 10) one-hot, or (n, 1) of +-1 for parity."""

    x: np.ndarray
    y: np.ndarray


def load_dataset(config: DataConfig) -> Dataset:
    """``config.n`` digits chosen by a seeded permutation (the same digits whatever the
    labels and pixel scaling), each pixel standardised or scaled to [0, 1].

    Standardising: pixels that are constant over the subset have zero spread; they are
    divided by 1 instead, so they stay at zero rather than becoming NaN.
    """
    digits = load_digits()
    order = np.random.default_rng(config.seed).permutation(len(digits.target))[: config.n]
    x = digits.data[order].astype(np.float64)
    labels = digits.target[order]
    if config.pixels == "standardized":
        std = x.std(axis=0)
        x = (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)
    else:
        x = x / 16.0
    if config.labels == "one-hot":
        y = np.eye(10)[labels]
    else:
        y = np.where(labels % 2 == 0, 1.0, -1.0)[:, None]
    return Dataset(x=x, y=y)
