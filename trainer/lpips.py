"""LPIPS v0.1 (Zhang et al. 2018) with a SqueezeNet 1.1 backbone; AlexNet/VGG16 load the same way when given.

Recipe (../shared/weights/lpips-squeeze/README.md): input in [-1, 1] -> (x - shift) / scale -> backbone taps ->
unit-normalise channel vectors -> squared difference -> 1×1 "lin" conv without bias -> spatial mean -> sum over taps.
Weights are loaded from a folder (never shipped in the repository):
  <dir>/<backbone>_features.pth       torchvision `features` state dict (strict key match)
  <dir>/lpips_v0.1_<net>_lin.pth      linear calibration layers lin0.model.1.weight ...
"""
import os
from contextlib import nullcontext

import torch
import torch.nn as nn

SHIFT = (-0.030, -0.088, -0.188)
SCALE = (0.458, 0.448, 0.450)


class Fire(nn.Module):
    """SqueezeNet fire module; attribute names match torchvision so state dicts load strictly."""

    def __init__(self, cin, squeeze, e1, e3):
        super().__init__()
        self.squeeze = nn.Conv2d(cin, squeeze, 1)
        self.expand1x1 = nn.Conv2d(squeeze, e1, 1)
        self.expand3x3 = nn.Conv2d(squeeze, e3, 3, padding=1)

    def forward(self, x):
        x = torch.relu(self.squeeze(x))
        return torch.cat([torch.relu(self.expand1x1(x)), torch.relu(self.expand3x3(x))], 1)


def squeezenet1_1_features():
    pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)  # noqa: E731
    return nn.Sequential(
        nn.Conv2d(3, 64, 3, stride=2), nn.ReLU(), pool(),
        Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), pool(),
        Fire(128, 32, 128, 128), Fire(256, 32, 128, 128), pool(),
        Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), Fire(512, 64, 256, 256))


def alexnet_features():
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))


def vgg16_features():
    layers, cin = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU()]
            cin = v
    return nn.Sequential(*layers)


# backbone builder, torchvision file stem, indices of the layers whose outputs are tapped, their widths
BACKBONES = {
    "squeeze": (squeezenet1_1_features, "squeezenet1_1", [1, 4, 7, 9, 10, 11, 12], [64, 128, 256, 384, 384, 512, 512]),
    "alex": (alexnet_features, "alexnet", [1, 4, 7, 9, 11], [64, 192, 384, 256, 256]),
    "vgg": (vgg16_features, "vgg16", [3, 8, 15, 22, 29], [64, 128, 256, 512, 512]),
}


def default_weights_dir():
    """<repo>/../shared/weights/lpips-squeeze, where the team keeps the weights."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "shared", "weights", "lpips-squeeze"))


def unit(x):
    """x / (|x| + 1e-10) over channels, written as x / sqrt(|x|² + 1e-20): equal wherever |x| is not ~1e-10,
    and its gradient stays finite where a whole feature vector is 0 after a ReLU (sqrt'(0) would give NaN)."""
    return x / (x.pow(2).sum(1, keepdim=True) + 1e-20).sqrt()


class LPIPS(nn.Module):
    def __init__(self, net="squeeze", weights_dir=None, load=True):
        super().__init__()
        build, stem, taps, chans = BACKBONES[net]
        self.features, self.taps = build(), taps
        self.lins = nn.ModuleList(nn.Conv2d(c, 1, 1, bias=False) for c in chans)
        self.register_buffer("shift", torch.tensor(SHIFT).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("scale", torch.tensor(SCALE).view(1, 3, 1, 1), persistent=False)
        if load:
            self.load(weights_dir or default_weights_dir(), net, stem)
        self.eval().requires_grad_(False)  # a fixed metric: gradients flow to the images only

    def load(self, folder, net, stem):
        feat = os.path.join(folder, f"{stem}_features.pth")
        lin = os.path.join(folder, f"lpips_v0.1_{net}_lin.pth")
        for p in (feat, lin):
            if not os.path.isfile(p):
                raise FileNotFoundError(f"LPIPS weights not found: {p}. Point lpips_dir at the folder holding "
                                        f"{os.path.basename(feat)} and {os.path.basename(lin)}, or use the "
                                        f"'charbonnier' distance.")
        self.features.load_state_dict(torch.load(feat, map_location="cpu"), strict=True)
        sd = torch.load(lin, map_location="cpu")
        self.lins.load_state_dict({f"{i}.weight": sd[f"lin{i}.model.1.weight"] for i in range(len(self.lins))},
                                  strict=True)

    def train(self, mode=True):
        return super().train(False)  # never in training mode (no dropout/batch statistics to change)

    def _taps(self, x):
        out, last = [], max(self.taps)
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in self.taps:
                out.append(x)
            if i == last:
                break
        return out

    def forward(self, a, b):
        """Per-sample distance [N] between image batches in [-1, 1]."""
        # always float32: under fp16 autocast the 1e-20 in unit() underflows and feature norms lose precision
        ctx = torch.autocast(device_type="cuda", enabled=False) if a.device.type == "cuda" else nullcontext()
        with ctx:
            fa = self._taps((a.float() - self.shift) / self.scale)
            fb = self._taps((b.float() - self.shift) / self.scale)
            total = 0.0
            for lin, xa, xb in zip(self.lins, fa, fb):
                xa, xb = unit(xa), unit(xb)
                total = total + lin((xa - xb) ** 2).mean(dim=(1, 2, 3))
        return total
