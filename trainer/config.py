"""Training configuration, declared once: dataclasses with their defaults (TrainConfig and its sections), and
FinetuneConfig for the app's finetune.json (whose numbers the app owns: few defaults there), so the code says
`cfg.dtm.lambda_dtm` rather than `cfg["dtm"]["lambda_dtm"]`. DEFAULTS is TrainConfig's defaults as plain data, which
a JSON/YAML file and `--set a.b=value` are merged over.

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
import typing
from typing import Any, Dict, List, NotRequired, Optional, TypedDict, Union

import yaml

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


# ---------------------------------------------------------------- the shape, with its defaults

@dataclass
class Data:
    kind: str = "hr"                # hr (HR-only folders + degradation) | pairs (LR/HR folders)
    hr_dirs: list = field(default_factory=list)  # "path" or {"path", "downscale", "max_side", "recursive"}
    lr_dir: Optional[str] = None
    hr_dir: Optional[str] = None
    degradation: str = "bicubic"    # bicubic | realesrgan
    degradation_opts: Dict[str, Any] = field(default_factory=dict)
    crop: int = 128                 # HR crop side (LR = crop / scale)
    batch: int = 16                 # global batch (split across DDP ranks)
    workers: int = 0
    cache_mb: int = 512


@dataclass
class Schedule:
    sigma_max: float = 1.0
    rho_n: float = 1.0
    rho_r: float = 1.0
    s0: int = 4
    s1: int = 3

    def sampling(self):
        """The keyword arguments of sampling.ConsistencyStep (the export's schedule)."""
        return {"sigma_max": self.sigma_max, "rho_n": self.rho_n, "rho_r": self.rho_r}


@dataclass
class Warmup:
    """The supervised warm start: target x0 at every grid sigma."""
    distance: str = "charbonnier"
    intervals: int = 4
    lr: Optional[float] = None
    # share of samples at grid points 1..intervals (None: uniform). One-step sampling only ever sees the last point,
    # so weighting it spends the small network's capacity where the app samples.
    index_probs: Optional[List[float]] = None
    weights: Optional[List[float]] = None  # of a two-part distance (e.g. lpips+mse); None uses ct.weights


@dataclass
class CT:
    distance: str = "lpips+charbonnier"
    weights: List[float] = field(default_factory=lambda: [0.5, 0.5])


@dataclass
class DTM:
    lambda_ct: float = 1.0
    lambda_dtm: float = 1.6
    # t on the CT grid (index/intervals; the official draw lands on 1/3); None draws U(t_min, t_max)
    t_index: Optional[int] = 1
    t_min: float = 0.1
    t_max: float = 0.5
    refresh_every: int = 1000
    weight: float = 0.5
    distance: str = "lpips"         # d of L_DTM = weight·ω·d(x̂0, sg(x̂0 − grad)) (official: LPIPS)


@dataclass
class Fidelity:
    """Not in the paper: the sampler's own last step regressed on the data. A model that samples in several steps
    (Detail: σ 1, then 0.5) feeds its second step an x_t built from its own first estimate, which CT and DTM never
    show it (they build every x_t from the data); this term trains that step where the app runs it. 0 = off."""
    weight: float = 0.0
    sigmas: List[float] = field(default_factory=lambda: [1.0, 0.5])  # the σ list of the sampler (the manifest's)
    distance: str = "lpips+charbonnier"


@dataclass
class LPIPSOpts:
    net: str = "squeeze"
    dir: Optional[str] = None       # None: ../shared/weights/lpips-squeeze


@dataclass
class Optim:
    lr: float = 5e-5
    betas: List[float] = field(default_factory=lambda: [0.9, 0.9])
    weight_decay: float = 0.0
    milestones: List[int] = field(default_factory=lambda: [50000])
    gamma: float = 0.5
    grad_clip: Optional[float] = 1.0  # None: no clipping (official); logged as gradNorm either way


@dataclass
class EMA:
    decay: float = 0.999
    warmup: bool = True


@dataclass
class Val:
    sets: List[str] = field(default_factory=list)
    root: Optional[str] = None
    max_images: int = 2
    steps: List[float] = field(default_factory=lambda: [1.0])


@dataclass
class Export:
    enabled: bool = True
    id: Optional[str] = None
    name: Optional[str] = None
    license: str = "unknown"
    description: Optional[str] = None
    created_by: str = "fine-tuned"
    trained_on: Optional[str] = None
    eval_sets: List[str] = field(default_factory=list)
    eval_root: Optional[str] = None
    steps: List[float] = field(default_factory=lambda: [1.0])


# The stages a run goes through, in this order (progress messages name them; each may have 0 iterations).
STAGES = ("warmup", "ct", "dtm")


@dataclass
class TrainConfig:
    out: str = "trainer/runs/run"   # run folder: config.json, checkpoint.pt, previews/, export/
    seed: int = 0
    device: str = "auto"            # auto | cpu | cuda | cuda:N | mps | dml (torch-directml)
    threads: int = 0                # CPU threads for torch (0: torch's default)
    preset: str = "S"               # network preset (network.PRESETS)
    scale: int = 4
    net: Dict[str, Any] = field(default_factory=dict)  # NetConfig overrides, e.g. {"model_channels": 32}
    init_from: Optional[str] = None  # checkpoint whose EMA weights start this run (fine-tuning)
    data: Data = field(default_factory=Data)
    schedule: Schedule = field(default_factory=Schedule)
    warmup_iterations: int = 0      # the supervised warm start (Warmup)
    ct_iterations: int = 1000       # stage 1: consistency training
    dtm_iterations: int = 0         # stage 2: CT + distribution trajectory matching
    warmup: Warmup = field(default_factory=Warmup)
    ct: CT = field(default_factory=CT)
    dtm: DTM = field(default_factory=DTM)
    fidelity: Fidelity = field(default_factory=Fidelity)
    lpips: LPIPSOpts = field(default_factory=LPIPSOpts)
    optim: Optim = field(default_factory=Optim)
    ema: EMA = field(default_factory=EMA)
    amp: str = "auto"               # CUDA only: auto (bf16 if supported, else fp16) | fp16 | bf16 | off
    layout: str = "auto"            # auto (CUDA: channels_last; a CPU: the faster, timed at start) | channels_last | contiguous
    log_every: int = 10
    checkpoint_every: int = 500
    preview_every: int = 0          # write a preview PNG (+ one-step PSNR on val sets) every N steps
    val: Val = field(default_factory=Val)
    export: Export = field(default_factory=Export)

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
        """The stage (STAGES) of a global step."""
        w, c = self.warmup_iterations, self.ct_iterations
        return "warmup" if step < w else "ct" if step < w + c else "dtm"


# The defaults as plain data: what a file, `--set` and an older checkpoint's config are merged over.
DEFAULTS = TrainConfig().to_dict()


# ---------------------------------------------------------------- the app's fine-tuning run (finetune.json)

# What a fine-tuning run trains: the warm start alone, CT alone, or CT then CT + DTM.
FINETUNE_STAGES = ("warmup", "ct", "ct+dtm")
# The warm start's name in run folders written before the app took the trainer's.
LEGACY_STAGES = {"supervised": "warmup"}
# How an HR-only source makes its LR (finetune/sources.py).
DEGRADATIONS = ("realesrgan", "bicubic", "jpeg")
SOURCE_KINDS = ("pairs", "hr")


def finetune_stages(name):
    """The FINETUNE_STAGES entry a finetune.json names."""
    name = LEGACY_STAGES.get(name, name)
    if name not in FINETUNE_STAGES:
        raise ValueError(f"unknown stages {name!r}: one of {', '.join(FINETUNE_STAGES)}")
    return name


# The app declares these lists again (shared/training/types.ts, finetune-config.ts): a field's "choices" are what
# main/training/test/trainer-seam.test.ts reads through choices() and compares with the app's, so neither side can
# add, drop or rename a value alone. "min"/"max" mirror the app's schema so a hand-edited file fails by key name.
def _choices(values, **more):
    return {"choices": values, **more}


class FinetuneFile(TypedDict):
    stem: str
    hr: str
    lr: NotRequired[str]            # pairs only


@dataclass
class FinetuneBase:
    checkpoint: str                 # the base model's weights (EMA), network and schedule
    model_id: Optional[str] = None


@dataclass
class FinetuneSource:
    kind: str = field(metadata=_choices(SOURCE_KINDS))  # pairs (LR/HR files) | hr (HR photos, LR made by `degradation`)
    train: List[FinetuneFile] = field(metadata={"min_items": 1})
    heldout: List[FinetuneFile] = field(default_factory=list)
    # hr only, and then required: how the LR is made is the app's choice (its defaults live in shared/training/types.ts)
    degradation: Optional[str] = field(default=None, metadata=_choices(DEGRADATIONS))
    jpeg_quality: Optional[int] = field(default=None, metadata={"min": 1, "max": 100})
    clean_share: Optional[float] = field(default=None, metadata={"min": 0, "max": 1})  # share plainly downscaled
    degradation_opts: Optional[Dict[str, Any]] = None

    def check(self, where):
        if self.kind == "hr":
            lacks = [k for k in ("degradation", "jpeg_quality", "clean_share") if getattr(self, k) is None]
            if lacks:
                raise ValueError(f"{where} lacks {', '.join(lacks)}: an hr source says how its LR is made")
        if self.kind == "pairs":
            for part in ("train", "heldout"):
                for i, entry in enumerate(getattr(self, part)):
                    if "lr" not in entry:
                        raise ValueError(f"{where}.{part}[{i}] lacks lr: a pairs source names both files")


@dataclass
class FinetuneExport:
    id: str
    name: Optional[str] = None
    description: Optional[str] = None
    trained_on: Optional[str] = None


@dataclass
class FinetuneConfig:
    """finetune.json, written by the app (main/training/run-config.ts); the app's description of it,
    shared/training/finetune-config.ts, is checked against this one by main/training/test/trainer-seam.test.ts.

    The app writes every key and owns the numbers (main/training/length-presets.ts): the run's shape has no defaults
    here, so a number is declared once and a file that leaves one out is refused rather than trained on a guess."""
    out: str
    base: FinetuneBase
    source: FinetuneSource
    export: FinetuneExport
    iterations: int = field(metadata={"min": 1})
    seed: int
    device: str                     # checked where the device is opened (train.pick_device), which knows cuda:N, dml
    threads: int = field(metadata={"min": 0})  # 0: torch's default
    scale: Optional[int] = field(metadata={"min": 1})  # null: the base model's
    crop: int = field(metadata={"min": 1})
    batch: int = field(metadata={"min": 1})
    stages: str = field(metadata=_choices(FINETUNE_STAGES, read=lambda v: LEGACY_STAGES.get(v, v)))
    preview_every: int = field(metadata={"min": 0})
    checkpoint_every: int = field(metadata={"min": 0})
    log_every: int = field(metadata={"min": 1})
    heldout_lr_side: int = field(metadata={"min": 1})
    # the app leaves these out (or, for max_pixels, did before 2026-12-07, and its older runs must still resume): the
    # largest picture read (0: the trainer's own; the app's scan uses the same), the share of a ct+dtm run spent on
    # DTM, overrides of the trainer config
    max_pixels: int = field(default=0, metadata={"min": 0})
    dtm_share: float = field(default=0.4, metadata={"min": 0, "max": 1})
    trainer: Dict[str, Any] = field(default_factory=dict)  # e.g. {"optim": {"lr": 1e-5}}

    @classmethod
    def of(cls, ft):
        if isinstance(ft, cls):
            return ft
        return _typed(cls, ft, "finetune.json")


def choices(cls=None, prefix=""):
    """{"stages": [...], "source.kind": [...], ...}: every field of FinetuneConfig (nested too) with a fixed set of
    values, for the seam test."""
    out = {}
    for f in dataclasses.fields(cls or FinetuneConfig):
        if dataclasses.is_dataclass(f.type):
            out.update(choices(f.type, f"{prefix}{f.name}."))
        elif "choices" in f.metadata:
            out[prefix + f.name] = list(f.metadata["choices"])
    return out


def _typed(cls, data, where):
    """cls(**data) with nested dataclasses built too; an unknown or missing key, a value of the wrong type or outside
    its field's choices or range is an error that names the key."""
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
    values = {}
    for k, v in data.items():
        f, key = fields[k], f"{where}.{k}"
        if dataclasses.is_dataclass(f.type):
            values[k] = _typed(f.type, v, key)
            continue
        _check_type(v, f.type, key)
        v = f.metadata.get("read", lambda x: x)(v)
        _check_allowed(v, f.metadata, key)
        values[k] = v
    obj = cls(**values)
    if hasattr(obj, "check"):
        obj.check(where)
    return obj


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _check_type(value, tp, where):
    """Raises ValueError naming `where` unless value (parsed JSON) is of the annotated type tp."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return
    if origin is Union:  # Optional[X]
        if value is None and type(None) in args:
            return
        return _check_type(value, next(a for a in args if a is not type(None)), where)
    if typing.is_typeddict(tp):
        if not isinstance(value, dict):
            raise ValueError(f"{where} must be a mapping, got {value!r}")
        hints = typing.get_type_hints(tp)
        unknown = sorted(set(value) - set(hints))
        if unknown:
            raise ValueError(f"unknown key {where}.{unknown[0]}; valid there: {sorted(hints)}")
        missing = sorted(tp.__required_keys__ - set(value))
        if missing:
            raise ValueError(f"{where} lacks {', '.join(missing)}")
        for k, v in value.items():
            _check_type(v, hints[k], f"{where}.{k}")
            if isinstance(v, str) and not v:
                raise ValueError(f"{where}.{k} is empty")
        return
    if origin is list:
        if not isinstance(value, list):
            raise ValueError(f"{where} must be a list, got {value!r}")
        for i, item in enumerate(value):
            _check_type(item, args[0], f"{where}[{i}]")
        return
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{where} must be a mapping, got {value!r}")
        for k, v in value.items():
            _check_type(v, args[1] if args else Any, f"{where}.{k}")
        return
    # JSON has one number type: 0 is a fine float; true is not a number
    ok = (isinstance(value, (int, float)) if tp is float else isinstance(value, tp)) and (
        tp is bool or not isinstance(value, bool))
    if not ok:
        raise ValueError(f"{where} must be {_TYPE_NAMES.get(tp, tp.__name__)}, got {value!r}")


def _check_allowed(value, meta, where):
    if value is None:
        return
    if "choices" in meta and value not in meta["choices"]:
        raise ValueError(f"{where} must be one of {', '.join(meta['choices'])}, got {value!r}")
    if "min" in meta and value < meta["min"]:
        raise ValueError(f"{where} must be at least {meta['min']}, got {value!r}")
    if "max" in meta and value > meta["max"]:
        raise ValueError(f"{where} must be at most {meta['max']}, got {value!r}")
    if "min_items" in meta and len(value) < meta["min_items"]:
        raise ValueError(f"{where} needs at least {meta['min_items']} entries")
