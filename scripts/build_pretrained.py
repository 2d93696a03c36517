"""Build the shipped model ``wearclip-base`` (src/wearclip/models/pretrained/wearclip-base) from the real datasets.

Usage: python scripts/build_pretrained.py [--data ../shared/data] [--out src/wearclip/models/pretrained/wearclip-base]
       python scripts/build_pretrained.py --evaluate    (scores of the shipped model, no training)

The recipe of the ``generalise`` experiment's best row, ``gravity/unicl/dsads-all/movement+paraphrases``
(gravity-aligned frame, random rotation about gravity, UniCL targets, dsads with all five units, each
class described by the 33 templates followed by its movement description and by its paraphrases),
pre-trained on all five shared datasets: every subject of each except its validation subjects, which
drive early stopping; at most 250 windows per class per dataset, seed 0. Writes config.json and
model.safetensors atomically (MODEL_CARD.md is hand-written beside them). The result is not
bit-identical from run to run (float rounding of cached text embeddings and CPU kernels);
tests/models/test_pretrained.py checks that a rebuild has the same config and validation scores within 5
points of the shipped model.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import torch

from wearclip.config.train import TrainConfig
from wearclip.io import atomic_directory
from wearclip.models.saving import CONFIG_NAME, WEIGHTS_NAME
from wearclip.study.generalise import DATASETS, GeneraliseRunner, shipped_setup
from wearclip.study.protocols import DataSettings, EvalSettings

OUT = Path(__file__).resolve().parents[1] / "src" / "wearclip" / "models" / "pretrained" / "wearclip-base"
FOLDERS = {"mobifall": "mobifall-v2", "seglearn-watch": "seglearn-watch", "dsads": "dsads", "wisdm": "wisdm-2019"}
"""Folder of each dataset under the shared data root (UCI HAPT is read from the package's embedded copy,
as in the generalise experiment)."""
EPOCHS = 5
SEED = 0


def build(data: Path, out: Path) -> Path:
    """Pre-train wearclip-base from the datasets under ``data`` and write it to ``out``."""
    torch.set_num_threads(1)
    roots = {name: str(data / folder) for name, folder in FOLDERS.items()}
    with tempfile.TemporaryDirectory() as cache:
        settings = EvalSettings(data=DataSettings(roots=roots), checkpoints=cache,
                                pretrain=TrainConfig(epochs=EPOCHS, patience=EPOCHS, device="cpu"))
        runner = GeneraliseRunner(settings, DATASETS)
        setup = shipped_setup().model_copy(update={"pretrain_on": DATASETS})
        model = runner.pretrained_nls(setup, target="", seed=SEED)  # no target: every source gives train + test subjects
        folder = Path(cache) / "model"
        model.save_pretrained(folder)
        with atomic_directory(out, "checkpoint") as tmp:
            for name in (CONFIG_NAME, WEIGHTS_NAME):
                shutil.copyfile(folder / name, tmp / name)
            card = out / "MODEL_CARD.md"
            if card.is_file():
                shutil.copyfile(card, tmp / "MODEL_CARD.md")
    return out


def evaluate(data: Path, folder: Path) -> dict[str, float]:
    """Zero-shot macro-F1 of the model in ``folder`` on each dataset's validation subjects: people it
    never trained on (they only chose its epoch), of datasets it did; recognition with the model's own
    sentence mode (``auto``)."""
    from wearclip.metrics import evaluate_predictions
    from wearclip.models.registry import load
    from wearclip.models.zeroshot import ZeroShotClassifier
    from wearclip.text import class_sentences

    model = load(folder)
    runner = GeneraliseRunner(EvalSettings(data=DataSettings(roots={n: str(data / f) for n, f in FOLDERS.items()})),
                              DATASETS)
    scores = {}
    for name in DATASETS:
        val = runner.split(name)["val"]
        sentences = class_sentences(val.classes, model.config.recognition_mode(), name, SEED)
        predictions = ZeroShotClassifier(model, sentences).predict(val.x)
        scores[name] = evaluate_predictions(val.labels, predictions, val.classes).macro_f1
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"), help="folder holding the five datasets")
    parser.add_argument("--out", type=Path, default=OUT, help="checkpoint folder to write")
    parser.add_argument("--evaluate", action="store_true", help="score the model in --out instead of building it")
    args = parser.parse_args()
    if args.evaluate:
        for name, score in evaluate(args.data, args.out).items():
            print(f"{name}: zero-shot macro-F1 {100 * score:.1f} on its validation subjects")
    else:
        print(build(args.data, args.out))


if __name__ == "__main__":
    main()
