"""Training configuration: plain data (DEFAULTS, merged with a JSON/YAML file and `--set a.b=value`), read through
typed views (TrainConfig, FinetuneConfig) so the code says `cfg.dtm.lambda_dtm` rather than `cfg["dtm"]["lambda_dtm"]`.

Unknown keys are rejected (a typo should not silently train with defaults), except inside the free-form
sections `net` (NetConfig overrides) and `data.degradation_opts` (RealESRGANOpts overrides). What is written
(config.json, the checkpoint's `config`, the manifest's `training.config`) stays the plain dict, so checkpoints of any
age load: theirs is merged over today's DEFAULTS first.
"""
import copy
import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

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


# ---------------------------------------------------------------- typed views (defaults live in DEFAULTS only)

@dataclass
class Data:
    kind: str
    hr_dirs: list
    lr_dir: Optional[str]
    hr_dir: Optional[str]
    degradation: str
    degradation_opts: Dict[str, Any]
    crop: int
    batch: int
    workers: int
    cache_mb: int


@dataclass
class Schedule:
    sigma_max: float
    rho_n: float
    rho_r: float
    s0: int
    s1: int

    def sampling(self):
        """The keyword arguments of sampling.ConsistencyStep (the export's schedule)."""
        return {"sigma_max": self.sigma_max, "rho_n": self.rho_n, "rho_r": self.rho_r}


@dataclass
class Warmup:
    distance: str
    intervals: int
    lr: Optional[float]
    index_probs: Optional[List[float]]
    weights: Optional[List[float]]


@dataclass
class CT:
    distance: str
    weights: List[float]


@dataclass
class DTM:
    lambda_ct: float
    lambda_dtm: float
    t_index: Optional[int]
    t_min: float
    t_max: float
    refresh_every: int
    weight: float
    distance: str


@dataclass
class LPIPSOpts:
    net: str
    dir: Optional[str]


@dataclass
class Optim:
    lr: float
    betas: List[float]
    weight_decay: float
    milestones: List[int]
    gamma: float
    grad_clip: Optional[float]


@dataclass
class EMA:
    decay: float
    warmup: bool


@dataclass
class Val:
    sets: List[str]
    root: Optional[str]
    max_images: int
    steps: List[float]


@dataclass
class Export:
    enabled: bool
    id: Optional[str]
    name: Optional[str]
    license: str
    description: Optional[str]
    created_by: str
    trained_on: Optional[str]
    eval_sets: List[str]
    eval_root: Optional[str]
    steps: List[float]


@dataclass
class TrainConfig:
    """DEFAULTS' shape, typed; the comments on each key are in DEFAULTS."""
    out: str
    seed: int
    device: str
    threads: int
    preset: str
    scale: int
    net: Dict[str, Any]
    init_from: Optional[str]
    data: Data
    schedule: Schedule
    warmup_iterations: int
    ct_iterations: int
    dtm_iterations: int
    warmup: Warmup
    ct: CT
    dtm: DTM
    lpips: LPIPSOpts
    optim: Optim
    ema: EMA
    amp: str
    log_every: int
    checkpoint_every: int
    preview_every: int
    val: Val
    export: Export

    @classmethod
    def of(cls, cfg):
        """A TrainConfig from a config dict (checked, missing keys from DEFAULTS) or as it is."""
        if isinstance(cfg, cls):
            return cfg
        d = merge(DEFAULTS, cfg)
        sections = {f.name: f.type for f in dataclasses.fields(cls) if dataclasses.is_dataclass(f.type)}
        return cls(**{k: sections[k](**v) if k in sections else v for k, v in d.items()})

    def to_dict(self):
        """The plain data that is written (config.json, checkpoints, manifests)."""
        return dataclasses.asdict(self)

    @property
    def total_iterations(self):
        return self.warmup_iterations + self.ct_iterations + self.dtm_iterations

    def stage_at(self, step):
        """The stage of a global step: stages run in order warmup -> ct -> dtm."""
        w, c = self.warmup_iterations, self.ct_iterations
        return "warmup" if step < w else "ct" if step < w + c else "dtm"


# ---------------------------------------------------------------- the app's fine-tuning run (finetune.json)

@dataclass
class FinetuneBase:
    checkpoint: str                 # the base model's weights (EMA), network and schedule
    model_id: Optional[str] = None


@dataclass
class FinetuneSource:
    kind: str                       # pairs (LR/HR files) | hr (HR photos, LR made by `degradation`)
    train: List[Dict[str, str]]     # [{stem, hr[, lr]}]
    heldout: List[Dict[str, str]] = field(default_factory=list)
    degradation: str = "realesrgan"  # hr only: realesrgan | bicubic | jpeg
    jpeg_quality: int = 40
    degradation_opts: Optional[Dict[str, Any]] = None
    clean_share: float = 0.0        # hr only: share of samples plainly downscaled


@dataclass
class FinetuneExport:
    id: str
    name: Optional[str] = None
    description: Optional[str] = None
    trained_on: Optional[str] = None


@dataclass
class FinetuneConfig:
    """finetune.json, written by the app (main/training/training-service.ts)."""
    out: str
    base: FinetuneBase
    source: FinetuneSource
    export: FinetuneExport
    iterations: int
    seed: int = 0
    device: str = "auto"
    threads: int = 0
    scale: Optional[int] = None     # None: the base model's
    crop: int = 128
    batch: int = 4
    stages: str = "ct"              # supervised | ct | ct+dtm
    dtm_share: float = 0.4
    preview_every: int = 200
    checkpoint_every: int = 100
    log_every: int = 10
    heldout_lr_side: int = 128
    max_pixels: int = 0             # the largest picture read (the app's scan used the same); 0: the trainer's own
    trainer: Dict[str, Any] = field(default_factory=dict)  # trainer config overrides, e.g. {"optim": {"lr": 1e-5}}

    @classmethod
    def of(cls, ft):
        if isinstance(ft, cls):
            return ft
        return _typed(cls, ft, "finetune.json")


def _typed(cls, data, where):
    """cls(**data) with nested dataclasses built too; unknown or missing keys are errors that name the key."""
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(f"unknown key {where}.{unknown[0]}; valid there: {sorted(fields)}")
    missing = [n for n, f in fields.items() if n not in data and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ValueError(f"{where} lacks {', '.join(missing)}")
    return cls(**{k: _typed(fields[k].type, v, f"{where}.{k}") if dataclasses.is_dataclass(fields[k].type) else v
                  for k, v in data.items()})
