"""Evaluation: PSNR / SSIM on Y (BT.601, 8-bit outputs, shave = scale) and LPIPS (squeeze) on RGB in [-1, 1],
with bicubic on the same images beside the model (../shared/data/README.md convention)."""
import json
import math
import os

import torch
import torch.nn.functional as F

from . import forward
from .data import list_images, open_image
from .export import ConsistencyStep
from .protocol import emit, log


def default_eval_root():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "shared", "data", "eval"))


# ---------------------------------------------------------------- metrics

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
    g = g / g.sum()
    return (g[:, None] @ g[None, :]).view(1, 1, size, size)


def ssim_y(a01, b01, shave):
    """Wang et al. 2004 SSIM on Y (11×11 Gaussian, σ = 1.5, 'valid' filtering), as basicsr's calculate_ssim."""
    x = _shave(rgb_to_y(to_uint8_levels(a01)), shave).double()[None, None]
    y = _shave(rgb_to_y(to_uint8_levels(b01)), shave).double()[None, None]
    w = _gauss().to(x)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = F.conv2d(x, w), F.conv2d(y, w)
    sxx, syy, sxy = F.conv2d(x * x, w) - mx ** 2, F.conv2d(y * y, w) - my ** 2, F.conv2d(x * y, w) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (sxx + syy + c2))
    return m.mean().item()


# ---------------------------------------------------------------- sampling

@torch.no_grad()
def super_resolve(step_fn, lr, steps=(1.0,), seed=0, multiple=1):
    """Sample with the same one-step graph the app runs: x0 <- step(lr, x0, noise, σ) for σ in steps.

    lr: [1, 3, h, w] in [-1, 1]; padded by reflection to the model's multiple, output cropped back.
    """
    s = step_fn.scale
    h, w = lr.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        lr = F.pad(lr, (0, pw, 0, ph), mode="reflect" if min(h, w) > max(ph, pw) else "replicate")
    g = torch.Generator(device="cpu").manual_seed(seed)
    hr_shape = (lr.shape[0], 3, lr.shape[2] * s, lr.shape[3] * s)
    x0 = torch.zeros(hr_shape, device=lr.device)
    for sig in steps:
        noise = torch.randn(hr_shape, generator=g).to(lr.device)
        x0 = step_fn(lr, x0, noise, torch.full((lr.shape[0],), float(sig), device=lr.device))
    return x0[..., : h * s, : w * s]


def find_set(name, root):
    """(hr_dir, lr_dir) for a set name under root (<set>/HR, <set>/LR_x<s>) or a folder given directly."""
    base = name if os.path.isdir(name) else os.path.join(root, name)
    if not os.path.isdir(base):
        raise FileNotFoundError(f"evaluation set not found: {name} (looked in {root})")
    return base


def load_set(base, scale, max_images=0):
    hr_dir, lr_dir = os.path.join(base, "HR"), os.path.join(base, f"LR_x{scale}")
    pairs = []
    for hp in list_images(hr_dir, recursive=False):
        lp = os.path.join(lr_dir, os.path.basename(hp))
        hr = open_image(hp)
        if os.path.isfile(lp):
            lr = open_image(lp)
            hr = hr[:, : lr.shape[1] * scale, : lr.shape[2] * scale]  # HR modcrop, as the benchmarks do
        else:
            from .degrade import bicubic_down
            hr = hr[:, : hr.shape[1] // scale * scale, : hr.shape[2] // scale * scale]
            lr = bicubic_down(hr, scale)
        pairs.append((os.path.basename(hp), lr, hr))
        if max_images and len(pairs) >= max_images:
            break
    return pairs


def evaluate(net, sets, eval_root=None, lpips=None, steps=(1.0,), seed=0, max_images=0, scale=None,
             device="cpu", sched=None):
    """Returns {set: {"model": {psnr, ssim, lpips}, "bicubic": {...}, "images": n}}; net None -> bicubic only."""
    eval_root = eval_root or default_eval_root()
    scale = scale or (net.cfg.scale if net is not None else 4)
    step_fn = ConsistencyStep(net, **(sched or {})).eval() if net is not None else None
    results = {}
    for name in sets:
        pairs = load_set(find_set(name, eval_root), scale, max_images)
        acc = {"model": [], "bicubic": []} if net is not None else {"bicubic": []}
        for _, lr01, hr01 in pairs:
            lr = forward.to_model_range(lr01)[None].to(device)
            hr = forward.to_model_range(hr01)[None].to(device)
            outs = {"bicubic": forward.upsample(lr, scale).clamp(-1, 1)}
            if net is not None:
                outs["model"] = super_resolve(step_fn, lr, steps, seed, net.cfg.multiple).clamp(-1, 1)
            for k, out in outs.items():
                o01, h01 = forward.to_pixel_range(out)[0].cpu(), hr01
                m = {"psnr": psnr_y(o01, h01, scale), "ssim": ssim_y(o01, h01, scale)}
                if lpips is not None:
                    q = forward.to_model_range(to_uint8_levels(o01) / 255.0)[None].to(device)
                    m["lpips"] = float(lpips(q, hr.to(q)).item())
                acc[k].append(m)
        results[os.path.basename(os.path.normpath(name))] = {
            k: {m: sum(d[m] for d in v) / len(v) for m in v[0]} for k, v in acc.items()}
        results[os.path.basename(os.path.normpath(name))]["images"] = len(pairs)
    return results


def table(results):
    lines = [f"{'set':<10} {'method':<8} {'PSNR-Y':>8} {'SSIM-Y':>8} {'LPIPS':>8}  images"]
    for name, r in results.items():
        for k in ("bicubic", "model"):
            if k in r:
                m = r[k]
                lp = f"{m['lpips']:8.4f}" if "lpips" in m else f"{'-':>8}"
                lines.append(f"{name:<10} {k:<8} {m['psnr']:8.2f} {m['ssim']:8.4f} {lp}  {r['images']}")
    return "\n".join(lines)


def manifest_metrics(results):
    """{set: {psnr, ssim, lpips}} of the model, for the manifest (lpips NaN-free: -1 when not measured)."""
    return {k: {"psnr": round(v["model"]["psnr"], 3), "ssim": round(v["model"]["ssim"], 4),
                "lpips": round(v["model"].get("lpips", -1.0), 4)} for k, v in results.items() if "model" in v}


def main(args):
    from .checkpoint import load_for_inference
    from .lpips import LPIPS
    net, sched = (load_for_inference(args.checkpoint, ema=not args.raw) if args.checkpoint else (None, None))
    try:
        lp = LPIPS("squeeze", args.lpips)
    except FileNotFoundError as e:
        log(f"evaluate: {e}; LPIPS left out")
        lp = None
    res = evaluate(net, args.sets, args.eval_root, lp, args.steps, args.seed, args.max_images, sched=sched)
    log(table(res))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    emit("metrics", results=res)
    return 0
