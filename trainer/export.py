"""ONNX export of one consistency step (sampling.ConsistencyStep; docs/model-contract.md, "The graphs") plus the JSON
manifest beside it.

Graph inputs: lr [N,3,h,w] in [-1,1], x0_prev [N,3,sh,sw], noise [N,3,sh,sw], sigma [N]; output x0.
"""
import inspect
import json
import os
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import protocol
from .config import DEFAULTS, TrainConfig
from .evaluate import evaluate, table
from .metrics import manifest_metrics
from .network import build, count_params, make_config
from .protocol import log
from .provenance import trained_on, training_info
from .sampling import ConsistencyStep

OPSET = 17


class TinyFeedforward(nn.Module):
    """Test-only feed-forward SR net: nearest upsample plus a small learned residual (receptive field 5×5 LR px)."""

    def __init__(self, scale=4, ch=16):
        super().__init__()
        self.scale = scale
        self.conv1 = nn.Conv2d(3, ch, 3, padding=1)
        self.conv2 = nn.Conv2d(ch, 3 * scale * scale, 3, padding=1)
        self.shuffle = nn.PixelShuffle(scale)

    def forward(self, x):
        res = self.shuffle(self.conv2(F.leaky_relu(self.conv1(x), 0.2)))
        return F.interpolate(x, scale_factor=self.scale, mode="nearest") + 0.1 * res


class HalfStoredWeights(nn.Module):
    """Holds a convolution's or linear layer's weight in float16 and casts it back to float32 where it is used, so
    the ONNX file stores it in half the bytes (Cast nodes that ONNX Runtime folds when it loads the graph). Exact
    only for weights that are float16 values already: those of slim checkpoints, which every shipped model is
    exported from."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer
        self.register_buffer("weight16", layer.weight.detach().half())
        del layer.weight

    def forward(self, x):
        w = self.weight16.float()
        if isinstance(self.layer, nn.Linear):
            return F.linear(x, w, self.layer.bias)
        return self.layer._conv_forward(x, w, self.layer.bias)


def half_stored(net):
    """A copy of net whose convolution and linear weights are held in float16 (HalfStoredWeights)."""
    import copy
    net = copy.deepcopy(net)
    for parent in list(net.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, (nn.Conv2d, nn.Linear)):
                setattr(parent, name, HalfStoredWeights(child))
    return net


def is_half_exact(net):
    """Whether every floating-point weight of net is a float16 value (a slim checkpoint's weights are)."""
    return all(torch.equal(t, t.half().float()) for t in net.state_dict().values() if t.is_floating_point())


def _export(module, args, names_in, name_out, path, dynamic, fold=True):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    module.eval()
    extra = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        extra["dynamo"] = False  # PyTorch >= 2.9 defaults to the dynamo exporter; keep the checked TorchScript path
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer chatter about constants; the graph is checked by the tests instead
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=names_in, output_names=[name_out],
                          dynamic_axes=dynamic, do_constant_folding=fold, **extra)


def export_ctmsr(net, path, sched=None, half_weights=None):
    """Writes the one-step graph; example shapes are small since every spatial axis is dynamic. half_weights (None:
    when they are float16 values already, as a slim checkpoint's) stores the weights in float16: half the file, the
    same numbers. The exporter's constant folding is left off then, since it would fold the casts back to float32;
    ONNX Runtime folds the graph's constants when it loads it."""
    half = is_half_exact(net) if half_weights is None else half_weights
    step = ConsistencyStep(half_stored(net) if half else net, **(sched or {})).eval()
    m, s = net.cfg.multiple, net.cfg.scale
    h = w = max(m, 8)
    args = (torch.zeros(1, 3, h, w), torch.zeros(1, 3, h * s, w * s), torch.zeros(1, 3, h * s, w * s),
            torch.ones(1))
    dyn_lr, dyn_hr = {0: "N", 2: "h", 3: "w"}, {0: "N", 2: "H", 3: "W"}
    _export(step, args, ["lr", "x0_prev", "noise", "sigma"], "x0", path,
            {"lr": dyn_lr, "x0_prev": dyn_hr, "noise": dyn_hr, "sigma": {0: "N"}, "x0": dyn_hr}, fold=not half)


def export_feedforward(net, path):
    dyn_lr, dyn_hr = {0: "N", 2: "h", 3: "w"}, {0: "N", 2: "H", 3: "W"}
    _export(net, (torch.zeros(1, 3, 8, 8),), ["input"], "output", path, {"input": dyn_lr, "output": dyn_hr})


def manifest_path(onnx_path):
    return os.path.splitext(onnx_path)[0] + ".json"


def model_id(onnx_path):
    return os.path.splitext(os.path.basename(onnx_path))[0]


def write_manifest(onnx_path, **fields):
    """Manifest schema: ../main/shared/models/manifest.ts. Unset optional fields are left out."""
    man = {
        "id": model_id(onnx_path),
        "name": fields.pop("name", model_id(onnx_path)),
        "kind": fields.pop("kind", "ctmsr"),
        "scale": fields.pop("scale", 4),
        "inputRange": fields.pop("inputRange", [-1, 1]),
        "multiple": fields.pop("multiple", 1),
        "steps": fields.pop("steps", [1]),
        "params": int(fields.pop("params", 0)),
        "trainedOn": fields.pop("trainedOn", "unknown"),
        "metrics": fields.pop("metrics", {}),
        "license": fields.pop("license", "unknown"),
        "createdBy": fields.pop("createdBy", "fine-tuned"),
    }
    man.update({k: v for k, v in fields.items() if v is not None})
    path = manifest_path(onnx_path)
    with open(path, "w") as f:
        json.dump(man, f, indent=2)
        f.write("\n")
    return path


def make_test_model(kind, scale, out, seed=0, with_checkpoint=False):
    """Small random-weight model + manifest for the app's tests (a few seconds, CPU); with_checkpoint also writes
    its weights as <id>.pt beside it, so the app can fine-tune it."""
    torch.manual_seed(seed)
    if kind == "ctmsr":
        net = build(make_config("T", scale=scale))
        export_ctmsr(net, out)
        if with_checkpoint:
            import dataclasses
            from .checkpoint import save
            save(os.path.splitext(out)[0] + ".pt",
                 {"step": 0, "config": {"preset": "T", "scale": scale, "schedule": DEFAULTS["schedule"]},
                  "net_config": dataclasses.asdict(net.cfg), "ema": net.state_dict(), "params": count_params(net),
                  "history": {}, "slim": True})
        extra = dict(kind="ctmsr", inputRange=[-1, 1], multiple=net.cfg.multiple, steps=[1])
    elif kind == "feedforward":
        net = TinyFeedforward(scale)
        export_feedforward(net, out)
        extra = dict(kind="feedforward", inputRange=[0, 1], multiple=1, steps=[1])
    else:
        raise ValueError(f"unknown kind {kind!r} (ctmsr | feedforward)")
    man = write_manifest(out, name=f"Test {kind} x{scale} (random weights, seed {seed})", scale=scale,
                         params=count_params(net), trainedOn="nothing: random weights for tests", license="MIT",
                         createdBy="bundled", description="Random-weight model generated by trainer make-test-model",
                         training={"preset": "T" if kind == "ctmsr" else "tiny-feedforward", "seed": seed}, **extra)
    return out, man


def export_trained(ck, onnx_path, lpips=None, ema=True, name=None, created_by=None, metrics=None, steps=None):
    """Export a training checkpoint dict (EMA weights) with a manifest; evaluates the export sets if present.
    steps: the manifest's σ list, the model's own sampling wherever the app is not told a step count (default: the
    run config's export.steps)."""
    from .checkpoint import net_config_of
    c = TrainConfig.of(ck["config"])  # a checkpoint's config: any keys added since come from today's defaults
    e = c.export
    steps = list(steps or e.steps)
    net = build(net_config_of(ck))
    net.load_state_dict(ck["ema" if ema else "net"])
    net.eval()
    sched = c.schedule.sampling()
    if metrics is None and e.eval_sets:
        res = evaluate(net, e.eval_sets, e.eval_root, lpips, steps, 0, sched=sched)
        log(table(res))
        metrics = manifest_metrics(res)
    export_ctmsr(net, onnx_path, sched)
    man = write_manifest(
        onnx_path, name=name or e.name or f"CTMSR {c.preset} ×{c.scale} ({model_id(onnx_path)})",
        kind="ctmsr", scale=c.scale, inputRange=[-1, 1], multiple=net.cfg.multiple, steps=steps,
        params=count_params(net), trainedOn=trained_on(c.to_dict()), metrics=metrics or {}, license=e.license,
        createdBy=created_by or e.created_by, description=e.description, training=training_info(ck))
    protocol.exported(os.path.abspath(onnx_path), os.path.abspath(man))
    return onnx_path, man


def write_reference(net, folder, sched=None, seed=0, n=2, h=None, w=None):
    """Reference inputs/outputs of the one-step graph as raw little-endian float32 files + reference.json,
    so a runtime on the other side (onnxruntime-node) can check the export against PyTorch."""
    os.makedirs(folder, exist_ok=True)
    step = ConsistencyStep(net, **(sched or {})).eval()
    m, s = net.cfg.multiple, net.cfg.scale
    h, w = h or 2 * m if m > 1 else 12, w or 3 * m if m > 1 else 20
    g = torch.Generator().manual_seed(seed)
    inputs = {
        "lr": torch.rand(n, 3, h, w, generator=g) * 2 - 1,
        "x0_prev": torch.rand(n, 3, h * s, w * s, generator=g) * 2 - 1,
        "noise": torch.randn(n, 3, h * s, w * s, generator=g),
        "sigma": torch.tensor([1.0, 0.5, 0.25, 0.75][:n] + [1.0] * max(0, n - 4)),
    }
    with torch.no_grad():
        out = step(*inputs.values())
    meta = {"inputs": {}, "outputs": {}}
    for kind, tensors in (("inputs", inputs), ("outputs", {"x0": out})):
        for k, t in tensors.items():
            t.numpy().astype("<f4").tofile(os.path.join(folder, f"{k}.bin"))
            meta[kind][k] = {"file": f"{k}.bin", "shape": list(t.shape)}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(meta, f, indent=2)
    return meta


def main(args):
    """`python -m trainer export`: a checkpoint (EMA) or, with --preset, a random-init net, to ONNX + manifest."""
    from .checkpoint import load
    metrics = None
    if args.metrics:
        with open(args.metrics) as f:
            metrics = json.load(f)
        if "results" in metrics:  # output of `evaluate --json` wrapped by the protocol line
            metrics = metrics["results"]
        if any("model" in v for v in metrics.values()):
            metrics = manifest_metrics(metrics)
    if args.preset:
        torch.manual_seed(args.seed)
        # zero_init off: every path of a random net should carry signal when the export is compared to PyTorch
        net = build(make_config(args.preset, scale=args.scale, zero_init=False)).eval()
        export_ctmsr(net, args.out)
        man = write_manifest(args.out, name=args.name or f"CTMSR {args.preset} ×{args.scale} (random weights)",
                             kind="ctmsr", scale=args.scale, multiple=net.cfg.multiple, steps=[1],
                             params=count_params(net), trainedOn="nothing: random initialisation",
                             metrics=metrics or {}, license="MIT", createdBy=args.created_by or "bundled",
                             training={"preset": args.preset, "seed": args.seed, "randomInit": True})
        protocol.exported(os.path.abspath(args.out), os.path.abspath(man))
        sched = None
    elif args.checkpoint:
        ck = load(args.checkpoint)
        export_trained(ck, args.out, ema=not args.raw, name=args.name, created_by=args.created_by,
                       metrics=metrics if metrics is not None else {}, steps=args.steps)
        from .checkpoint import load_for_inference
        net, sched = load_for_inference(args.checkpoint, ema=not args.raw)
    else:
        raise ValueError("export needs --checkpoint PATH or --preset NAME")
    if args.reference:
        write_reference(net, args.reference, sched, seed=args.seed)
    return 0
