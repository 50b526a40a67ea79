"""Training configuration as plain nested dicts: DEFAULTS, merged with a JSON/YAML file and `--set a.b=value`.

Unknown keys are rejected (a typo should not silently train with defaults), except inside the free-form
sections `net` (NetConfig overrides) and `data.degradation_opts` (RealESRGANOpts overrides).
"""
import copy
import json
import os

import yaml

DEFAULTS = {
    "out": "trainer/runs/run",      # run folder: config.json, checkpoint.pt, previews/, export/
    "seed": 0,
    "device": "auto",               # auto | cpu | cuda | cuda:N | mps | dml (torch-directml)
    "threads": 0,                   # CPU threads for torch (0: torch's default)
    "preset": "S",                  # network preset (network.PRESETS)
    "scale": 4,
    "net": {},                      # NetConfig overrides, e.g. {"model_channels": 32}
    "init_from": None,              # checkpoint whose EMA weights start this run (fine-tuning)
    "data": {
        "kind": "hr",               # hr (HR-only folders + degradation) | pairs (LR/HR folders)
        "hr_dirs": [],              # "path" or {"path", "downscale", "max_side", "recursive"}
        "lr_dir": None,
        "hr_dir": None,
        "degradation": "bicubic",   # bicubic | realesrgan
        "degradation_opts": {},
        "crop": 128,                # HR crop side (LR = crop / scale)
        "batch": 16,                # global batch (split across DDP ranks)
        "workers": 0,
        "cache_mb": 512,
    },
    "schedule": {"sigma_max": 1.0, "rho_n": 1.0, "rho_r": 1.0, "s0": 4, "s1": 3},
    # stages run in this order; iteration counts may be 0
    "warmup_iterations": 0,         # supervised warm start: target x0 at every grid sigma (CTMSR.md §8)
    "ct_iterations": 1000,          # stage 1: consistency training
    "dtm_iterations": 0,            # stage 2: CT + distribution trajectory matching
    # index_probs: share of samples at grid points 1..intervals (None: uniform). One-step sampling only ever sees
    # the last point, so weighting it spends the small network's capacity where the app samples.
    # weights: of a two-part distance (e.g. lpips+mse); None uses ct.weights
    "warmup": {"distance": "charbonnier", "intervals": 4, "lr": None, "index_probs": None, "weights": None},
    "ct": {"distance": "lpips+charbonnier", "weights": [0.5, 0.5]},
    # t_index: DTM's t on the CT grid (index/intervals; the official draw lands on 1/3); None draws U(t_min, t_max).
    # distance: d of L_DTM = weight·ω·d(x̂0, sg(x̂0 − grad)) (official: LPIPS)
    "dtm": {"lambda_ct": 1.0, "lambda_dtm": 1.6, "t_index": 1, "t_min": 0.1, "t_max": 0.5, "refresh_every": 1000,
            "weight": 0.5, "distance": "lpips"},
    "lpips": {"net": "squeeze", "dir": None},   # dir None: ../shared/weights/lpips-squeeze
    "optim": {"lr": 5e-5, "betas": [0.9, 0.9], "weight_decay": 0.0, "milestones": [50000], "gamma": 0.5,
              "grad_clip": 1.0},     # None: no clipping (official); logged as gradNorm either way
    "ema": {"decay": 0.999, "warmup": True},
    "amp": "auto",                  # CUDA only: auto (bf16 if supported, else fp16) | fp16 | bf16 | off
    "log_every": 10,
    "checkpoint_every": 500,
    "preview_every": 0,             # write a preview PNG (+ one-step PSNR on val sets) every N steps
    "val": {"sets": [], "root": None, "max_images": 2, "steps": [1.0]},
    "export": {"enabled": True, "id": None, "name": None, "license": "unknown", "description": None,
               "created_by": "fine-tuned", "trained_on": None, "eval_sets": [], "eval_root": None,
               "steps": [1.0]},
}

FREE_FORM = {("net",), ("data", "degradation_opts")}


def merge(base, over, path=()):
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if path not in FREE_FORM and k not in base:
            where = ".".join(path + (k,))
            raise ValueError(f"unknown config key {where!r}; valid here: {sorted(base)}")
        if isinstance(v, dict) and isinstance(base.get(k), dict) and path + (k,) not in FREE_FORM:
            out[k] = merge(base[k], v, path + (k,))
        else:
            out[k] = copy.deepcopy(v)
    return out


def parse_set(items):
    """["a.b=3", "data.hr_dirs=[x, y]"] -> nested dict; values parsed as YAML (numbers, lists, null...)."""
    over = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"--set expects KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        node = over
        parts = key.strip().split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = yaml.safe_load(value)
    return over


def read_file(path):
    with open(path) as f:
        text = f.read()
    data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"config {path} must hold a mapping at the top level")
    return data


def load(path=None, sets=None, out=None, resume=False):
    """Resolve the config: defaults <- file <- --set <- --out. On resume without a file, <out>/config.json."""
    file_cfg = read_file(path) if path else {}
    if resume and not path and out and os.path.isfile(os.path.join(out, "config.json")):
        file_cfg = read_file(os.path.join(out, "config.json"))
    cfg = merge(merge(DEFAULTS, file_cfg), parse_set(sets))
    if out:
        cfg["out"] = out
    return cfg


def total_iterations(cfg):
    return cfg["warmup_iterations"] + cfg["ct_iterations"] + cfg["dtm_iterations"]
