"""NIQE (Mittal, Soundararajan and Bovik 2013, "Making a completely blind image quality analyzer"): a no-reference
naturalness score, lower is better, for images without ground truth (real low-resolution photos) and for the
perceptual quality PSNR does not see.

The authors' MATLAB algorithm, step by step: luma (BT.601, 8-bit levels, rounded), MSCN coefficients with a 7×7
Gaussian window (σ = 7/6, replicated borders), 96×96 blocks at two scales (the second from a MATLAB-style
antialiased bicubic resize by 0.5), 18 AGGD/GGD features per block and scale, and the distance of the image's
multivariate Gaussian from the pristine one with the two covariances pooled. The pristine model is data
(`niqe_pris_params.npz`, ../shared/weights/niqe), read from a folder, never committed here.
"""
import math
import os

import numpy as np

BLOCK = 96
PARAMS_FILE = "niqe_pris_params.npz"


def default_params_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "shared", "weights", "niqe"))


def load_params(folder=None):
    """(mu [36], cov [36, 36], window [7, 7]) of the pristine model."""
    path = os.path.join(folder or default_params_dir(), PARAMS_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"NIQE parameters not found: {path}; pass the folder holding {PARAMS_FILE} "
                                f"(the team's copy is ../shared/weights/niqe)")
    p = np.load(path)
    return p["mu_pris_param"].reshape(-1), p["cov_pris_param"], p["gaussian_window"]


# ---------------------------------------------------------------- MATLAB imresize (bicubic, antialiased)

def _cubic(x):
    a = np.abs(x)
    return ((1.5 * a ** 3 - 2.5 * a ** 2 + 1) * (a <= 1) +
            (-0.5 * a ** 3 + 2.5 * a ** 2 - 4 * a + 2) * ((a > 1) & (a <= 2)))


def _resize_matrix(n_in, n_out, scale):
    """[n_out, n_in] weights of MATLAB's imresize along one axis: a widened cubic when shrinking (antialiasing),
    mirrored borders."""
    width = 4.0 / scale if scale < 1 else 4.0
    kernel = (lambda x: scale * _cubic(scale * x)) if scale < 1 else _cubic
    u = np.arange(1, n_out + 1) / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - width / 2)
    taps = int(math.ceil(width)) + 2
    idx = left[:, None] + np.arange(taps)[None, :]            # 1-based, as MATLAB
    w = kernel(u[:, None] - idx)
    w = w / w.sum(1, keepdims=True)
    mirror = np.concatenate([np.arange(n_in), np.arange(n_in)[::-1]])
    idx = mirror[np.mod(idx.astype(np.int64) - 1, 2 * n_in)]
    m = np.zeros((n_out, n_in))
    np.add.at(m, (np.repeat(np.arange(n_out), taps), idx.reshape(-1)), w.reshape(-1))
    return m


def imresize_half(img):
    """MATLAB imresize(img, 0.5) (bicubic, antialiasing on) of a 2-D float array, rows first as MATLAB does."""
    h, w = img.shape
    oh, ow = math.ceil(h * 0.5), math.ceil(w * 0.5)
    return _resize_matrix(h, oh, 0.5) @ img @ _resize_matrix(w, ow, 0.5).T


# ---------------------------------------------------------------- features

def _gamma(x):
    return np.vectorize(math.gamma)(x) if np.ndim(x) else math.gamma(x)


_ALPHAS = np.arange(0.2, 10.001, 0.001)
_R_GAM = _gamma(2 / _ALPHAS) ** 2 / (_gamma(1 / _ALPHAS) * _gamma(3 / _ALPHAS))


def aggd_fit(x):
    """Asymmetric generalized Gaussian fit by moment matching over the α grid 0.2:0.001:10: (α, β_left, β_right).

    A flat block has no negative (or positive) coefficients: its scale is NaN, as MATLAB's mean of nothing, and
    the block drops out of the covariance (`score`), without numpy's warning in every log."""
    x = x.reshape(-1)
    left, right = (math.sqrt(np.mean(side ** 2)) if side.size else math.nan for side in (x[x < 0], x[x > 0]))
    g = left / right
    r = np.mean(np.abs(x)) ** 2 / np.mean(x ** 2)
    r_norm = r * (g ** 3 + 1) * (g + 1) / (g ** 2 + 1) ** 2
    alpha = _ALPHAS[np.argmin((_R_GAM - r_norm) ** 2)]
    k = math.sqrt(math.gamma(1 / alpha) / math.gamma(3 / alpha))
    return alpha, left * k, right * k


def block_features(block):
    """18 features: the GGD shape and scale of the MSCN block, then for each of the 4 neighbour products
    (horizontal, vertical, two diagonals) the AGGD shape, mean, left and right scales."""
    alpha, bl, br = aggd_fit(block)
    feat = [alpha, (bl + br) / 2]
    for shift in ((0, 1), (1, 0), (1, 1), (1, -1)):
        alpha, bl, br = aggd_fit(block * np.roll(block, shift, axis=(0, 1)))
        feat += [alpha, (br - bl) * math.gamma(2 / alpha) / math.gamma(1 / alpha), bl, br]
    return feat


def mscn(img, window):
    """Mean-subtracted contrast-normalised coefficients: (I − μ) / (σ + 1), local Gaussian μ and σ, replicated
    borders (MATLAB imfilter 'replicate')."""
    mu = gaussian_filter(img, window)
    sigma = np.sqrt(np.abs(gaussian_filter(img * img, window) - mu * mu))
    return (img - mu) / (sigma + 1)


def gaussian_filter(img, window):
    """`img` correlated with `window` over replicated borders. A Gaussian window is the outer product of two 1-D
    ones, so it runs as two 1-D passes in float64: 14 multiply-adds a pixel instead of 49 (scoring a 2-megapixel
    output took seconds as one 2-D convolution), the same numbers to ~1e-15."""
    u, s, vt = np.linalg.svd(window)
    col, row = u[:, 0] * math.sqrt(s[0]), vt[0] * math.sqrt(s[0])
    if not np.allclose(np.outer(col, row), window, rtol=0, atol=1e-15):
        raise ValueError("the NIQE window is not separable (not a Gaussian): check niqe_pris_params.npz")
    ph, pw = len(col) // 2, len(row) // 2
    a = np.pad(img, ((ph, ph), (pw, pw)), mode="edge")
    h, w = img.shape
    across = sum(row[k] * a[:, k:k + w] for k in range(len(row)))
    return sum(col[k] * across[k:k + h] for k in range(len(col)))


def measurable(height, width, crop_border=0):
    """NIQE needs two whole blocks to estimate a covariance: smaller images have no score."""
    return (height - 2 * crop_border) // BLOCK * ((width - 2 * crop_border) // BLOCK) >= 2


def features(y, window):
    """[blocks, 36] features of a luma image (0..255 floats) cut to whole 96×96 blocks."""
    nh, nw = y.shape[0] // BLOCK, y.shape[1] // BLOCK
    if nh * nw < 2:
        raise ValueError(f"NIQE needs at least two {BLOCK}×{BLOCK} blocks; the image is {y.shape[1]}×{y.shape[0]}")
    img = y[: nh * BLOCK, : nw * BLOCK]
    per_scale = []
    for scale in (1, 2):
        m = mscn(img, window)
        b = BLOCK // scale
        # blocks column by column, as the MATLAB code walks them (the order does not change the statistics)
        per_scale.append([block_features(m[i * b:(i + 1) * b, j * b:(j + 1) * b])
                          for j in range(nw) for i in range(nh)])
        if scale == 1:
            img = imresize_half(img / 255.0) * 255.0
    return np.concatenate([np.asarray(f) for f in per_scale], axis=1)


def luma(rgb255):
    """BT.601 luma of an 8-bit RGB [H, W, 3] array in 16..235, rounded as MATLAB's rgb2ycbcr of uint8 returns."""
    rgb = rgb255.astype(np.float64)
    return np.round(16.0 + (65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]) / 255.0)


def niqe_y(y, params):
    mu_p, cov_p, window = params
    feat = features(y, window)
    mu = np.nanmean(feat, axis=0)
    cov = np.cov(feat[~np.isnan(feat).any(axis=1)], rowvar=False)
    d = mu_p - mu
    return float(math.sqrt(d @ np.linalg.pinv((cov_p + cov) / 2) @ d))


def niqe(rgb255, params, crop_border=0):
    """NIQE of an 8-bit RGB image ([H, W, 3] uint8 or 0..255 floats) on its luma; lower is more natural."""
    y = luma(np.asarray(rgb255))
    if crop_border:
        y = y[crop_border:-crop_border, crop_border:-crop_border]
    return niqe_y(y, params)


def niqe_tensor(img01, params, crop_border=0):
    """NIQE of a [3, H, W] tensor in [0, 1], quantised to 8 bits first (as a written image would be)."""
    arr = (img01.clamp(0, 1) * 255.0).round().permute(1, 2, 0).cpu().numpy()
    return niqe(arr, params, crop_border)
