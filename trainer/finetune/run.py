"""`python -m trainer finetune --config <run>/finetune.json [--resume | --export]`: the app's fine-tuning run.

finetune.json (written by the app with every key, plain data; read and checked as config.FinetuneConfig, where the
run's numbers have no defaults: the app's length presets own them):
  out, seed, device, threads, scale, crop, batch, iterations, stages ("warmup" | "ct" | "ct+dtm"), dtm_share,
  preview_every, checkpoint_every, log_every, heldout_lr_side, max_pixels (the largest picture read; the app's scan
  refused larger ones by the same number),
  base: {checkpoint, model_id},
  source: {kind: pairs|hr, train: [...], heldout: [...], hr only: degradation, jpeg_quality, clean_share},
  export: {id, name, description, trained_on}, trainer: {...} (any trainer config overrides, e.g. optim.lr)

Messages beyond the trainer's own: `started` (device, steps), `heldout` (the folders the app evaluates),
`preview` with the held-out pair's LR | base | current | HR strip and PSNR/LPIPS of base and current.
"""
import dataclasses
import json
import os
import signal

import numpy as np
import torch

from .. import checkpoint, config as config_mod, data, protocol, train
from ..config import FinetuneConfig, TrainConfig, finetune_stages
from ..export import export_trained
from ..lpips import LPIPS, default_weights_dir
from ..metrics import image_metrics
from ..network import build
from ..protocol import log
from ..sampling import ConsistencyStep, super_resolve
from .sources import heldout_pair, make_list_source, stack_tiles, to_pil


def lpips_available(folder=None):
    folder = folder or default_weights_dir()
    return all(os.path.isfile(os.path.join(folder, f)) for f in
               ("squeezenet1_1_features.pth", "lpips_v0.1_squeeze_lin.pth"))


def stage_split(iterations, stages, dtm_share=0.4):
    """(warmup, ct, dtm) iterations: one stage, or CT then DTM for its share of the run at the end."""
    stages = finetune_stages(stages)
    if stages == "warmup":
        return iterations, 0, 0
    dtm = int(round(iterations * dtm_share)) if stages == "ct+dtm" else 0
    return 0, iterations - dtm, dtm


def build_config(ft, base):
    """The trainer's config for this run (a TrainConfig): the base checkpoint's network and schedule, the app's
    choices (ft: finetune.json as a dict or FinetuneConfig)."""
    ft = FinetuneConfig.of(ft)
    net = dataclasses.asdict(checkpoint.net_config_of(base))
    scale = net.pop("scale")
    if (ft.scale or scale) != scale:
        raise ValueError(f"the base model is ×{scale} but the pairs are ×{ft.scale}; choose a ×{ft.scale} base model")
    base_cfg = base.get("config", {})
    has_lpips = lpips_available()
    # MSE with a little LPIPS, measured on a 24-photo fine-tune (trainer/README.md, "Fine-tuning from the app"): the
    # paper's 0.5/0.5 LPIPS + Charbonnier lost fidelity; the warm start keeps Set14 with 0.01, CT was run at 0.05
    distance = "lpips+mse" if has_lpips else "mse"
    ct_weights, sup_weights = ([0.05, 1.0], [0.01, 1.0]) if has_lpips else ([1.0, 0.0], [1.0, 0.0])
    sup, ct, dtm = stage_split(int(ft.iterations), ft.stages, ft.dtm_share)
    if dtm and not has_lpips:
        raise ValueError(f"CT + DTM needs the LPIPS weights in {default_weights_dir()}; install them or choose CT")
    cfg = config_mod.merge(config_mod.DEFAULTS, {
        "out": ft.out, "seed": ft.seed, "device": ft.device, "threads": ft.threads,
        "preset": base_cfg.get("preset", "S"), "scale": scale, "net": net, "init_from": ft.base.checkpoint,
        "data": {"kind": ft.source.kind, "crop": ft.crop, "batch": ft.batch, "workers": 0},
        "schedule": base_cfg.get("schedule", config_mod.DEFAULTS["schedule"]),
        "warmup_iterations": sup, "ct_iterations": ct, "dtm_iterations": dtm,
        "ct": {"distance": distance, "weights": ct_weights},
        # the warm start trains mostly where the app samples (t = T), as the shipped models' last segments
        "warmup": {"distance": distance, "weights": sup_weights, "index_probs": [0.05, 0.2, 0.05, 0.7]},
        "dtm": {"refresh_every": max(25, dtm // 4)},
        "log_every": ft.log_every, "checkpoint_every": ft.checkpoint_every, "preview_every": ft.preview_every,
        "export": {"enabled": True, "id": ft.export.id, "name": ft.export.name, "description": ft.export.description,
                   "trained_on": ft.export.trained_on, "created_by": "fine-tuned",
                   "license": base_cfg.get("export", {}).get("license", "unknown")},
    })
    return TrainConfig.of(config_mod.merge(cfg, ft.trainer))


def heldout_dirs(out):
    return os.path.join(out, "heldout", "LR"), os.path.join(out, "heldout", "HR")


def write_heldout(ft, scale):
    """The held-out pairs as PNG files in <out>/heldout/{LR,HR} (centred crops; LR made once in HR-only mode), so
    that the app evaluates exactly these through its own engine. Written once; a resumed run reuses them."""
    lr_dir, hr_dir = heldout_dirs(ft.out)
    src = ft.source
    done = os.path.join(ft.out, "heldout", "done")
    if not os.path.isfile(done):
        os.makedirs(lr_dir, exist_ok=True)
        os.makedirs(hr_dir, exist_ok=True)
        for i, entry in enumerate(src.heldout):
            rng = np.random.default_rng([ft.seed, 7, i])
            lr, hr = heldout_pair(entry, src.kind, scale, ft.heldout_lr_side, rng, src.degradation, src.jpeg_quality,
                                  src.degradation_opts)
            to_pil(lr).save(os.path.join(lr_dir, f"{entry['stem']}.png"))
            to_pil(hr).save(os.path.join(hr_dir, f"{entry['stem']}.png"))
        open(done, "w").close()
    protocol.heldout(os.path.abspath(lr_dir), os.path.abspath(hr_dir), len(src.heldout))
    return lr_dir, hr_dir


def device_info(device):
    """(kind, name) of the training device."""
    if device.type == "cuda":
        return device.type, torch.cuda.get_device_name(device)
    return device.type, "Apple GPU (MPS)" if device.type == "mps" else "CPU"


class FineTuner(train.Trainer):
    """The trainer with the app's data lists, held-out previews (base vs current) and a slim copy on export."""

    def __init__(self, cfg, ft, resume=False):
        cfg, ft = TrainConfig.of(cfg), FinetuneConfig.of(ft)
        source = make_list_source(ft.source, cfg.data.crop, cfg.scale)
        super().__init__(cfg, resume=resume, source=source)
        self.ft = ft
        self.metric_lpips = self.lpips if self.lpips is not None else (
            LPIPS(cfg.lpips.net, cfg.lpips.dir).to(self.device) if lpips_available() else None)
        self.preview_pair = self._first_heldout()
        self.base_output = None
        protocol.started(self.step, self.total, len(source), resume, *device_info(self.device))

    def _first_heldout(self):
        lr_dir, hr_dir = heldout_dirs(self.out)
        if not self.ft.source.heldout:
            return None
        from ..data import open_image
        stem = self.ft.source.heldout[0]["stem"]
        return stem, open_image(os.path.join(lr_dir, f"{stem}.png")), open_image(os.path.join(hr_dir, f"{stem}.png"))

    @torch.no_grad()
    def _sr(self, net, lr01):
        lr = (lr01 * 2 - 1)[None].to(self.device)
        out = super_resolve(ConsistencyStep(net, **self.sched), lr, self.cfg.val.steps, 0, net.cfg.multiple)
        return ((out.clamp(-1, 1) + 1) / 2)[0].cpu()

    def _metrics(self, out01, hr01):
        m = image_metrics(out01, hr01, self.cfg.scale, self.metric_lpips, self.device)
        return {"psnr": round(m["psnr"], 3), "ssim": round(m["ssim"], 4),
                **({"lpips": round(m["lpips"], 4)} if "lpips" in m else {})}

    @torch.no_grad()
    def preview(self, batch):
        if self.preview_pair is None:
            return
        stem, lr, hr = self.preview_pair
        if self.base_output is None:
            base = build(self.net.cfg).to(self.device).eval()
            base.load_state_dict(checkpoint.load(self.ft.base.checkpoint)["ema"])
            self.base_output = self._sr(base, lr)
            del base
        self.ema.eval()
        current = self._sr(self.ema, lr)
        s = self.cfg.scale
        up = torch.nn.functional.interpolate(lr[None], scale_factor=s, mode="nearest")[0]
        path = os.path.join(self.out, "previews", f"step_{self.step:07d}.png")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        to_pil(stack_tiles([up, self.base_output, current, hr])).save(path)
        protocol.preview(self.step, os.path.abspath(path), stem, self._metrics(self.base_output, hr),
                         self._metrics(current, hr))

    def export(self):
        export_run(self.out, self.cfg, self.state(), self.lpips)


def export_run(out, cfg, state, lpips=None):
    """<out>/export/<id>.onnx + manifest, and <id>.pt (weights only) so the model can be a later run's base."""
    name = TrainConfig.of(cfg).export.id
    onnx_path = os.path.join(out, "export", f"{name}.onnx")
    os.makedirs(os.path.dirname(onnx_path), exist_ok=True)
    checkpoint.slim(os.path.join(out, "checkpoint.pt"), os.path.join(out, "export", f"{name}.pt"))
    export_trained(state, onnx_path, lpips=lpips)


def main(args):
    with open(args.config) as f:
        ft = FinetuneConfig.of(json.load(f))
    if ft.max_pixels:
        data.max_pixels = ft.max_pixels
    ck_path = os.path.join(ft.out, "checkpoint.pt")
    if args.export:
        state = checkpoint.load(ck_path)
        export_run(ft.out, state["config"], state)
        return 0
    base = checkpoint.load(ft.base.checkpoint)
    cfg = build_config(ft, base)
    del base
    signal.signal(signal.SIGTERM, train._on_signal)
    signal.signal(signal.SIGINT, train._on_signal)
    write_heldout(ft, cfg.scale)
    resume = args.resume and os.path.isfile(ck_path)
    if args.resume and not resume:
        log(f"finetune: no checkpoint at {ck_path} yet; starting from the base model")
    return FineTuner(cfg, ft, resume=resume).run()
