"""`make_eval_set`: a fixed, seeded degraded copy of an HR set (BSD100 with the Real-ESRGAN pipeline, or its given LR
as JPEG quality 20), so every score of a model over time is taken on the same pixels."""
import hashlib
import json
import os

import numpy as np
import torch
from PIL import Image

from . import degrade
from .data import list_images, open_image
from .eval_sets import by_stem, size_text
from .metrics import to_uint8_levels


def image_seed(seed, name):
    """The RNG seed of one image: a function of (seed, file name) only, so it does not depend on the order of the
    files or on which other files are in the folder."""
    d = hashlib.sha256(f"{int(seed)}/{name}".encode("utf-8")).digest()
    return [int(seed) & 0xFFFFFFFF] + [int.from_bytes(d[i:i + 4], "little") for i in range(0, 16, 4)]


def save_png(img01, path):
    arr = to_uint8_levels(img01).to(torch.uint8).permute(1, 2, 0).numpy()
    Image.fromarray(np.ascontiguousarray(arr), "RGB").save(path, format="PNG")


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make_eval_set(hr_dir, out, degradation="realesrgan", seed=0, scale=4, max_images=0, lr_dir=None, quality=20,
                  skip=0):
    """Writes out/HR (each HR image cropped to a multiple of scale, PNG) and out/LR_x<scale> (the degraded LR,
    PNG), then out/eval-set.json (parameters and SHA-256 of every file) last, so its presence marks a complete set.

    degradation 'jpeg': the LR images of lr_dir (the set's given LR, matched by stem; HR cropped to LR × scale)
    at JPEG `quality`, written as PNG of the decoded JPEG so every reader sees the same pixels.
    Deterministic: each image's degradation draws from numpy.random.default_rng(image_seed(seed, name)), and torch
    runs on one thread meanwhile (the same bytes on every run of this code on a machine).
    """
    if degradation == "jpeg" and not lr_dir:
        raise ValueError("the 'jpeg' degradation compresses a set's given LR images: pass lr_dir (--lr-dir)")
    given_lr = by_stem(lr_dir) if degradation == "jpeg" else None
    files = list_images(hr_dir, recursive=False)
    if not files:
        raise FileNotFoundError(f"no images in {hr_dir}")
    files = files[skip:]  # skip / max_images: a range of the folder's images by name, e.g. a held-out part
    if max_images:
        files = files[:max_images]
    stems = [os.path.splitext(os.path.basename(p))[0] for p in files]
    if len(set(stems)) != len(stems):
        raise ValueError(f"{hr_dir} holds two images with one name stem; outputs would collide")
    hr_out, lr_out = os.path.join(out, "HR"), os.path.join(out, f"LR_x{scale}")
    os.makedirs(hr_out, exist_ok=True)
    os.makedirs(lr_out, exist_ok=True)
    marker = os.path.join(out, "eval-set.json")
    if os.path.exists(marker):
        os.remove(marker)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    images = {}
    try:
        for path, stem in zip(files, stems):
            hr = open_image(path)
            rng = np.random.default_rng(image_seed(seed, os.path.basename(path)))
            if given_lr is not None:
                if stem not in given_lr:
                    raise FileNotFoundError(f"{path}: no LR image named {stem}.* in {lr_dir}")
                # the set's own LR at JPEG quality q (4:2:0, as PIL, cameras and web pipelines write it), decoded
                lr = degrade.jpeg(open_image(given_lr[stem]), quality)
                if lr.shape[1] * scale > hr.shape[1] or lr.shape[2] * scale > hr.shape[2]:
                    raise ValueError(f"{given_lr[stem]} is {size_text(lr)}; ×{scale} exceeds the HR size {size_text(hr)}")
                hr = hr[:, : lr.shape[1] * scale, : lr.shape[2] * scale]  # the benchmark's modcrop
            else:
                hr = hr[:, : hr.shape[1] // scale * scale, : hr.shape[2] // scale * scale]
                lr = degrade.degrade(hr, scale, rng, degradation)
            hp, lp = os.path.join(hr_out, stem + ".png"), os.path.join(lr_out, stem + ".png")
            save_png(hr, hp)
            save_png(lr, lp)
            images[stem] = {"source": os.path.basename(path), "hr": _sha256(hp), "lr": _sha256(lp),
                            "hrSize": [hr.shape[2], hr.shape[1]], "lrSize": [lr.shape[2], lr.shape[1]]}
    finally:
        torch.set_num_threads(threads)
    info = {"degradation": degradation, "seed": seed, "scale": scale, "source": os.path.abspath(hr_dir),
            "images": images, "torch": torch.__version__, "numpy": np.__version__}
    if given_lr is not None:
        from PIL import __version__ as pil_version
        info.update(lrSource=os.path.abspath(lr_dir), quality=quality, pillow=pil_version)
    with open(marker, "w") as f:
        json.dump(info, f, indent=1, sort_keys=True)
    return info
