"""The scores of one image: PSNR / SSIM on Y (BT.601, 8-bit outputs, shave = scale), LPIPS (squeeze) on RGB in
[-1, 1] and NIQE (no reference; luma, crop border = scale), the bicubic baseline the scores are read against
(../shared/data/README.md convention), the seed spread (mean per-pixel standard deviation over noise seeds), and the
rounding of a set's scores into a model manifest."""
import math

import torch
import torch.nn.functional as F

from . import forward, niqe as niqe_mod


def to_uint8_levels(img01):
    return (img01.clamp(0, 1) * 255.0).round()


def rgb_to_y(img255):
    """ITU-R BT.601 luma of [.., 3, H, W] in 0..255 -> 16..235 (MATLAB rgb2ycbcr, as SR papers)."""
    r, g, b = img255.unbind(-3)
    return 16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0


def _shave(x, s):
    return x[..., s:-s, s:-s] if s > 0 else x


def psnr_y(a01, b01, shave):
    ya, yb = _shave(rgb_to_y(to_uint8_levels(a01)), shave), _shave(rgb_to_y(to_uint8_levels(b01)), shave)
    mse = ((ya - yb) ** 2).mean().item()
    return float("inf") if mse == 0 else 10.0 * math.log10(255.0 ** 2 / mse)


def _gauss(size=11, sigma=1.5):
    ax = torch.arange(size, dtype=torch.float64) - size // 2
    g = torch.exp(-(ax ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def _blur(x, g):
    """'Valid' filtering with the 2-D Gaussian g⊗g as two 1-D passes (the same sums, 11 + 11 products per pixel
    instead of 121)."""
    return F.conv2d(F.conv2d(x, g.view(1, 1, -1, 1)), g.view(1, 1, 1, -1))


def ssim_y(a01, b01, shave):
    """Wang et al. 2004 SSIM on Y (11×11 Gaussian, σ = 1.5, 'valid' filtering), as basicsr's calculate_ssim."""
    x = _shave(rgb_to_y(to_uint8_levels(a01)), shave).double()[None, None]
    y = _shave(rgb_to_y(to_uint8_levels(b01)), shave).double()[None, None]
    g = _gauss().to(x)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = _blur(x, g), _blur(y, g)
    sxx, syy, sxy = _blur(x * x, g) - mx ** 2, _blur(y * y, g) - my ** 2, _blur(x * y, g) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (sxx + syy + c2))
    return m.mean().item()


def image_metrics(o01, h01, shave, lpips=None, device="cpu", niqe_params=None):
    """{psnr, ssim[, lpips][, niqe]} of an output o01 against h01 ([3, H, W] in [0, 1]; h01 None: NIQE only); the
    output is quantised to 8 bits first (as a written image would be), LPIPS on RGB in [-1, 1]."""
    m = {}
    if h01 is not None:
        m = {"psnr": psnr_y(o01, h01, shave), "ssim": ssim_y(o01, h01, shave)}
        if lpips is not None:
            q = forward.to_model_range(to_uint8_levels(o01) / 255.0)[None].to(device)
            m["lpips"] = float(lpips(q, forward.to_model_range(h01)[None].to(q)).item())
    if niqe_params is not None and niqe_mod.measurable(*o01.shape[-2:], shave):  # small images have no NIQE
        m["niqe"] = niqe_mod.niqe_tensor(o01, niqe_params, crop_border=shave)
    return m


def spread(outputs01):
    """Mean over pixels of the per-pixel standard deviation across outputs of one input under different seeds, in
    8-bit levels (0 when the model ignores its noise)."""
    x = torch.stack([to_uint8_levels(o) for o in outputs01]).double()
    return x.std(0, unbiased=False).mean().item()


def bicubic_up(lr01, scale, device="cpu"):
    """The bicubic baseline: the same PyTorch bicubic (a = -0.75) the model's graph starts from, [3, h·s, w·s]."""
    lr = forward.to_model_range(lr01)[None].to(device)
    return forward.to_pixel_range(forward.upsample(lr, scale).clamp(-1, 1))[0].cpu()


def mean_scores(per_image):
    """Mean of each metric over the images that have it (NIQE skips images under two 96×96 blocks)."""
    keys = dict.fromkeys(k for d in per_image for k in d)
    return {m: sum(d[m] for d in per_image if m in d) / sum(m in d for d in per_image) for m in keys}


def manifest_metrics(results):
    """{set: {psnr, ssim, lpips}} of the model, for the manifest (lpips NaN-free: -1 when not measured)."""
    return {k: {"psnr": round(v["model"]["psnr"], 3), "ssim": round(v["model"]["ssim"], 4),
                "lpips": round(v["model"].get("lpips", -1.0), 4)} for k, v in results.items() if "model" in v}
