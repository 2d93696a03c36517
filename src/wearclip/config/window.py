"""How recordings become windows: rate, length, overlap and the window-label rule."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TARGET_RATE = 50.0


class WindowConfig(BaseModel):
    """How recordings are cut into windows (defaults: 2 s at 50 Hz, 50 % overlap, pure labels)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate: float = Field(TARGET_RATE, gt=0)
    seconds: float = Field(2.0, gt=0)
    overlap: float = Field(0.5, ge=0, lt=1)
    label_rule: Literal["pure", "majority", "center"] = "pure"
    min_fraction: float = Field(0.5, gt=0, le=1)
    keep_unlabelled: bool = False

    @property
    def size(self) -> int:
        """Samples per window."""
        return int(round(self.seconds * self.rate))

    @property
    def step(self) -> int:
        """Samples between window starts."""
        return max(1, int(round(self.size * (1 - self.overlap))))
