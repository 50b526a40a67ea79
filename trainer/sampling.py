"""Consistency sampling (docs/method.md §9; docs/model-contract.md, "The graphs"): the one-step module the ONNX
graph holds, and the loop over σ the app runs.

One step: y = bicubic×s(lr); x_t = x0_prev + α(σ)(y − x0_prev) + σ·noise; x0 = f(x_t, lr, σ). The first step uses
σ = σ_max (α = 1, so x0_prev drops out); later steps re-noise the previous estimate. Evaluation, previews and
fine-tuning sample through this module, and export writes exactly it, so what is measured is what the app runs.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import forward, schedules


class ConsistencyStep(nn.Module):
    def __init__(self, net, sigma_max=1.0, rho_n=1.0, rho_r=1.0):
        super().__init__()
        self.net, self.scale = net, net.cfg.scale
        self.sched = dict(sigma_max=sigma_max, rho_n=rho_n, rho_r=rho_r)

    def forward(self, lr, x0_prev, noise, sigma):
        y = forward.upsample(lr, self.scale)
        a = schedules.alpha_of_sigma(sigma, **self.sched)
        return self.net(forward.x_t(x0_prev, y, noise, sigma, a), lr, sigma)


@torch.no_grad()
def super_resolve(step_fn, lr, steps=(1.0,), seed=0, multiple=1):
    """Sample with the same one-step graph the app runs: x0 <- step(lr, x0, noise, σ) for σ in steps.

    lr: [1, 3, h, w] in [-1, 1]; padded by reflection to the model's multiple, output cropped back.
    """
    s = step_fn.scale
    h, w = lr.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        lr = F.pad(lr, (0, pw, 0, ph), mode="reflect" if min(h, w) > max(ph, pw) else "replicate")
    g = torch.Generator(device="cpu").manual_seed(seed)
    hr_shape = (lr.shape[0], 3, lr.shape[2] * s, lr.shape[3] * s)
    x0 = torch.zeros(hr_shape, device=lr.device)
    for sig in steps:
        noise = torch.randn(hr_shape, generator=g).to(lr.device)
        x0 = step_fn(lr, x0, noise, torch.full((lr.shape[0],), float(sig), device=lr.device))
    return x0[..., : h * s, : w * s]


def sigmas_for(step_count):
    """The app's σ lists: 1 step [1.0], 2 steps [1.0, 0.5] (the manifests' default steps)."""
    return {1: [1.0], 2: [1.0, 0.5]}.get(step_count) or [1.0 - i / step_count for i in range(step_count)]
