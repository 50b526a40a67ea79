"""ONNX export of one consistency step (DESIGN §3) plus the JSON manifest beside it.

Graph inputs: lr [N,3,h,w] in [-1,1], x0_prev [N,3,sh,sw], noise [N,3,sh,sw], sigma [N].
Inside: y = bicubic×s(lr); x_t = x0_prev + alpha(sigma)(y - x0_prev) + sigma·noise; output x0 = f(x_t, lr, sigma).
The first step uses sigma = sigma_max (alpha = 1, so x0_prev drops out); later steps re-noise the previous estimate.
"""
import json
import os
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import forward, schedules
from .network import build, count_params, make_config

OPSET = 17


class ConsistencyStep(nn.Module):
    def __init__(self, net, sigma_max=1.0, rho_n=1.0, rho_r=1.0):
        super().__init__()
        self.net, self.scale = net, net.cfg.scale
        self.sched = dict(sigma_max=sigma_max, rho_n=rho_n, rho_r=rho_r)

    def forward(self, lr, x0_prev, noise, sigma):
        y = forward.upsample(lr, self.scale)
        a = schedules.alpha_of_sigma(sigma, **self.sched)
        return self.net(forward.x_t(x0_prev, y, noise, sigma, a), lr, sigma)


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


def _export(module, args, names_in, name_out, path, dynamic):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    module.eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer chatter about constants; the graph is checked by the tests instead
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=names_in, output_names=[name_out],
                          dynamic_axes=dynamic, do_constant_folding=True)


def export_ctmsr(net, path, sched=None):
    """Writes the one-step graph; example shapes are small since every spatial axis is dynamic."""
    step = ConsistencyStep(net, **(sched or {})).eval()
    m, s = net.cfg.multiple, net.cfg.scale
    h = w = max(m, 8)
    args = (torch.zeros(1, 3, h, w), torch.zeros(1, 3, h * s, w * s), torch.zeros(1, 3, h * s, w * s),
            torch.ones(1))
    dyn_lr, dyn_hr = {0: "N", 2: "h", 3: "w"}, {0: "N", 2: "H", 3: "W"}
    _export(step, args, ["lr", "x0_prev", "noise", "sigma"], "x0", path,
            {"lr": dyn_lr, "x0_prev": dyn_hr, "noise": dyn_hr, "sigma": {0: "N"}, "x0": dyn_hr})


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


def make_test_model(kind, scale, out, seed=0):
    """Small random-weight model + manifest for the app's tests (a few seconds, CPU)."""
    torch.manual_seed(seed)
    if kind == "ctmsr":
        net = build(make_config("T", scale=scale))
        export_ctmsr(net, out)
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
