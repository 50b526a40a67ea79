"""Training loop: [supervised warm start] -> stage 1 CT -> stage 2 CT + DTM (supplement Alg. 2; docs/method.md §5-8).

AdamW with step decay, EMA weights (exported), gradient clipping, AMP on CUDA, DDP under torchrun,
deterministic per-step randomness, checkpoints with exact resume, SIGTERM -> checkpoint -> `stopped` -> exit 0.
"""
import contextlib
import copy
import dataclasses
import json
import os
import random
import signal
import time

import numpy as np
import torch

from . import checkpoint, config as config_mod, forward, protocol, schedules
from .data import BatchMaker, loader, make_source
from .losses import Distance, FrozenCopy, ct_loss, dtm_loss, sampler_fidelity_loss, supervised_loss
from .network import build, count_params
from .protocol import log
from .sampling import ConsistencyStep, super_resolve


# ---------------------------------------------------------------- small helpers

def pick_device(name):
    if name == "dml":
        import torch_directml  # optional; only for Windows users who installed it
        return torch_directml.device()
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def dist_setup(device_name):
    """torchrun sets WORLD_SIZE/RANK/LOCAL_RANK; without them this is a single process."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return 0, 1, pick_device(device_name)
    import torch.distributed as dist
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
    else:
        device = torch.device("cpu")
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return dist.get_rank(), dist.get_world_size(), device


def make_scaler(enabled):
    try:
        return torch.amp.GradScaler("cuda", enabled=enabled)  # PyTorch >= 2.3
    except (AttributeError, TypeError):
        return torch.cuda.amp.GradScaler(enabled=enabled)


def cpu_has_bf16():
    """AVX-512 BF16 or AMX: bfloat16 convolutions run natively in oneDNN (3–4× float32 here); on other CPUs they
    are emulated and slower than float32, so `auto` leaves them in float32."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


def amp_dtype(mode, device):
    """The autocast dtype of the training step, or None for float32. CPUs have no float16 autocast worth using."""
    if mode == "off" or device.type not in ("cuda", "cpu"):
        return None
    if device.type == "cpu":
        if mode == "fp16":
            raise ValueError("amp fp16 needs a CUDA device; on the CPU use bf16, auto or off")
        return torch.bfloat16 if mode == "bf16" or (mode == "auto" and cpu_has_bf16()) else None
    if mode == "bf16" or (mode == "auto" and torch.cuda.is_bf16_supported()):
        return torch.bfloat16
    return torch.float16


LAYOUTS = {"channels_last": torch.channels_last, "contiguous": torch.contiguous_format}
LAYOUT_NAMES = {v: k for k, v in LAYOUTS.items()}


def memory_format(layout, net, amp, shape, world=1):
    """The tensor layout of the training step, and the CPU seconds `auto` measured (None when it measured nothing).

    Channels-last is cuDNN's fast layout under AMP, so CUDA always gets it. On CPUs the faster layout depends on the
    CPU: oneDNN's channels-last float32 convolutions were 1.7× contiguous ones on an earlier session's 2-core CPU,
    while on a 2-core AVX2 EPYC a float32 forward and backward pass took 1.2× longer in channels-last. So `auto` times a forward and backward pass of
    this network at the training batch in each layout and keeps the faster (every process the same one)."""
    if layout in LAYOUTS:
        return LAYOUTS[layout], None
    if layout != "auto":
        raise ValueError(f"layout must be auto, {' or '.join(LAYOUTS)}; got {layout!r}")
    if next(net.parameters()).device.type != "cpu":
        return torch.channels_last, None
    seconds = torch.tensor([pass_seconds(net, fmt, amp, *shape) for fmt in LAYOUTS.values()], dtype=torch.float64)
    if world > 1:
        torch.distributed.all_reduce(seconds)
        seconds /= world
    probed = dict(zip(LAYOUTS, seconds.tolist()))
    return LAYOUTS[min(probed, key=probed.get)], probed


def pass_seconds(net, fmt, amp, batch, crop, scale, repeats=2):
    """CPU seconds of one forward and backward pass of a copy of `net` in layout `fmt` (the fastest of `repeats`,
    after one pass that warms oneDNN's kernel cache); the random numbers drawn leave the training's own untouched."""
    probe = copy.deepcopy(net).to(memory_format=fmt).train()
    g = torch.Generator().manual_seed(0)
    x_t, lr = (torch.randn(batch, 3, size, size, generator=g).to(memory_format=fmt) for size in (crop, crop // scale))
    sigma = torch.rand(batch, generator=g)
    best = float("inf")
    with torch.random.fork_rng(devices=[]):
        for i in range(repeats + 1):
            t = time.process_time()
            with torch.autocast("cpu", dtype=amp) if amp else contextlib.nullcontext():
                out = probe(x_t, lr, sigma)
            out.float().square().mean().backward()
            if i:
                best = min(best, time.process_time() - t)
    return best


def lr_at(step, optim):
    """Step decay: lr · gamma^(number of milestones passed) (official: halved at 50k)."""
    return optim.lr * optim.gamma ** sum(step >= m for m in optim.milestones)


def step_seed(seed, step, rank, stream):
    return int(np.random.default_rng([seed, step, rank, stream]).integers(2 ** 62))


@torch.no_grad()
def ema_update(ema, net, decay, step, warmup):
    # warm-up of the decay, min(decay, (1+k)/(10+k)): a fresh EMA would otherwise sit near the random init
    # for ~1/(1-decay) steps, which is most of a short fine-tuning run
    d = min(decay, (1 + step) / (10 + step)) if warmup else decay
    for pe, pn in zip(ema.parameters(), net.parameters()):
        pe.lerp_(pn.detach(), 1 - d)
    for be, bn in zip(ema.buffers(), net.buffers()):
        be.copy_(bn)


def warm_indices(rng, n_intervals, batch, probs=None):
    """Grid indices 1..N for the warm start's samples: uniform, or drawn with the configured shares."""
    if probs is None:
        return rng.integers(1, n_intervals + 1, size=batch)
    if len(probs) != n_intervals or min(probs) < 0 or sum(probs) <= 0:
        raise ValueError(f"warmup.index_probs must hold {n_intervals} non-negative shares (one per grid point "
                         f"1..{n_intervals}), got {probs!r}")
    return rng.choice(np.arange(1, n_intervals + 1), size=batch, p=np.asarray(probs, float) / sum(probs))


def dtm_times(rng, dtm, n_intervals, batch):
    """DTM's t/T per sample: the CT grid point t_index/N (official: the draw in [0.1, 0.5] lands on 1/3), or, with
    t_index None, uniform in [t_min, t_max]."""
    if dtm.t_index is None:
        return rng.uniform(dtm.t_min, dtm.t_max, size=batch)
    if not 0 < dtm.t_index < n_intervals:
        raise ValueError(f"dtm.t_index must lie strictly inside the CT grid (1..{n_intervals - 1}), "
                         f"got {dtm.t_index!r}")
    return np.full(batch, dtm.t_index / n_intervals)

# ---------------------------------------------------------------- the trainer

class Trainer:
    def __init__(self, cfg, resume=False, source=None, carry_on=False):
        """cfg: a config dict or config.TrainConfig; source: a data source object instead of the config's `data`
        folders (the app's fine-tuning lists); carry_on: `init_from` is this run's own earlier (slim) checkpoint, so
        the step count and history continue from it (stages and the CT curriculum pick up where they stopped; the
        optimiser state was not kept and restarts)."""
        cfg = config_mod.TrainConfig.of(cfg)
        self.cfg, self.out = cfg, cfg.out
        self.rank, self.world, self.device = dist_setup(cfg.device)
        self.main = self.rank == 0
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True  # crops have one fixed size: let cuDNN pick its fastest kernels
        torch.manual_seed(cfg.seed + self.rank)
        random.seed(cfg.seed + self.rank)
        self.sched = cfg.schedule.sampling()
        self.total = cfg.total_iterations

        ck_path = os.path.join(self.out, "checkpoint.pt")
        resumed = checkpoint.load(ck_path) if resume else None
        # on resume, the architecture the run started with (stored in the checkpoint), not today's preset
        self.net = build(checkpoint.net_config_of(resumed) if resumed else checkpoint.net_config(cfg.to_dict()))
        self.amp = amp_dtype(cfg.amp, self.device)
        self.layout, probed = memory_format(cfg.layout, self.net.to(self.device), self.amp,
                                            (max(1, cfg.data.batch // self.world), cfg.data.crop, cfg.scale), self.world)
        self.net = self.net.to(memory_format=self.layout)
        self.ema = copy.deepcopy(self.net).eval().requires_grad_(False)
        o = cfg.optim
        self.opt = torch.optim.AdamW(self.net.parameters(), lr=o.lr, betas=tuple(o.betas), weight_decay=o.weight_decay)
        self.scaler = make_scaler(self.amp == torch.float16)
        self.lpips = self._lpips()
        self.ct_dist = Distance(cfg.ct.distance, self.lpips, tuple(cfg.ct.weights))
        self.warm_dist = Distance(cfg.warmup.distance, self.lpips, tuple(cfg.warmup.weights or cfg.ct.weights))
        self.dtm_dist = Distance(cfg.dtm.distance, self.lpips, tuple(cfg.ct.weights)) if cfg.dtm_iterations else None
        self.fid_dist = Distance(cfg.fidelity.distance, self.lpips, tuple(cfg.ct.weights)) \
            if cfg.fidelity.weight > 0 else None
        self.frozen, self.step, self.history = None, 0, {}
        self.stop_requested = False

        if resumed:
            self._load(resumed, ck_path)
            del resumed
        elif cfg.init_from:
            ck = checkpoint.load(cfg.init_from)
            self.net.load_state_dict(ck["ema"])
            self.ema.load_state_dict(ck["ema"])
            if carry_on:
                self.step, self.history = ck["step"], copy.deepcopy(ck.get("history", {}))
                if ck.get("frozen"):  # the lineage's f_θ' goes on as it was, not restarted from these weights
                    self.frozen = FrozenCopy(self.net, cfg.dtm.refresh_every)
                    self.frozen.load_state_dict(checkpoint.frozen_state(ck["frozen"]))
            else:
                self.history["init_from"] = {"checkpoint": os.path.abspath(cfg.init_from), "step": ck["step"],
                                             "history": ck.get("history", {})}
        self.model = self.net
        if self.world > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.model = torch.nn.parallel.DistributedDataParallel(self.net, device_ids=ids)

        source = source if source is not None else make_source(dataclasses.asdict(cfg.data), cfg.scale)
        self.maker = BatchMaker(source, max(1, cfg.data.batch // self.world), cfg.seed, self.rank, self.total)
        if self.main:
            log(f"train: preset {cfg.preset} ({count_params(self.net):,} parameters), {len(source)} images, "
                f"device {self.device}, {self.world} process(es), stages warmup {cfg.warmup_iterations} / "
                f"CT {cfg.ct_iterations} / DTM {cfg.dtm_iterations}, starting at step {self.step}")
            if probed:
                log("train: layout " + ", ".join(f"{k} {v:.2f}" for k, v in probed.items())
                    + f" CPU s per forward and backward pass: {LAYOUT_NAMES[self.layout]}")

    def _lpips(self):
        c = self.cfg
        needs = "lpips" in c.ct.distance or "lpips" in c.warmup.distance or \
            c.dtm_iterations > 0 and "lpips" in c.dtm.distance or \
            c.fidelity.weight > 0 and "lpips" in c.fidelity.distance
        if not needs:
            return None
        from .lpips import LPIPS
        return LPIPS(c.lpips.net, c.lpips.dir).to(self.device)

    # ------------------------------------------------------------ checkpoints

    def state(self):
        return {"step": self.step, "config": self.cfg.to_dict(), "net_config": dataclasses.asdict(self.net.cfg),
                "net": self.net.state_dict(), "ema": self.ema.state_dict(),
                "opt": self.opt.state_dict(), "scaler": self.scaler.state_dict(),
                "frozen": self.frozen.state_dict() if self.frozen else None, "history": self.history,
                "params": count_params(self.net),
                "rng": {"torch": torch.get_rng_state(), "python": random.getstate(),
                        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []}}

    def save(self):
        if self.main:
            path = os.path.join(self.out, "checkpoint.pt")
            checkpoint.save(path, self.state())
            protocol.checkpoint(os.path.abspath(path), self.step)
        self._barrier()

    def _load(self, ck, path):
        self.net.load_state_dict(ck["net"])
        self.ema.load_state_dict(ck["ema"])
        self.opt.load_state_dict(ck["opt"])
        self.scaler.load_state_dict(ck["scaler"])
        if ck["frozen"] is not None:
            self.frozen = FrozenCopy(self.net, self.cfg.dtm.refresh_every)
            self.frozen.load_state_dict(ck["frozen"])
        self.step, self.history = ck["step"], ck.get("history", {})
        torch.set_rng_state(ck["rng"]["torch"])
        random.setstate(ck["rng"]["python"])
        if ck["rng"]["cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(ck["rng"]["cuda"])
        if self.main:
            log(f"train: resumed from {path} at step {self.step}")

    def _barrier(self):
        if self.world > 1:
            torch.distributed.barrier()

    # ------------------------------------------------------------ one iteration

    def train_step(self, step, batch):
        c, dev = self.cfg, self.device
        x0, lr = (batch[k].to(dev, non_blocking=True, memory_format=self.layout) for k in ("hr", "lr"))
        b = x0.shape[0]
        rng = np.random.default_rng([c.seed, step, self.rank, 1])   # scalar draws (index n, t)
        gdev = dev if dev.type == "cuda" else torch.device("cpu")
        g = torch.Generator(device=gdev).manual_seed(step_seed(c.seed, step, self.rank, 2))
        randn = lambda: torch.randn(x0.shape, generator=g, device=gdev).to(dev)  # noqa: E731
        stage = c.stage_at(step)
        for group in self.opt.param_groups:
            group["lr"] = c.warmup.lr if stage == "warmup" and c.warmup.lr else lr_at(step, c.optim)
        self.net.train()
        logs, info = {}, {"stage": stage}
        ctx = torch.autocast(device_type=dev.type, dtype=self.amp) if self.amp else contextlib.nullcontext()
        with ctx:
            y0 = forward.upsample(lr, c.scale)
            if stage == "warmup":
                n_int = c.warmup.intervals
                idx = torch.from_numpy(warm_indices(rng, n_int, b, c.warmup.index_probs)).to(dev)
                l_sup, _ = supervised_loss(self.model, x0, lr, y0, randn(), idx, n_int, self.sched, self.warm_dist)
                loss = l_sup.mean()
                logs["sup"] = loss.item()
            else:
                k = step - c.warmup_iterations
                n_int = schedules.curriculum(k, c.ct_iterations, c.schedule.s0, c.schedule.s1)
                n = int(rng.integers(0, n_int))
                l_ct, x0_hat = ct_loss(self.model, self.net, x0, lr, y0, randn(), n, n_int, self.sched,
                                       self.ct_dist)
                loss = c.dtm.lambda_ct * l_ct.mean() if stage == "dtm" else l_ct.mean()
                logs["ct"] = l_ct.mean().item()
                info["intervals"] = n_int
                if stage == "dtm":
                    d = c.dtm
                    if self.frozen is None:  # f_θ' starts as the EMA weights of the CT run DTM continues
                        self.frozen = FrozenCopy(self.ema, d.refresh_every)
                    if self.frozen.maybe_refresh(self.net, k - c.ct_iterations) and self.main:
                        log(f"train: f_θ' refreshed from the online weights at step {step}")
                    u = torch.from_numpy(dtm_times(rng, d, n_int, b)).float().to(dev)
                    l_dtm, info["dtmCheck"] = dtm_loss(self.frozen, x0_hat, x0, lr, y0, randn(), u, self.sched,
                                                       self.dtm_dist, d.weight)
                    loss = loss + d.lambda_dtm * l_dtm.mean()
                    logs["dtm"] = l_dtm.mean().item()
                fid = c.fidelity
                if fid.weight > 0:
                    l_fid = sampler_fidelity_loss(self.model, x0, lr, y0, [randn() for _ in fid.sigmas],
                                                  fid.sigmas, self.sched, self.fid_dist)
                    loss = loss + fid.weight * l_fid.mean()
                    logs["fidelity"] = l_fid.mean().item()
        if not torch.isfinite(loss):
            info["skipped"] = 1  # a non-finite loss would poison Adam's moments; drop this batch
            return logs, info
        self.opt.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.opt)
        # grad_clip None: no clipping (the official run has none), the norm is still logged
        gn = torch.nn.utils.clip_grad_norm_(self.net.parameters(), c.optim.grad_clip or float("inf"))
        self.scaler.step(self.opt)
        self.scaler.update()
        ema_update(self.ema, self.net, c.ema.decay, step, c.ema.warmup)
        logs["total"], info["gradNorm"] = loss.item(), float(gn)
        return logs, info

    # ------------------------------------------------------------ loop

    def _should_stop(self):
        if self.world > 1:
            flag = torch.tensor([1.0 if self.stop_requested or _STOP[0] else 0.0], device=self.device)
            torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
            return bool(flag.item())
        return self.stop_requested or _STOP[0]

    def run(self, after_step=None):
        """Trains to the end or until stopped; after_step(trainer) runs after every iteration (a campaign scores and
        keeps its time box there: it may set `stop_requested`)."""
        c = self.cfg
        os.makedirs(self.out, exist_ok=True)
        if self.main:
            with open(os.path.join(self.out, "config.json"), "w") as f:
                json.dump(c.to_dict(), f, indent=2)
        window, checks, t_last, n_last, skipped = {}, {}, time.time(), 0, 0
        it_per_sec = None
        if self._should_stop():
            return self._stop()
        for step, batch in loader(self.maker, self.step, self.total, c.data.workers):
            logs, info = self.train_step(step, batch)
            self.step = step + 1
            for k, v in logs.items():
                window.setdefault(k, []).append(v)
            for k, v in info.get("dtmCheck", {}).items():
                checks.setdefault(k, []).append(v)
            skipped += info.get("skipped", 0)
            n_last += 1
            if self.main and (self.step % c.log_every == 0 or self.step == self.total or n_last == 1
                              and self.step == 1):
                now = time.time()
                rate = n_last / max(now - t_last, 1e-9)
                it_per_sec = rate if it_per_sec is None else 0.7 * it_per_sec + 0.3 * rate
                losses = {k: float(np.mean(v)) for k, v in window.items()}
                protocol.progress(self.step, self.total, losses, self.opt.param_groups[0]["lr"],
                                  round(it_per_sec, 4), round((self.total - self.step) / it_per_sec, 1),
                                  stage=info["stage"], intervals=info.get("intervals"),
                                  gradNorm=info.get("gradNorm"), skipped=skipped,
                                  dtmCheck={k: float(np.mean(v)) for k, v in checks.items()} or None)
                window, checks, t_last, n_last = {}, {}, now, 0
            if c.preview_every and self.step % c.preview_every == 0 and self.main:
                self.preview(batch)
            if after_step:
                after_step(self)
            if self._should_stop():
                return self._stop()
            if c.checkpoint_every and self.step % c.checkpoint_every == 0 and self.step < self.total:
                self.save()
        self.save()
        if self.main and c.export.enabled:
            self.export()
        return 0

    def _stop(self):
        self.save()
        if self.main:
            protocol.stopped(self.step)
        return 0

    # ------------------------------------------------------------ preview, export

    @torch.no_grad()
    def preview(self, batch):
        from PIL import Image
        from .evaluate import evaluate
        c = self.cfg
        self.ema.eval()
        lr = batch["lr"][:1].to(self.device)
        sr = super_resolve(ConsistencyStep(self.ema, **self.sched), lr, c.val.steps, 0, self.ema.cfg.multiple)
        tiles = [forward.upsample(lr, c.scale).clamp(-1, 1), sr.clamp(-1, 1), batch["hr"][:1].to(self.device)]
        img = torch.cat([forward.to_pixel_range(t)[0] for t in tiles], dim=2)
        path = os.path.join(self.out, "previews", f"step_{self.step:07d}.png")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Image.fromarray((img.permute(1, 2, 0).cpu().numpy() * 255).round().astype(np.uint8)).save(path)
        if not c.val.sets:
            protocol.preview(self.step, os.path.abspath(path))
            return
        res = evaluate(self.ema, c.val.sets, c.val.root, None, c.val.steps, 0, c.val.max_images,
                       device=self.device, sched=self.sched)
        for name, v in res.items():  # one preview message per validation set: bicubic as the reference
            protocol.preview(self.step, os.path.abspath(path), name, {"psnr": v["bicubic"]["psnr"]},
                             {"psnr": v["model"]["psnr"]})

    def export(self):
        from .export import export_trained
        c = self.cfg
        name = c.export.id or f"ctmsr-{c.preset.lower()}-x{c.scale}-{os.path.basename(os.path.normpath(self.out))}"
        export_trained(self.state(), os.path.join(self.out, "export", f"{name}.onnx"), lpips=self.lpips)


_STOP = [False]


def _on_signal(signum, frame):
    # finish the current iteration, then checkpoint and exit cleanly (the app sends SIGTERM to stop);
    # a signal during start-up is honoured at the first check, before any iteration
    _STOP[0] = True


def main(args):
    cfg = config_mod.TrainConfig.of(config_mod.load(args.config, args.set, args.out, args.resume))
    if args.resume and not os.path.isfile(os.path.join(cfg.out, "checkpoint.pt")):
        raise FileNotFoundError(f"nothing to resume: {os.path.join(cfg.out, 'checkpoint.pt')} does not exist")
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    return Trainer(cfg, resume=args.resume).run()
