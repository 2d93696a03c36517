"""Training metrics as JSON lines (one object per logged step or epoch), mirrored to TensorBoard
when the ``tensorboard`` package is installed."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..io import write_text

METRICS_FILE = "metrics.jsonl"


class MetricsLog:
    """Append-only ``metrics.jsonl`` in a run folder; ``truncate(step)`` drops records a killed run
    wrote after its last checkpoint, so a resumed run's log has each step once."""

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / METRICS_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tensorboard = None
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:  # tensorboard is optional
            pass
        else:
            self._tensorboard = SummaryWriter(str(Path(run_dir) / "tensorboard"))

    def truncate(self, step: int) -> None:
        if not self.path.exists():
            return
        kept = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                if json.loads(line)["step"] <= step:
                    kept.append(line)
            except (json.JSONDecodeError, KeyError, TypeError):  # a line cut off by the kill
                continue
        write_text(self.path, "".join(line + "\n" for line in kept))

    def write(self, record: dict) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        if self._tensorboard is not None:
            prefix = record.get("kind", "step")
            for key, value in record.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                    self._tensorboard.add_scalar(f"{prefix}/{key}", value, record["step"])
            self._tensorboard.flush()

    def close(self) -> None:
        if self._tensorboard is not None:
            self._tensorboard.close()
