"""Scoring models on evaluation sets, with bicubic on the same images beside them.

`evaluate` samples a network through the exported one-step module; `score_dirs` scores images produced elsewhere (the
app's engine, `npm run eval`) against HR images matched by file stem, or by NIQE alone where there is no ground truth;
`seed_spread` compares one set's outputs under several seeds; `table` prints results. The scores of one image are
`metrics.py`'s, the sets on disk `eval_sets.py`'s.
"""
import os

import torch

from . import forward, niqe as niqe_mod
from .data import open_image
from .eval_sets import by_stem, default_eval_root, find_set, load_lr_only, load_set, size_text
from .metrics import bicubic_up, image_metrics, mean_scores, spread
from .protocol import log
from .sampling import ConsistencyStep, super_resolve


class ScoringStopped(Exception):
    """`should_stop` said so before every image was scored: no result, rather than one over part of a set."""


def evaluate(net, sets, eval_root=None, lpips=None, steps=(1.0,), seed=0, max_images=0, scale=None,
             device="cpu", sched=None, niqe_params=None, spread_seeds=0, lr_only=(), should_stop=None, bicubic=True):
    """Returns {set: {"model": {psnr, ssim, lpips[, niqe]}, "bicubic": {...}, "images": n[, "spread": levels]}};
    net None -> bicubic only. lr_only: folders of LR photos without ground truth (NIQE only). spread_seeds > 1:
    the mean per-pixel standard deviation of the output over that many seeds (seed, seed + 1, …). should_stop:
    asked before each image; True raises ScoringStopped (a stop request need not wait for minutes of scoring).
    bicubic False: the model alone (a campaign's later rows; bicubic's NIQE on large photos costs as much as the
    model's)."""
    eval_root = eval_root or default_eval_root()
    scale = scale or (net.cfg.scale if net is not None else 4)
    step_fn = ConsistencyStep(net, **(sched or {})).eval() if net is not None else None
    results = {}
    named = [(name, lambda n=name: load_set(find_set(n, eval_root), scale, max_images)) for name in sets]
    named += [(folder, lambda f=folder: load_lr_only(f, max_images)) for folder in lr_only]
    for name, load in named:
        pairs = load()
        acc = {k: [] for k in (["model"] if net is not None else []) + (["bicubic"] if bicubic or net is None else [])}
        spreads = []
        for _, lr01, hr01 in pairs:
            if should_stop and should_stop():
                raise ScoringStopped(name)
            outs = {"bicubic": bicubic_up(lr01, scale, device)} if "bicubic" in acc else {}
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
        results[key] = {k: mean_scores(v) for k, v in acc.items()}
        results[key]["images"] = len(pairs)
        if spreads:
            results[key]["spread"] = sum(spreads) / len(spreads)
    return results


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
    sr, hr = by_stem(sr_dir), by_stem(hr_dir) if hr_dir else None
    lr = by_stem(lr_dir) if lr_dir else None
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
                raise ValueError(f"{stem}: the SR image is {size_text(o01)} but the HR image is {size_text(h01)}; expected the "
                                 f"HR size cropped to a multiple of {scale} (wrong --scale, or outputs of another set?)")
            h01 = h01[:, :H, :W]
        entry = {"model": image_metrics(o01, h01, scale, lpips, device, niqe_params)}
        if lr is not None:
            l01 = open_image(lr[stem])
            if (l01.shape[1] * scale, l01.shape[2] * scale) != (H, W):
                raise ValueError(f"{stem}: the LR image is {size_text(l01)}, ×{scale} is not the SR size {size_text(o01)}")
            entry["bicubic"] = image_metrics(bicubic_up(l01, scale, device), h01, scale, lpips, device, niqe_params)
        per[stem] = entry
    res = {k: mean_scores([e[k] for e in per.values()]) for k in ("model", "bicubic") if k in next(iter(per.values()))}
    res["images"] = len(per)
    res["per_image"] = per
    return res


@torch.no_grad()
def seed_spread(dirs):
    """The seed spread of outputs made elsewhere: dirs hold one set's outputs under different seeds (same stems);
    returns {"spread": mean over images, "images": n, "per_image": {stem: levels}}."""
    if len(dirs) < 2:
        raise ValueError("the seed spread needs the outputs of at least two seeds (two folders)")
    found = [by_stem(d) for d in dirs]
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


def load_lpips(folder):
    from .lpips import LPIPS
    try:
        return LPIPS("squeeze", folder)
    except FileNotFoundError as e:
        log(f"evaluate: {e}; LPIPS left out")
        return None


def load_niqe(folder):
    """NIQE's parameters from `folder` (None: the shipped ones), or None, said on stderr, when they are missing."""
    try:
        return niqe_mod.load_params(folder)
    except FileNotFoundError as e:
        log(f"evaluate: {e}; NIQE left out")
        return None
