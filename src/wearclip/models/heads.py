"""MLP projection heads into the shared sensor-text embedding space."""

from __future__ import annotations

from torch import nn


class ProjectionHead(nn.Module):
    """``depth`` linear layers (ReLU between) from ``in_dim`` to ``out_dim``; depth 1 is a linear map."""

    def __init__(self, in_dim: int, out_dim: int, hidden: int = 256, depth: int = 2, dropout: float = 0.0) -> None:
        super().__init__()
        if depth < 1:
            raise ValueError("projection head depth must be >= 1")
        widths = [in_dim] + [hidden] * (depth - 1) + [out_dim]
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(widths, widths[1:])):
            layers.append(nn.Linear(a, b))
            if i < depth - 1:
                layers += [nn.ReLU(), nn.Dropout(dropout)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)
