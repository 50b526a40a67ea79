"""Training sources made of explicit file lists (the app scanned and split the folder already).

Each source has `sample(i, rng) -> (hr, lr)` crops in [0, 1], as trainer/data.py's sources, so BatchMaker and the
deterministic-resume guarantee are reused unchanged.
"""
import torch

from .. import degrade
from ..config import DEGRADATIONS
from ..data import ImageCache, PairSource, augment, image_size, open_image


def jpeg_only(hr, scale, quality):
    """Bicubic down, then JPEG at one quality: a camera's or a web service's compression and nothing else."""
    return degrade.jpeg(degrade.bicubic_down(hr, scale), quality)


def degrade_hr(hr, scale, rng, kind, jpeg_quality=40, opts=None):
    if kind == "jpeg":
        return jpeg_only(hr, scale, jpeg_quality)
    return degrade.degrade(hr, scale, rng, kind, opts)


class PairList(PairSource):
    """Matched LR/HR files [{"lr", "hr"}]; HR exactly scale × LR (the app's scan checked it)."""

    def __init__(self, pairs, crop, scale, cache_mb=512):
        self.crop, self.scale = crop, scale
        self.items = [(p["lr"], p["hr"]) for p in pairs]
        for lp, hp in self.items:
            (lh, lw), (hh, hw) = image_size(lp), image_size(hp)
            if (hh, hw) != (lh * scale, lw * scale) or min(hh, hw) < crop:
                raise ValueError(f"pair {hp} / {lp} no longer fits scale {scale} and crop {crop}: it changed "
                                 f"since the scan; scan the folder again")
        if not self.items:
            raise ValueError("no training pairs")
        self.cache = ImageCache(cache_mb)


class HRList:
    """HR photos [{"hr"}]; the LR is made by a degradation: realesrgan | bicubic | jpeg (at jpeg_quality).

    clean_share: the share of samples given plain bicubic downscaling instead, so that a model tuned to one kind of
    damage keeps working on clean pictures (without it, a short JPEG fine-tune smooths every input it sees).
    """

    def __init__(self, files, crop, scale, degradation, jpeg_quality=40, opts=None, cache_mb=512, clean_share=0.0):
        if degradation not in DEGRADATIONS:
            raise ValueError(f"unknown degradation {degradation!r}: one of {', '.join(DEGRADATIONS)}")
        self.crop, self.scale, self.degradation = crop, scale, degradation
        self.jpeg_quality, self.opts, self.clean_share = jpeg_quality, opts or {}, clean_share
        self.items = [f["hr"] for f in files]
        if not self.items:
            raise ValueError("no training photos")
        self.cache = ImageCache(cache_mb)

    def __len__(self):
        return len(self.items)

    def sample(self, i, rng):
        path = self.items[i]
        img = self.cache.get(path, lambda: open_image(path))
        c = self.crop
        y, x = rng.integers(0, img.shape[1] - c + 1), rng.integers(0, img.shape[2] - c + 1)
        hr = augment(img[:, y:y + c, x:x + c], rng)
        # drawn only when asked for, so clean_share = 0 leaves the random stream unchanged
        if self.clean_share > 0 and rng.uniform() < self.clean_share:
            return hr, degrade.bicubic_down(hr, self.scale)
        return hr, degrade_hr(hr, self.scale, rng, self.degradation, self.jpeg_quality, self.opts)


def make_list_source(source, crop, scale, cache_mb=512):
    """From finetune.json's `source` (config.FinetuneSource)."""
    if crop % scale:
        raise ValueError(f"crop {crop} must be a multiple of the scale {scale}")
    if source.kind == "pairs":
        return PairList(source.train, crop, scale, cache_mb)
    if source.kind == "hr":
        return HRList(source.train, crop, scale, source.degradation, source.jpeg_quality, source.degradation_opts,
                      cache_mb, source.clean_share)
    raise ValueError(f"unknown source kind {source.kind!r} (pairs | hr)")


def center_box(h, w, side):
    """(top, left, height, width) of a centred crop at most side × side."""
    ch, cw = min(h, side), min(w, side)
    return (h - ch) // 2, (w - cw) // 2, ch, cw


def heldout_pair(entry, kind, scale, max_lr_side, rng, degradation="realesrgan", jpeg_quality=40, opts=None):
    """(lr, hr) in [0, 1] of one held-out entry: a centred crop (at most max_lr_side LR px) so that evaluating it
    stays quick on a CPU; in HR-only mode the LR is made once with a fixed seed and written to the run folder."""
    if kind == "pairs":
        lr, hr = open_image(entry["lr"]), open_image(entry["hr"])
        t, l, h, w = center_box(lr.shape[1], lr.shape[2], max_lr_side)
        return lr[:, t:t + h, l:l + w], hr[:, t * scale:(t + h) * scale, l * scale:(l + w) * scale]
    hr = open_image(entry["hr"])
    hh, hw = hr.shape[1] - hr.shape[1] % scale, hr.shape[2] - hr.shape[2] % scale
    t, l, h, w = center_box(hh // scale, hw // scale, max_lr_side)
    hr = hr[:, t * scale:(t + h) * scale, l * scale:(l + w) * scale].contiguous()
    return degrade_hr(hr, scale, rng, degradation, jpeg_quality, opts), hr


def to_pil(img01):
    import numpy as np
    from PIL import Image
    arr = (img01.clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255.0).round().astype(np.uint8)
    return Image.fromarray(arr)


def stack_tiles(tiles):
    """Side by side, all at the HR size."""
    return torch.cat(tiles, dim=2)
