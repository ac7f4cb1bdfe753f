"""Validated configuration for the live figures (pydantic v2, unknown keys rejected).

One model per concept: the data subset, the network, the eigen-solver, and one
simulation config per figure kind. ``FigureSpec`` ties a figure's name and title to
its simulation; ``content/figures.yaml`` holds a list of them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class FigureConfigError(ValueError):
    """``content/figures.yaml`` is invalid; ``messages`` are "file:line: error: ..." lines."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataConfig(_Model):
    """Which digits to train on: ``n`` of the 1,797, chosen by a seeded permutation.

    ``labels``: ``one-hot`` (ten outputs, the default) or ``parity`` (one output, +1 for
    an even digit and -1 for an odd one). ``pixels``: ``standardized`` per feature (the
    default) or ``raw`` (the 0..16 intensities divided by 16). Why the other two exist:
    the self-stabilization theory assumes one outlying top eigenvalue. With ten outputs
    the top eigenvalues come as a cluster (several reach 2/eta together); with one output
    and uncentred pixels the top eigenvalue stands alone (lambda_2 below 0.2 lambda_1).
    """

    n: int = Field(500, ge=10, le=1797)
    seed: int = 0
    labels: Literal["one-hot", "parity"] = "one-hot"
    pixels: Literal["standardized", "raw"] = "standardized"

    @property
    def outputs(self) -> int:
        return 10 if self.labels == "one-hot" else 1


class ModelConfig(_Model):
    """A tanh MLP 64 -> hidden... -> outputs with PyTorch-default initialisation (the
    output width comes from the data: see ``_Simulation.sizes``)."""

    hidden: tuple[int, ...] = (64, 64)
    seed: int = 0

    @field_validator("hidden")
    @classmethod
    def _positive_widths(cls, hidden: tuple[int, ...]) -> tuple[int, ...]:
        if not hidden or any(h < 1 for h in hidden):
            raise ValueError("hidden must list at least one positive layer width, e.g. [64, 64]")
        return hidden

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer sizes for ten one-hot outputs (kept for callers without a data config)."""
        return (64, *self.hidden, 10)


class EigenConfig(_Model):
    """Warm-started subspace iteration: ``block`` vectors, ``iterations`` block products
    per recorded step."""

    block: int = Field(4, ge=1, le=16)
    iterations: int = Field(1, ge=1, le=50)
    seed: int = 0


class _Simulation(_Model):
    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    eigen: EigenConfig = EigenConfig()
    steps: int = Field(ge=10, le=20000)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer sizes of the network: 64 pixels in, the data's output width out."""
        return (64, *self.model.hidden, self.data.outputs)


class EdgeOfStabilityConfig(_Simulation):
    """Full-batch GD at several learning rates, sharpness tracked at every step."""

    kind: Literal["edge-of-stability"]
    learning_rates: tuple[float, ...] = Field(min_length=1, max_length=8)

    @field_validator("learning_rates")
    @classmethod
    def _positive_distinct(cls, rates: tuple[float, ...]) -> tuple[float, ...]:
        if any(r <= 0 for r in rates):
            raise ValueError("learning rates must be positive")
        if len(set(rates)) != len(rates):
            raise ValueError("learning rates must be distinct")
        return rates


class CentralFlowConfig(_Simulation):
    """GD's central flow beside GD and gradient flow, all from the same start."""

    kind: Literal["central-flow"]
    learning_rate: float = Field(gt=0)
    tracked: int = Field(4, ge=1, le=8, description="eigenvalues the flow may hold at 2/eta")
    substeps: int = Field(2, ge=1, le=16, description="Euler substeps per GD step")
    smoothing: float = Field(8.0, gt=0, description="Gaussian sigma, in steps, for GD's loss")

    @model_validator(mode="after")
    def _block_covers_tracked(self) -> CentralFlowConfig:
        if self.eigen.block < self.tracked:
            raise ValueError(
                f"eigen.block ({self.eigen.block}) must be at least tracked ({self.tracked})"
            )
        return self


class SelfStabilizationConfig(_Simulation):
    """GD at one learning rate, measured in Damian et al.'s reduced coordinates."""

    kind: Literal["self-stabilization"]
    learning_rate: float = Field(gt=0)


class AdaptiveConfig(_Simulation):
    """Adam, with the top eigenvalue of the preconditioned Hessian tracked."""

    kind: Literal["adaptive"]
    learning_rate: float = Field(gt=0)
    beta1: float = Field(0.9, ge=0, lt=1)
    beta2: float = Field(0.999, gt=0, lt=1)
    epsilon: float = Field(1e-8, gt=0)


SimulationConfig = Annotated[
    EdgeOfStabilityConfig | CentralFlowConfig | SelfStabilizationConfig | AdaptiveConfig,
    Field(discriminator="kind"),
]


class FigureSpec(_Model):
    """One live figure: a URL slug, a title and the simulation behind it."""

    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    talks: tuple[str, ...] = Field(default=(), description="Ids of the talks this figure belongs to (files in "
                                   "talks/): the figure links to them and their speakers, and their pages link back.")
    simulation: SimulationConfig


class FiguresFile(_Model):
    """content/figures.yaml: the live figures, each computed at build time and cached."""

    figures: list[FigureSpec] = Field(min_length=1)
