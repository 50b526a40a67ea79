"""Shared fixtures. Tests stay small (tiny nets, 32-px crops, few iterations): the suite must run in a few
minutes on a shared 2-core CPU."""
import os

import numpy as np
import pytest
import torch
from PIL import Image

torch.set_num_threads(1)

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
# CTMSR_SHARED points elsewhere (e.g. a missing folder, to check that the suite skips cleanly without it)
SHARED = os.environ.get("CTMSR_SHARED") or os.path.normpath(os.path.join(REPO, "..", "shared"))
LPIPS_DIR = os.path.join(SHARED, "weights", "lpips-squeeze")
EVAL_ROOT = os.path.join(SHARED, "data", "eval")

needs_shared = pytest.mark.skipif(not os.path.isdir(SHARED),
                                  reason=f"shared data folder {SHARED} is absent (weights and images live there)")
needs_lpips = pytest.mark.skipif(
    not os.path.isfile(os.path.join(LPIPS_DIR, "squeezenet1_1_features.pth")),
    reason=f"LPIPS squeeze weights not found in {LPIPS_DIR} (../shared is absent or incomplete)")


def synthetic_image(h, w, seed):
    """Smooth, photo-like RGB pattern (sinusoids + soft blobs), uint8."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    for c in range(3):
        for _ in range(3):
            fx, fy, ph = rng.uniform(0.02, 0.25), rng.uniform(0.02, 0.25), rng.uniform(0, 6.3)
            img[..., c] += 0.15 * np.sin(fx * x + fy * y + ph)
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(4, 12)
        img[..., c] += 0.3 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    img = 0.5 + img
    return (np.clip(img, 0, 1) * 255).round().astype(np.uint8)


@pytest.fixture(scope="session")
def hr_folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("hr")
    for i in range(6):
        Image.fromarray(synthetic_image(48, 64, i)).save(d / f"img{i}.png")
    return str(d)


def tiny_config(out, hr_dir, **over):
    """A config for a fast CPU run: S layout with 16 channels, 32-px crops, batch 4, Charbonnier distance."""
    from trainer import config
    sets = {"out": str(out), "threads": 1, "net": {"model_channels": 16}, "ct_iterations": 30,
            "data": {"hr_dirs": [hr_dir], "crop": 32, "batch": 4},
            "ct": {"distance": "charbonnier"}, "log_every": 1, "checkpoint_every": 0,
            "export": {"enabled": False}, "lpips": {"dir": LPIPS_DIR}}
    cfg = config.merge(config.DEFAULTS, sets)
    return config.merge(cfg, over)
