import os

import numpy as np
import pytest
import torch
from PIL import Image

from trainer import degrade
from trainer.data import BatchMaker, HRSource, PairSource, make_source

from .conftest import synthetic_image


def test_bicubic_degradation_shape_and_levels():
    hr = torch.from_numpy(synthetic_image(32, 48, 0)).permute(2, 0, 1).float() / 255
    lr = degrade.degrade(hr, 4, np.random.default_rng(0), "bicubic")
    assert lr.shape == (3, 8, 12)
    assert torch.equal(lr, (lr * 255).round() / 255)  # 8-bit like the benchmark LR sets


def test_realesrgan_degradation_varies_and_stays_in_range():
    hr = torch.from_numpy(synthetic_image(64, 64, 1)).permute(2, 0, 1).float() / 255
    outs = [degrade.degrade(hr, 4, np.random.default_rng(s), "realesrgan") for s in range(6)]
    for lr in outs:
        assert lr.shape == (3, 16, 16) and lr.min() >= 0 and lr.max() <= 1
    assert len({round(float(o.sum()), 3) for o in outs}) > 3
    again = degrade.degrade(hr, 4, np.random.default_rng(3), "realesrgan")
    assert torch.equal(again, outs[3])  # a pure function of the rng


def test_realesrgan_clean_share():
    hr = torch.from_numpy(synthetic_image(64, 64, 2)).permute(2, 0, 1).float() / 255
    bicubic = degrade.degrade(hr, 4, np.random.default_rng(0), "bicubic")
    outs = [degrade.degrade(hr, 4, np.random.default_rng(s), "realesrgan", {"clean_prob": 0.5}) for s in range(40)]
    n_clean = sum(torch.equal(o, bicubic) for o in outs)
    assert 10 <= n_clean <= 30  # about half the samples are clean, the rest still degraded
    every = degrade.degrade(hr, 4, np.random.default_rng(7), "realesrgan", {"clean_prob": 1.0})
    assert torch.equal(every, bicubic)
    # clean_prob 0 draws nothing extra: the official pipeline's stream (and made eval sets) stay as they were
    assert torch.equal(degrade.degrade(hr, 4, np.random.default_rng(5), "realesrgan", {"clean_prob": 0.0}),
                       degrade.degrade(hr, 4, np.random.default_rng(5), "realesrgan"))


def test_kernels_normalised():
    rng = np.random.default_rng(0)
    for _ in range(20):
        k = degrade.random_kernel(rng, 21, [0.45, 0.25, 0.12, 0.03, 0.12, 0.03], [0.2, 3], [0.5, 4], [1, 2], 0.1)
        assert k.shape == (21, 21) and abs(k.sum() - 1) < 1e-6 and np.isfinite(k).all()
    assert abs(degrade.sinc_kernel(13, 2.0).sum() - 1) < 1e-6
    pl = degrade.gaussian_kernel(21, 2.0, 2.0, 0.0, 1.5, "plateau")
    assert abs(pl.sum() - 1) < 1e-6 and pl[10, 10] == pl.max()


def test_batches_are_deterministic_per_step(hr_folder):
    src = HRSource([hr_folder], 32, 4)
    m = BatchMaker(src, 3, seed=7)
    a, b, c = m[5], m[5], m[6]
    assert a["hr"].shape == (3, 3, 32, 32) and a["lr"].shape == (3, 3, 8, 8)
    assert torch.equal(a["hr"], b["hr"]) and torch.equal(a["lr"], b["lr"])
    assert not torch.equal(a["hr"], c["hr"])
    assert a["hr"].min() >= -1 and a["hr"].max() <= 1


def _pairs(tmp_path, sizes):
    lr_dir, hr_dir = tmp_path / "LR", tmp_path / "HR"
    lr_dir.mkdir()
    hr_dir.mkdir()
    for name, (lh, lw, hh, hw) in sizes.items():
        Image.fromarray(synthetic_image(lh, lw, 1)).save(lr_dir / f"{name}.png")
        Image.fromarray(synthetic_image(hh, hw, 2)).save(hr_dir / f"{name}.png")
    return str(lr_dir), str(hr_dir)


def test_pairs_ok(tmp_path):
    lr_dir, hr_dir = _pairs(tmp_path, {"a": (10, 12, 40, 48), "b": (12, 12, 48, 48)})
    src = make_source({"kind": "pairs", "lr_dir": lr_dir, "hr_dir": hr_dir, "crop": 32}, 4)
    hr, lr = src.sample(0, np.random.default_rng(0))
    assert hr.shape == (3, 32, 32) and lr.shape == (3, 8, 8)


def test_pairs_scale_mismatch_names_the_pair(tmp_path):
    lr_dir, hr_dir = _pairs(tmp_path, {"good": (10, 12, 40, 48), "bad_one": (10, 12, 40, 47)})
    with pytest.raises(ValueError, match=r"pair 'bad_one'.*47×40.*48×40"):
        PairSource(lr_dir, hr_dir, 32, 4)


def test_pairs_unmatched_names(tmp_path):
    lr_dir, hr_dir = _pairs(tmp_path, {"a": (10, 12, 40, 48)})
    Image.fromarray(synthetic_image(40, 48, 3)).save(f"{hr_dir}/orphan.png")
    with pytest.raises(ValueError, match="orphan"):
        PairSource(lr_dir, hr_dir, 32, 4)


def test_downscale_on_load(tmp_path):
    from trainer.data import image_size, open_image
    p = tmp_path / "big.jpg"
    Image.fromarray(synthetic_image(400, 600, 0)).save(p, quality=95)
    assert image_size(str(p), downscale=4) == (100, 150)
    assert open_image(str(p), downscale=4).shape == (3, 100, 150)
    assert open_image(str(p), max_side=300).shape == (3, 200, 300)


def _png_header(path, w, h):
    """A PNG that declares w × h and holds (almost) no pixels: a photo too large to make for real in a test."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(bytes(193)))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b""))


def _within(seconds, fn):
    """fn()'s exception (or None), failing the test if fn is still blocked after `seconds`."""
    import threading
    outcome = {}

    def call():
        try:
            fn()
        except Exception as exc:  # the outcome under test
            outcome["error"] = exc
    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{fn} was still blocked after {seconds} s"
    return outcome.get("error")


def test_a_link_to_a_named_pipe_is_refused_at_once_by_name(tmp_path):
    from trainer.data import ImageFileError, image_size, open_image
    pipe, link = tmp_path / "pipe", tmp_path / "g.png"
    os.mkfifo(pipe)
    link.symlink_to(pipe)
    try:
        for read in (open_image, image_size):
            error = _within(10, lambda: read(str(link)))
            assert isinstance(error, ImageFileError)
            assert str(error) == f"{link} is not a regular file (a named pipe, a device or a folder); remove it from the training pictures"
    finally:  # wake a reader left blocked, should there be one
        for _ in range(2):
            try:
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass


def test_a_picture_over_the_limit_or_unreadable_is_named(tmp_path):
    from trainer.data import ImageFileError, image_size, open_image
    huge = tmp_path / "panorama.png"
    _png_header(huge, 14000, 14000)
    for read in (open_image, image_size):
        with pytest.raises(ImageFileError, match=f"^{huge} is 14000×14000 \\(196 MP\\), more than the 179 MP the trainer reads; downscale it"):
            read(str(huge))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    with pytest.raises(ImageFileError, match=f"^cannot read {broken}: "):
        open_image(str(broken))
