"""Degradations that make LR training inputs from HR crops.

- `bicubic`: antialiased bicubic downscale (PIL, a = -0.5, like MATLAB imresize that made the benchmark LR sets),
  quantised to 8 bits.
- `realesrgan`: the second-order pipeline of Real-ESRGAN (Wang et al. 2021) with the ranges of CTMSR's official
  training config: blur (iso/aniso, generalized and plateau Gaussians, sinc) -> random resize -> Gaussian/Poisson
  noise -> JPEG, a second such round, then final resize to HR/scale with sinc and JPEG in random order; optionally
  a share of samples (`clean_prob`) gets the bicubic degradation alone.

Images are float tensors [3, H, W] in [0, 1]; all randomness comes from the numpy Generator passed in, so a batch
is a pure function of (seed, step) and resumed runs see the same data.
"""
import io
import math
from dataclasses import dataclass, field
from typing import List

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

KERNELS = ["iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso", "plateau_aniso"]


@dataclass
class RealESRGANOpts:
    # first round
    kernel_size: int = 21
    kernel_prob: List[float] = field(default_factory=lambda: [0.45, 0.25, 0.12, 0.03, 0.12, 0.03])
    sinc_prob: float = 0.1
    blur_sigma: List[float] = field(default_factory=lambda: [0.2, 3.0])
    betag_range: List[float] = field(default_factory=lambda: [0.5, 4.0])
    betap_range: List[float] = field(default_factory=lambda: [1.0, 2.0])
    resize_prob: List[float] = field(default_factory=lambda: [0.2, 0.7, 0.1])  # up, down, keep
    resize_range: List[float] = field(default_factory=lambda: [0.15, 1.5])
    gaussian_noise_prob: float = 0.5
    noise_range: List[float] = field(default_factory=lambda: [1.0, 30.0])
    poisson_scale_range: List[float] = field(default_factory=lambda: [0.05, 3.0])
    gray_noise_prob: float = 0.4
    jpeg_range: List[int] = field(default_factory=lambda: [30, 95])
    # second round
    second_order_prob: float = 0.5
    second_blur_prob: float = 0.8
    kernel_size2: int = 15
    kernel_prob2: List[float] = field(default_factory=lambda: [0.45, 0.25, 0.12, 0.03, 0.12, 0.03])
    sinc_prob2: float = 0.1
    blur_sigma2: List[float] = field(default_factory=lambda: [0.2, 1.5])
    betag_range2: List[float] = field(default_factory=lambda: [0.5, 4.0])
    betap_range2: List[float] = field(default_factory=lambda: [1.0, 2.0])
    resize_prob2: List[float] = field(default_factory=lambda: [0.3, 0.4, 0.3])
    resize_range2: List[float] = field(default_factory=lambda: [0.3, 1.2])
    gaussian_noise_prob2: float = 0.5
    noise_range2: List[float] = field(default_factory=lambda: [1.0, 25.0])
    poisson_scale_range2: List[float] = field(default_factory=lambda: [0.05, 2.5])
    gray_noise_prob2: float = 0.4
    jpeg_range2: List[int] = field(default_factory=lambda: [30, 95])
    # final
    final_sinc_prob: float = 0.8
    # share of samples given the bicubic degradation alone: without clean inputs in training, a real-world model
    # "restores" clean images too and over-sharpens them (0 = the official pipeline, every sample degraded)
    clean_prob: float = 0.0


# ---------------------------------------------------------------- blur kernels

def _grid(size):
    r = (size - 1) / 2.0
    ax = np.arange(-r, r + 1)
    xx, yy = np.meshgrid(ax, ax)
    return np.stack([xx, yy], -1)  # [size, size, 2]


def _quad_form(size, sx, sy, theta):
    """d^T Σ^-1 d for a rotated anisotropic covariance with std devs sx, sy."""
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    cov = rot @ np.diag([sx * sx, sy * sy]) @ rot.T
    d = _grid(size)
    return np.einsum("...i,ij,...j->...", d, np.linalg.inv(cov), d)


def gaussian_kernel(size, sx, sy, theta, beta=1.0, kind="gaussian"):
    """Gaussian (beta = 1), generalized Gaussian exp(-0.5 q^beta), or plateau 1 / (1 + q^beta); normalised."""
    q = _quad_form(size, sx, sy, theta)
    if kind == "plateau":
        k = 1.0 / (1.0 + q ** beta)
    else:
        k = np.exp(-0.5 * q ** beta)
    return k / k.sum()


def sinc_kernel(size, omega_c):
    """Circular low-pass (2-D sinc) kernel: ringing and overshoot artefacts."""
    d = _grid(size)
    r = torch.from_numpy(np.sqrt((d ** 2).sum(-1)))
    with np.errstate(divide="ignore", invalid="ignore"):
        k = (omega_c * torch.special.bessel_j1(omega_c * r) / (2 * math.pi * r)).numpy()
    c = size // 2
    k[c, c] = omega_c ** 2 / (4 * math.pi)
    return k / k.sum()


def _beta(rng, lo, hi):
    # basicsr: half the time a shape < 1 (heavy tails), half the time > 1 (flat tops)
    return rng.uniform(lo, 1.0) if rng.uniform() < 0.5 else rng.uniform(1.0, hi)


def random_kernel(rng, max_size, probs, sigma_range, betag, betap, sinc_prob):
    size = int(rng.choice([2 * v + 1 for v in range(3, max_size // 2 + 1)]))
    if rng.uniform() < sinc_prob:
        omega = rng.uniform(math.pi / 3, math.pi) if size < 13 else rng.uniform(math.pi / 5, math.pi)
        k = sinc_kernel(size, omega)
    else:
        kind = KERNELS[rng.choice(len(KERNELS), p=np.asarray(probs) / np.sum(probs))]
        sx = rng.uniform(*sigma_range)
        iso = kind.endswith("iso") and not kind.endswith("aniso")
        sy, theta = (sx, 0.0) if iso else (rng.uniform(*sigma_range), rng.uniform(-math.pi, math.pi))
        if kind.startswith("generalized"):
            k = gaussian_kernel(size, sx, sy, theta, _beta(rng, *betag), "gaussian")
        elif kind.startswith("plateau"):
            k = gaussian_kernel(size, sx, sy, theta, _beta(rng, *betap), "plateau")
        else:
            k = gaussian_kernel(size, sx, sy, theta)
    pad = (max_size - size) // 2  # basicsr pads every kernel to the same size
    return np.pad(k, ((pad, pad), (pad, pad)))


def filter2d(img, kernel):
    """Convolve [3, H, W] with a 2-D kernel, reflect padding (as basicsr's filter2D)."""
    k = torch.as_tensor(kernel, dtype=img.dtype)
    p = k.shape[-1] // 2
    x = F.pad(img[None], (p, p, p, p), mode="reflect") if min(img.shape[1:]) > p else \
        F.pad(img[None], (p, p, p, p), mode="replicate")
    return F.conv2d(x, k.expand(3, 1, *k.shape), groups=3)[0]


# ---------------------------------------------------------------- resize, noise, JPEG

def resize(img, size, mode):
    h, w = max(1, int(size[0])), max(1, int(size[1]))
    kw = {} if mode == "area" else {"align_corners": False}
    return F.interpolate(img[None], size=(h, w), mode=mode, **kw)[0]


def random_resize(rng, img, probs, rng_range, base_hw=None):
    kind = rng.choice(3, p=np.asarray(probs) / np.sum(probs))
    s = rng.uniform(1, rng_range[1]) if kind == 0 else rng.uniform(rng_range[0], 1) if kind == 1 else 1.0
    h, w = base_hw if base_hw is not None else img.shape[1:]
    return resize(img, (h * s, w * s), str(rng.choice(["area", "bilinear", "bicubic"])))


def add_noise(rng, img, gauss_prob, noise_range, poisson_range, gray_prob):
    g = torch.Generator().manual_seed(int(rng.integers(2 ** 31)))
    gray = rng.uniform() < gray_prob
    if rng.uniform() < gauss_prob:
        sigma = rng.uniform(*noise_range) / 255.0
        shape = (1, *img.shape[1:]) if gray else img.shape
        noise = torch.randn(shape, generator=g) * sigma
    else:
        scale = rng.uniform(*poisson_range)
        src = img.mean(0, keepdim=True) if gray else img
        vals = 256.0  # basicsr: 2^ceil(log2(#distinct levels)); 8-bit images give 256
        noise = (torch.poisson(src.clamp(0, 1) * vals, generator=g) / vals - src) * scale
    return (img + noise).clamp(0, 1)


def jpeg(img, quality):
    arr = (img.clamp(0, 1).permute(1, 2, 0).numpy() * 255.0).round().astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    out = np.asarray(Image.open(buf).convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(out.copy()).permute(2, 0, 1)


def quantize(img):
    return (img.clamp(0, 1) * 255.0).round() / 255.0


# ---------------------------------------------------------------- pipelines

def bicubic_down(hr, scale):
    """Antialiased bicubic (PIL, a = -0.5), per channel in float, then 8-bit rounding."""
    h, w = hr.shape[1] // scale, hr.shape[2] // scale
    chans = [np.asarray(Image.fromarray(c.numpy()).resize((w, h), Image.BICUBIC)) for c in hr.float()]
    return quantize(torch.from_numpy(np.stack(chans)))


def realesrgan(hr, scale, rng, o: RealESRGANOpts = None):
    o = o or RealESRGANOpts()
    # drawn only when asked for, so clean_prob = 0 leaves the random stream (and made eval sets) unchanged
    if o.clean_prob > 0 and rng.uniform() < o.clean_prob:
        return bicubic_down(hr, scale)
    oh, ow = hr.shape[1:]
    x = filter2d(hr, random_kernel(rng, o.kernel_size, o.kernel_prob, o.blur_sigma, o.betag_range,
                                   o.betap_range, o.sinc_prob))
    x = random_resize(rng, x, o.resize_prob, o.resize_range)
    x = add_noise(rng, x, o.gaussian_noise_prob, o.noise_range, o.poisson_scale_range, o.gray_noise_prob)
    x = jpeg(x, rng.integers(o.jpeg_range[0], o.jpeg_range[1] + 1))
    if rng.uniform() < o.second_order_prob:
        if rng.uniform() < o.second_blur_prob:
            x = filter2d(x, random_kernel(rng, o.kernel_size2, o.kernel_prob2, o.blur_sigma2, o.betag_range2,
                                          o.betap_range2, o.sinc_prob2))
        x = random_resize(rng, x, o.resize_prob2, o.resize_range2, base_hw=(oh / scale, ow / scale))
        x = add_noise(rng, x, o.gaussian_noise_prob2, o.noise_range2, o.poisson_scale_range2, o.gray_noise_prob2)
    # final: resize back to HR/scale with a sinc (or no) filter, and JPEG, in random order
    if rng.uniform() < o.final_sinc_prob:
        size = int(rng.choice([2 * v + 1 for v in range(3, 11)]))
        sinc = sinc_kernel(size, rng.uniform(math.pi / 3, math.pi))
    else:
        sinc = None
    quality = rng.integers(o.jpeg_range2[0], o.jpeg_range2[1] + 1)
    mode = str(rng.choice(["area", "bilinear", "bicubic"]))
    if rng.uniform() < 0.5:
        x = resize(x, (oh // scale, ow // scale), mode)
        x = filter2d(x, sinc) if sinc is not None else x
        x = jpeg(x, quality)
    else:
        x = jpeg(x, quality)
        x = resize(x, (oh // scale, ow // scale), mode)
        x = filter2d(x, sinc) if sinc is not None else x
    return quantize(x)


def degrade(hr, scale, rng, kind="bicubic", opts=None):
    """HR crop [3, H, W] in [0, 1] -> LR [3, H/scale, W/scale] in [0, 1]."""
    if kind == "bicubic":
        return bicubic_down(hr, scale)
    if kind == "realesrgan":
        return realesrgan(hr, scale, rng, RealESRGANOpts(**(opts or {})))
    raise ValueError(f"unknown degradation {kind!r} (bicubic | realesrgan)")
