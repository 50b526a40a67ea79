"""Training data: HR-only folders (+ a degradation) or matched LR/HR pair folders -> batches in [-1, 1].

A batch is a pure function of (seed, step, rank): `BatchMaker.batch(step)` draws image indices, crops, flips and
degradation parameters from numpy.random.default_rng([seed, step, rank]), so a resumed run sees exactly the batches
it would have seen, and DataLoader workers need no shared state.
"""
import os
import signal
import stat
from collections import OrderedDict

import numpy as np
import torch
from PIL import Image, ImageOps

from . import degrade
from .protocol import log

EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")

# The largest picture read: Pillow's own limit (twice Image.MAX_IMAGE_PIXELS). The app's scan refuses larger ones
# by the same number (main/training/source-scan.ts, maxTrainingPixels) and writes it into finetune.json.
max_pixels = 2 * Image.MAX_IMAGE_PIXELS
# checked in _read instead of by Pillow, whose refusal names neither the file nor what to do
Image.MAX_IMAGE_PIXELS = None


class ImageFileError(ValueError):
    """A picture that cannot be used, named, with what to do: the app shows the message as the run's failure."""


def list_images(folder, recursive=True):
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"image folder not found: {folder}")
    out = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        out += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(EXTS)]
        if not recursive:
            break
    return out


def _factor(w, h, downscale, max_side):
    return max(float(downscale), (max(w, h) / max_side) if max_side else 1.0, 1.0)


def _open_regular(path):
    """The file at path (links followed) opened for reading, if it is a regular file. A named pipe or a device
    would block the reader for ever: O_NONBLOCK makes open() return at once, and fstat checks the file opened."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ImageFileError(f"{path} is not a regular file (a named pipe, a device or a folder); "
                                 f"remove it from the training pictures")
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _too_large(path, w, h):
    return ImageFileError(f"{path} is {w}×{h} ({w * h / 1e6:.0f} MP), more than the {max_pixels / 1e6:.0f} MP the "
                          f"trainer reads; downscale it, or remove it from the training pictures")


def _read(path, use):
    """use(image) for the picture at path, within the pixel limit; any failure names the file."""
    try:
        with _open_regular(path) as f, Image.open(f) as img:
            w, h = img.size
            if w * h > max_pixels:
                raise _too_large(path, w, h)
            return use(img)
    except ImageFileError:
        raise
    except Exception as exc:
        raise ImageFileError(f"cannot read {path}: {type(exc).__name__}: {exc}") from exc


def _oriented_size(img):
    """(W, H) as displayed: EXIF orientations 5-8 turn the picture a quarter."""
    w, h = img.size
    return (h, w) if img.getexif().get(0x0112, 1) in (5, 6, 7, 8) else (w, h)


def open_image(path, downscale=1.0, max_side=0):
    """RGB float tensor [3, H, W] in [0, 1], EXIF-oriented, optionally downscaled (antialiased) on load.

    Downscaling big photos removes their JPEG artefacts and sensor noise, so they behave like clean HR images;
    JPEG `draft` decodes at 1/2, 1/4 or 1/8 size directly, which keeps 6000-px photos cheap to load.
    """
    def load(img):
        w, h = _oriented_size(img)
        factor = _factor(w, h, downscale, max_side)
        if factor > 1.0 and img.format == "JPEG":
            img.draft("RGB", (int(img.size[0] / factor), int(img.size[1] / factor)))
        img = ImageOps.exif_transpose(img).convert("RGB")
        if factor > 1.0:
            img = img.resize((max(1, round(w / factor)), max(1, round(h / factor))), Image.BICUBIC, reducing_gap=3.0)
        return np.asarray(img, dtype=np.float32) / 255.0

    return torch.from_numpy(_read(path, load).copy()).permute(2, 0, 1)


def image_size(path, downscale=1.0, max_side=0):
    """(H, W) after EXIF orientation and the on-load downscale, read from the header only."""
    w, h = _read(path, _oriented_size)
    factor = _factor(w, h, downscale, max_side)
    return round(h / factor), round(w / factor)


class ImageCache:
    """Decoded images kept in memory up to a byte budget (least recently used dropped first)."""

    def __init__(self, limit_mb=512):
        self.limit, self.used, self.items = limit_mb * 2 ** 20, 0, OrderedDict()

    def get(self, key, load):
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        value = load()
        size = value.numel() * value.element_size()
        if size <= self.limit:
            self.items[key] = value
            self.used += size
            while self.used > self.limit:
                _, old = self.items.popitem(last=False)
                self.used -= old.numel() * old.element_size()
        return value


def _folder_spec(entry):
    """An HR folder entry: "path" or {"path": ..., "downscale": 2, "max_side": 2048, "recursive": true}."""
    if isinstance(entry, str):
        return {"path": entry, "downscale": 1.0, "max_side": 0, "recursive": True}
    return {"downscale": 1.0, "max_side": 0, "recursive": True, **entry}


class HRSource:
    """HR-only photos; the LR input is synthesised by a degradation."""

    def __init__(self, folders, crop, scale, degradation="bicubic", degradation_opts=None, cache_mb=512):
        self.crop, self.scale = crop, scale
        self.degradation, self.opts = degradation, degradation_opts or {}
        self.items, skipped = [], 0
        for entry in folders:
            spec = _folder_spec(entry)
            for p in list_images(spec["path"], spec["recursive"]):
                h, w = image_size(p, spec["downscale"], spec["max_side"])
                if h < crop or w < crop:
                    skipped += 1
                    continue
                self.items.append((p, spec["downscale"], spec["max_side"]))
        if skipped:
            log(f"data: skipped {skipped} image(s) smaller than the {crop}px crop")
        if not self.items:
            raise ValueError(f"no usable training images (at least {crop}×{crop} px) in {folders}")
        self.cache = ImageCache(cache_mb)

    def __len__(self):
        return len(self.items)

    def sample(self, i, rng):
        path, ds, ms = self.items[i]
        img = self.cache.get(path, lambda: open_image(path, ds, ms))
        c = self.crop
        y, x = rng.integers(0, img.shape[1] - c + 1), rng.integers(0, img.shape[2] - c + 1)
        hr = augment(img[:, y:y + c, x:x + c], rng)
        return hr, degrade.degrade(hr, self.scale, rng, self.degradation, self.opts)


class PairSource:
    """Matched LR/HR folders (same file stem); HR must be exactly scale × LR."""

    def __init__(self, lr_dir, hr_dir, crop, scale, cache_mb=512):
        self.crop, self.scale = crop, scale
        lrs = {os.path.splitext(os.path.relpath(p, lr_dir))[0]: p for p in list_images(lr_dir)}
        hrs = {os.path.splitext(os.path.relpath(p, hr_dir))[0]: p for p in list_images(hr_dir)}
        missing = sorted(set(hrs) ^ set(lrs))
        if missing:
            raise ValueError(f"LR and HR folders do not match: {len(missing)} name(s) have no partner, e.g. "
                             f"{', '.join(repr(m) for m in missing[:5])} (LR: {lr_dir}, HR: {hr_dir})")
        self.items = []
        for name in sorted(hrs):
            lh, lw = image_size(lrs[name])
            hh, hw = image_size(hrs[name])
            if (hh, hw) != (lh * scale, lw * scale):
                raise ValueError(f"pair {name!r}: HR {hrs[name]} is {hw}×{hh} but LR {lrs[name]} is {lw}×{lh}; "
                                 f"at scale {scale} the HR must be {lw * scale}×{lh * scale}. Fix or remove it.")
            if lh * scale < crop or lw * scale < crop:
                raise ValueError(f"pair {name!r}: HR {hw}×{hh} is smaller than the {crop}px crop; "
                                 f"lower the crop size or remove the pair")
            self.items.append((lrs[name], hrs[name]))
        if not self.items:
            raise ValueError(f"no image pairs found in {lr_dir} / {hr_dir}")
        self.cache = ImageCache(cache_mb)

    def __len__(self):
        return len(self.items)

    def sample(self, i, rng):
        lp, hp = self.items[i]
        lr = self.cache.get(lp, lambda: open_image(lp))
        hr = self.cache.get(hp, lambda: open_image(hp))
        c, s = self.crop // self.scale, self.scale
        y, x = rng.integers(0, lr.shape[1] - c + 1), rng.integers(0, lr.shape[2] - c + 1)
        both = torch.cat([hr[:, y * s:(y + c) * s, x * s:(x + c) * s],
                          torch.nn.functional.interpolate(lr[None, :, y:y + c, x:x + c], scale_factor=s,
                                                          mode="nearest")[0]])
        both = augment(both, rng)  # same flip for both; LR rides along at HR size, then is taken back
        return both[:3], both[3:, ::s, ::s].contiguous()


def augment(img, rng, rot=False):
    if rng.uniform() < 0.5:
        img = img.flip(-1)
    if rot and rng.uniform() < 0.5:
        img = img.transpose(-1, -2)
    return img.contiguous()


class BatchMaker(torch.utils.data.Dataset):
    """Dataset whose item `step` is the whole batch of that step (use with batch_size=None)."""

    def __init__(self, source, batch, seed=0, rank=0, total=0):
        self.source, self.batch, self.seed, self.rank, self.total = source, batch, seed, rank, total

    def __len__(self):
        return self.total

    def __getitem__(self, step):
        rng = np.random.default_rng([self.seed, int(step), self.rank])
        idx = rng.integers(0, len(self.source), size=self.batch)
        pairs = [self.source.sample(int(i), rng) for i in idx]
        hr = torch.stack([p[0] for p in pairs]) * 2 - 1
        lr = torch.stack([p[1] for p in pairs]) * 2 - 1
        return {"hr": hr, "lr": lr}


def make_source(data, scale):
    """From the config's `data` section."""
    kind = data.get("kind", "hr")
    crop = int(data.get("crop", 128))
    if crop % scale:
        raise ValueError(f"crop {crop} must be a multiple of the scale {scale}")
    if kind == "pairs":
        return PairSource(data["lr_dir"], data["hr_dir"], crop, scale, data.get("cache_mb", 512))
    if kind == "hr":
        return HRSource(data["hr_dirs"], crop, scale, data.get("degradation", "bicubic"),
                        data.get("degradation_opts"), data.get("cache_mb", 512))
    raise ValueError(f"unknown data kind {kind!r} (hr | pairs)")


def ignore_stop_signals(_worker_id):
    """Data workers leave SIGTERM and Ctrl-C to the trainer: a signal to the whole process group (a terminal's Ctrl-C,
    `pkill -f`) would otherwise kill a worker first, and the trainer would die of that instead of checkpointing."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def loader(maker, start, total, workers=0):
    """Yields (step, batch) for step = start .. total-1."""
    steps = list(range(start, total))
    if workers <= 0:
        for s in steps:
            yield s, maker[s]
        return
    dl = torch.utils.data.DataLoader(maker, batch_size=None, sampler=steps, num_workers=workers,
                                     persistent_workers=False, prefetch_factor=2,
                                     worker_init_fn=ignore_stop_signals)
    for s, b in zip(steps, dl):
        yield s, b
