"""Evaluation: PSNR / SSIM on Y (BT.601, 8-bit outputs, shave = scale), LPIPS (squeeze) on RGB in [-1, 1] and NIQE
(no reference; luma, crop border = scale), with bicubic on the same images beside the model
(../shared/data/README.md convention), and the seed spread (mean per-pixel standard deviation over noise seeds).

Uses: `evaluate` samples a checkpoint through the exported one-step module; `score_dirs` scores images produced
elsewhere (the app's engine, `npm run eval`) against HR images matched by file stem, or by NIQE alone where there is no
ground truth; `seed_spread` compares one set's outputs under several seeds; `make_eval_set` writes a fixed, seeded
degraded copy of an HR set (BSD100 with the Real-ESRGAN pipeline, or its LR as JPEG quality 20).
"""
import hashlib
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from . import degrade, forward, niqe as niqe_mod
from .data import list_images, open_image
from .protocol import _clean, emit, log
from .sampling import ConsistencyStep, sigmas_for, super_resolve


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


def _mean(per_image):
    """Mean of each metric over the images that have it (NIQE skips images under two 96×96 blocks)."""
    keys = dict.fromkeys(k for d in per_image for k in d)
    return {m: sum(d[m] for d in per_image if m in d) / sum(m in d for d in per_image) for m in keys}


# ---------------------------------------------------------------- evaluation sets

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


def load_lr_only(folder, max_images=0):
    """[(name, lr01, None)] of the images in a folder of LR photos without ground truth."""
    files = list_images(folder, recursive=False)
    if not files:
        raise FileNotFoundError(f"no images in {folder}")
    files = files[:max_images] if max_images else files
    return [(os.path.basename(p), open_image(p), None) for p in files]


def evaluate(net, sets, eval_root=None, lpips=None, steps=(1.0,), seed=0, max_images=0, scale=None,
             device="cpu", sched=None, niqe_params=None, spread_seeds=0, lr_only=()):
    """Returns {set: {"model": {psnr, ssim, lpips[, niqe]}, "bicubic": {...}, "images": n[, "spread": levels]}};
    net None -> bicubic only. lr_only: folders of LR photos without ground truth (NIQE only). spread_seeds > 1:
    the mean per-pixel standard deviation of the output over that many seeds (seed, seed + 1, …)."""
    eval_root = eval_root or default_eval_root()
    scale = scale or (net.cfg.scale if net is not None else 4)
    step_fn = ConsistencyStep(net, **(sched or {})).eval() if net is not None else None
    results = {}
    named = [(name, lambda n=name: load_set(find_set(n, eval_root), scale, max_images)) for name in sets]
    named += [(folder, lambda f=folder: load_lr_only(f, max_images)) for folder in lr_only]
    for name, load in named:
        pairs = load()
        acc = {"model": [], "bicubic": []} if net is not None else {"bicubic": []}
        spreads = []
        for _, lr01, hr01 in pairs:
            outs = {"bicubic": bicubic_up(lr01, scale, device)}
            if net is not None:
                lr = forward.to_model_range(lr01)[None].to(device)
                sample = lambda sd: forward.to_pixel_range(  # noqa: E731
                    super_resolve(step_fn, lr, steps, sd, net.cfg.multiple).clamp(-1, 1))[0].cpu()
                outs["model"] = sample(seed)
                if spread_seeds > 1:
                    spreads.append(spread([outs["model"]] + [sample(seed + i) for i in range(1, spread_seeds)]))
            for k, o01 in outs.items():
                acc[k].append(image_metrics(o01, hr01, scale, lpips, device, niqe_params))
        key = os.path.basename(os.path.normpath(name))
        results[key] = {k: _mean(v) for k, v in acc.items()}
        results[key]["images"] = len(pairs)
        if spreads:
            results[key]["spread"] = sum(spreads) / len(spreads)
    return results


# ---------------------------------------------------------------- images produced elsewhere

def _by_stem(folder):
    """{file stem: path} of the images directly in folder; two files with one stem are an error."""
    out = {}
    for p in list_images(folder, recursive=False):
        stem = os.path.splitext(os.path.basename(p))[0]
        if stem in out:
            raise ValueError(f"two images named {stem!r} in {folder}: {os.path.basename(out[stem])} and "
                             f"{os.path.basename(p)}; keep one")
        out[stem] = p
    return out


def _size(img):
    return f"{img.shape[2]}×{img.shape[1]}"


@torch.no_grad()
def score_dirs(sr_dir, hr_dir, lr_dir=None, scale=4, lpips=None, device="cpu", niqe_params=None):
    """Scores every image in sr_dir against the HR image of the same stem in hr_dir (and bicubic of the LR image of
    that stem beside it when lr_dir is given). The HR image is cropped to the SR size when it is larger by less than
    `scale` (the benchmarks' modcrop); anything else is a size mismatch and an error. hr_dir None: no ground truth,
    NIQE only (niqe_params required).

    Returns {"model": mean, "bicubic": mean (with lr_dir), "images": n, "per_image": {stem: {"model", "bicubic"}}}.
    """
    if hr_dir is None and niqe_params is None:
        raise ValueError("without ground truth (no HR folder) only NIQE can score; its parameters were not found")
    sr, hr = _by_stem(sr_dir), _by_stem(hr_dir) if hr_dir else None
    lr = _by_stem(lr_dir) if lr_dir else None
    if not sr:
        raise FileNotFoundError(f"no images in {sr_dir}")
    for folder, found in ((hr_dir, hr), (lr_dir, lr)):
        missing = sorted(set(sr) - set(found)) if found is not None else []
        if missing:
            raise FileNotFoundError(f"{len(missing)} image(s) of {sr_dir} have no counterpart in {folder}: "
                                    f"{', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}")
    per = {}
    for stem in sorted(sr):
        o01, h01 = open_image(sr[stem]), open_image(hr[stem]) if hr else None
        H, W = o01.shape[1:]
        if h01 is not None:
            dh, dw = h01.shape[1] - H, h01.shape[2] - W
            if not (0 <= dh < scale and 0 <= dw < scale):
                raise ValueError(f"{stem}: the SR image is {_size(o01)} but the HR image is {_size(h01)}; expected the "
                                 f"HR size cropped to a multiple of {scale} (wrong --scale, or outputs of another set?)")
            h01 = h01[:, :H, :W]
        entry = {"model": image_metrics(o01, h01, scale, lpips, device, niqe_params)}
        if lr is not None:
            l01 = open_image(lr[stem])
            if (l01.shape[1] * scale, l01.shape[2] * scale) != (H, W):
                raise ValueError(f"{stem}: the LR image is {_size(l01)}, ×{scale} is not the SR size {_size(o01)}")
            entry["bicubic"] = image_metrics(bicubic_up(l01, scale, device), h01, scale, lpips, device, niqe_params)
        per[stem] = entry
    res = {k: _mean([e[k] for e in per.values()]) for k in ("model", "bicubic") if k in next(iter(per.values()))}
    res["images"] = len(per)
    res["per_image"] = per
    return res


@torch.no_grad()
def seed_spread(dirs):
    """The seed spread of outputs made elsewhere: dirs hold one set's outputs under different seeds (same stems);
    returns {"spread": mean over images, "images": n, "per_image": {stem: levels}}."""
    if len(dirs) < 2:
        raise ValueError("the seed spread needs the outputs of at least two seeds (two folders)")
    found = [_by_stem(d) for d in dirs]
    stems = sorted(found[0])
    if not stems:
        raise FileNotFoundError(f"no images in {dirs[0]}")
    for d, f in zip(dirs[1:], found[1:]):
        if sorted(f) != stems:
            raise ValueError(f"{d} does not hold the same images as {dirs[0]}; give the outputs of one set")
    per = {}
    for stem in stems:
        outs = [open_image(f[stem]) for f in found]
        if any(o.shape != outs[0].shape for o in outs):
            raise ValueError(f"{stem}: the outputs differ in size between the folders")
        per[stem] = spread(outs)
    return {"spread": sum(per.values()) / len(per), "images": len(per), "per_image": per}


# ---------------------------------------------------------------- fixed degraded evaluation sets

def image_seed(seed, name):
    """The RNG seed of one image: a function of (seed, file name) only, so it does not depend on the order of the
    files or on which other files are in the folder."""
    d = hashlib.sha256(f"{int(seed)}/{name}".encode("utf-8")).digest()
    return [int(seed) & 0xFFFFFFFF] + [int.from_bytes(d[i:i + 4], "little") for i in range(0, 16, 4)]


def _save_png(img01, path):
    arr = to_uint8_levels(img01).to(torch.uint8).permute(1, 2, 0).numpy()
    Image.fromarray(np.ascontiguousarray(arr), "RGB").save(path, format="PNG")


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make_eval_set(hr_dir, out, degradation="realesrgan", seed=0, scale=4, max_images=0, lr_dir=None, quality=20):
    """Writes out/HR (each HR image cropped to a multiple of scale, PNG) and out/LR_x<scale> (the degraded LR,
    PNG), then out/eval-set.json (parameters and SHA-256 of every file) last, so its presence marks a complete set.

    degradation 'jpeg': the LR images of lr_dir (the set's given LR, matched by stem; HR cropped to LR × scale)
    at JPEG `quality`, written as PNG of the decoded JPEG so every reader sees the same pixels.
    Deterministic: each image's degradation draws from numpy.random.default_rng(image_seed(seed, name)), and torch
    runs on one thread meanwhile (the same bytes on every run of this code on a machine).
    """
    if degradation == "jpeg" and not lr_dir:
        raise ValueError("the 'jpeg' degradation compresses a set's given LR images: pass lr_dir (--lr-dir)")
    given_lr = _by_stem(lr_dir) if degradation == "jpeg" else None
    files = list_images(hr_dir, recursive=False)
    if not files:
        raise FileNotFoundError(f"no images in {hr_dir}")
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
                    raise ValueError(f"{given_lr[stem]} is {_size(lr)}; ×{scale} exceeds the HR size {_size(hr)}")
                hr = hr[:, : lr.shape[1] * scale, : lr.shape[2] * scale]  # the benchmark's modcrop
            else:
                hr = hr[:, : hr.shape[1] // scale * scale, : hr.shape[2] // scale * scale]
                lr = degrade.degrade(hr, scale, rng, degradation)
            hp, lp = os.path.join(hr_out, stem + ".png"), os.path.join(lr_out, stem + ".png")
            _save_png(hr, hp)
            _save_png(lr, lp)
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


def table(results):
    lines = [f"{'set':<14} {'method':<8} {'PSNR-Y':>8} {'SSIM-Y':>8} {'LPIPS':>8} {'NIQE':>7} {'spread':>7}  images"]
    cell = lambda m, k, w, d: f"{m[k]:{w}.{d}f}" if k in m and m[k] is not None else f"{'-':>{w}}"  # noqa: E731
    for name, r in results.items():
        for k in ("bicubic", "model"):
            if k in r:
                m = {**r[k], "spread": r.get("spread")} if k == "model" else r[k]
                lines.append(f"{name:<14} {k:<8} {cell(m, 'psnr', 8, 2)} {cell(m, 'ssim', 8, 4)} "
                             f"{cell(m, 'lpips', 8, 4)} {cell(m, 'niqe', 7, 3)} {cell(m, 'spread', 7, 3)}  {r['images']}")
    return "\n".join(lines)


def manifest_metrics(results):
    """{set: {psnr, ssim, lpips}} of the model, for the manifest (lpips NaN-free: -1 when not measured)."""
    return {k: {"psnr": round(v["model"]["psnr"], 3), "ssim": round(v["model"]["ssim"], 4),
                "lpips": round(v["model"].get("lpips", -1.0), 4)} for k, v in results.items() if "model" in v}


def _load_lpips(folder):
    from .lpips import LPIPS
    try:
        return LPIPS("squeeze", folder)
    except FileNotFoundError as e:
        log(f"evaluate: {e}; LPIPS left out")
        return None


def _load_niqe(folder):
    try:
        return niqe_mod.load_params(folder)
    except FileNotFoundError as e:
        log(f"evaluate: {e}; NIQE left out")
        return None


def main(args):
    if getattr(args, "spread", None):
        return main_spread(args)
    if getattr(args, "sr_dir", None):
        return main_score_dirs(args)
    from .checkpoint import load_for_inference
    net, sched = (load_for_inference(args.checkpoint, ema=not args.raw) if args.checkpoint else (None, None))
    lp, nq = _load_lpips(args.lpips), _load_niqe(args.niqe)
    counts = args.step_counts or [None]
    res = {}
    for n in counts:  # --step-counts 1 2: the app's σ lists, one result per set and count ("Set5/2")
        r = evaluate(net, args.sets, args.eval_root, lp, sigmas_for(n) if n else args.steps, args.seed,
                     args.max_images, sched=sched, niqe_params=nq, spread_seeds=args.spread_seeds,
                     lr_only=args.lr_only or ())
        res.update({f"{k}/{n}" if len(counts) > 1 else k: v for k, v in r.items()})
    log(table(res))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    emit("metrics", results=res)
    return 0


def main_score_dirs(args):
    """`evaluate --sr-dir`: score images produced elsewhere. JSON: score_dirs' dict (an infinite PSNR, SR == HR,
    is written as null: JSON has no Infinity)."""
    if args.checkpoint:
        raise ValueError("--sr-dir scores images that already exist; leave out --checkpoint")
    nq = _load_niqe(args.niqe)
    if not args.hr_dir and nq is None:
        raise ValueError("--sr-dir without --hr-dir scores by NIQE alone, and its parameters were not found: pass "
                         "--hr-dir (the ground-truth images, matched by file stem) or --niqe DIR")
    res = score_dirs(args.sr_dir, args.hr_dir, args.lr_dir, args.scale,
                     _load_lpips(args.lpips) if args.hr_dir else None, niqe_params=nq)
    name = args.name or os.path.basename(os.path.normpath(args.sr_dir))
    log(table({name: res}))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(_clean(res), f, indent=2)
    emit("metrics", results={name: {k: v for k, v in res.items() if k != "per_image"}})
    return 0


def main_spread(args):
    """`evaluate --spread DIR DIR …`: the seed spread of one set's outputs made elsewhere under several seeds."""
    res = seed_spread(args.spread)
    log(f"seed spread over {len(args.spread)} seeds: {res['spread']:.4f} levels (mean per-pixel std), "
        f"{res['images']} image(s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    emit("metrics", results={args.name or "spread": {"spread": res["spread"], "images": res["images"]}})
    return 0


def main_make_eval_set(args):
    info = make_eval_set(args.hr_dir, args.out, args.degradation, args.seed, args.scale, args.max_images,
                         args.lr_dir, args.quality)
    log(f"make-eval-set: {len(info['images'])} images ({args.degradation}, seed {args.seed}) in {args.out}")
    emit("eval-set", out=os.path.abspath(args.out), images=len(info["images"]), degradation=args.degradation,
         seed=args.seed, scale=args.scale)
    return 0
