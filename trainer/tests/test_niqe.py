"""NIQE: the MATLAB pieces it is built from, and the reference value of ../shared/weights/niqe/README.md."""
import math
import os

import numpy as np
import pytest
from PIL import Image

from trainer import niqe

from .conftest import SHARED, synthetic_image

NIQE_DIR = os.path.join(SHARED, "weights", "niqe")
needs_niqe = pytest.mark.skipif(not os.path.isfile(os.path.join(NIQE_DIR, niqe.PARAMS_FILE)),
                                reason=f"NIQE parameters not found in {NIQE_DIR} (../shared is absent)")


def test_imresize_half_is_matlabs_antialiased_bicubic():
    # MATLAB's output pixel i (1-based) sits at input coordinate 2i − 0.5: a linear ramp keeps its line inside
    ramp = np.tile(np.arange(40, dtype=np.float64), (8, 1))
    out = niqe.imresize_half(ramp)
    assert out.shape == (4, 20)
    assert np.allclose(out[:, 3:-3], (2 * np.arange(20) + 0.5)[3:-3])
    assert np.allclose(niqe.imresize_half(np.full((9, 7), 3.5)), 3.5)  # odd sides: ceil(n / 2), mirrored borders
    assert niqe.imresize_half(np.zeros((9, 7))).shape == (5, 4)


def test_aggd_fit_recovers_gaussian_and_laplacian_shapes():
    rng = np.random.default_rng(0)
    a, bl, br = niqe.aggd_fit(rng.normal(0, 1, 200_000))
    assert abs(a - 2) < 0.05 and abs(bl - math.sqrt(2)) < 0.03 and abs(br - math.sqrt(2)) < 0.03
    a, _, _ = niqe.aggd_fit(rng.laplace(0, 1, 200_000))
    assert abs(a - 1) < 0.05
    x = rng.normal(0, 1, 200_000)
    _, bl, br = niqe.aggd_fit(np.where(x < 0, 0.5 * x, 2 * x))  # asymmetric: left scale a quarter of the right
    assert abs(br / bl - 4) < 0.1


def test_a_block_without_negative_coefficients_has_no_left_scale_and_warns_nothing():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "Mean of empty slice" filled every campaign log
        _, bl, br = niqe.aggd_fit(np.linspace(0.1, 1, 100))
    assert math.isnan(bl) and br > 0


def test_luma_is_rounded_bt601():
    px = np.array([[[255, 255, 255], [0, 0, 0], [255, 0, 0]]], np.uint8)
    assert niqe.luma(px).tolist() == [[235.0, 16.0, 81.0]]


def test_too_small_images_are_not_measurable():
    assert not niqe.measurable(191, 96) and niqe.measurable(192, 96) and not niqe.measurable(192, 96, crop_border=4)
    with pytest.raises(ValueError, match="two 96×96 blocks"):
        niqe.features(np.zeros((100, 100)), np.ones((7, 7)) / 49)


def test_missing_parameters_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="niqe_pris_params.npz"):
        niqe.load_params(str(tmp_path))


def test_the_gaussian_filter_runs_separably_as_the_2d_correlation():
    import torch
    import torch.nn.functional as F
    x = np.arange(7) - 3.0
    g = np.exp(-x ** 2 / (2 * (7 / 6) ** 2))
    window = np.outer(g, g) / np.outer(g, g).sum()
    img = np.random.default_rng(0).uniform(16, 235, (40, 57)).round()
    want = F.conv2d(F.pad(torch.from_numpy(img)[None, None], (3,) * 4, mode="replicate"),
                    torch.from_numpy(window)[None, None])[0, 0].numpy()
    assert np.abs(niqe.gaussian_filter(img, window) - want).max() < 1e-12
    with pytest.raises(ValueError, match="not separable"):
        niqe.gaussian_filter(img, window + np.eye(7) * 1e-3)


@needs_niqe
def test_baboon_matches_the_matlab_reference():
    """README: 5.72957338 (MATLAB R2021a), Y channel, crop border 0; within 0.01 is a correct implementation."""
    params = niqe.load_params(NIQE_DIR)
    img = np.asarray(Image.open(os.path.join(NIQE_DIR, "baboon.png")).convert("RGB"))
    assert abs(niqe.niqe(img, params) - 5.72957338) < 1e-3


@needs_niqe
def test_noise_and_blocking_read_less_natural_than_the_clean_image():
    params = niqe.load_params(NIQE_DIR)
    clean = np.asarray(Image.open(os.path.join(NIQE_DIR, "baboon.png")).convert("RGB")).astype(np.float64)
    noisy = np.clip(clean + np.random.default_rng(0).normal(0, 25, clean.shape), 0, 255).round()
    assert niqe.niqe(noisy, params) > niqe.niqe(clean, params) + 1
    smooth = synthetic_image(200, 300, 0)
    assert np.isfinite(niqe.niqe(smooth, params))
