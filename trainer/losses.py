"""Losses: Charbonnier, the CT distance, the CT loss (supplement Alg. 2) and the DTM loss (Alg. 3, in the official
code's form); docs/method.md §5-7.

Every loss returns per-sample values [N] so callers can weight samples; `.mean()` gives the batch loss.
"""
import contextlib
import copy

import torch

from . import forward, schedules


def charbonnier(a, b, eps=1e-12):
    """sqrt((a - b)² + eps), averaged per sample (official code's eps)."""
    return torch.sqrt((a - b) ** 2 + eps).flatten(1).mean(1)


def mse(a, b):
    """Mean squared error per sample: the quantity PSNR measures (Charbonnier ≈ L1 aims at the median instead)."""
    return ((a - b) ** 2).flatten(1).mean(1)


class Distance:
    """d(a, b): one of 'charbonnier', 'mse', 'lpips', or two joined by '+' and weighted, e.g. 'lpips+charbonnier'
    (0.5/0.5 in the official code) or 'lpips+mse'."""

    PARTS = ("charbonnier", "mse", "lpips")

    def __init__(self, kind="lpips+charbonnier", lpips=None, weights=(0.5, 0.5)):
        parts = kind.split("+")
        if len(parts) > 2 or any(p not in self.PARTS for p in parts):
            raise ValueError(f"unknown distance {kind!r}: one of {', '.join(self.PARTS)} or two joined by '+'")
        if "lpips" in parts and lpips is None:
            raise ValueError(f"distance {kind!r} needs LPIPS weights; give lpips_dir or use 'charbonnier'")
        self.kind, self.parts, self.lpips, self.weights = kind, parts, lpips, weights

    def _part(self, name, a, b):
        return {"charbonnier": charbonnier, "mse": mse, "lpips": self.lpips}[name](a, b)

    def __call__(self, a, b):
        if len(self.parts) == 1:
            return self._part(self.parts[0], a, b)
        return sum(w * self._part(p, a, b) for w, p in zip(self.weights, self.parts))


def grid_point(i, n_intervals, sched, batch, ref):
    """(sigma, alpha) at grid index i, as [N] tensors on ref's device."""
    u = torch.full((batch,), i / n_intervals, device=ref.device, dtype=ref.dtype)
    return schedules.sigma(u, sched["sigma_max"], sched["rho_n"]), schedules.alpha(u, sched["rho_r"])


def ct_loss(net, target_net, x0, lr, y0, eps, n, n_intervals, sched, distance):
    """Alg. 2: d(f_θ(x_{n+1}, σ_{n+1}), stopgrad f_θ⁻(x_n, σ_n)), one index n and one ε for the whole batch.

    θ⁻ is the current weights without gradient (target_net is the same module, or its unwrapped copy under DDP).
    Returns (per-sample loss, online output f_θ(x_{n+1})), the latter being x̂0 for the DTM loss.
    """
    b = x0.shape[0]
    s1, a1 = grid_point(n + 1, n_intervals, sched, b, x0)
    out = net(forward.x_t(x0, y0, eps, s1, a1), lr, s1)
    with torch.no_grad():
        if n == 0:
            target = x0  # f(x_0, 0) = x_0 by the boundary condition; use the data itself
        else:
            s0, a0 = grid_point(n, n_intervals, sched, b, x0)
            target = target_net(forward.x_t(x0, y0, eps, s0, a0), lr, s0)
    return distance(out.float(), target.float()), out


def supervised_loss(net, x0, lr, y0, eps, idx, n_intervals, sched, distance):
    """Warm start (docs/method.md §5): regress x0 from x_t at grid points idx [N] (σ > 0), one point per sample."""
    u = idx.to(x0.dtype) / n_intervals
    s, a = schedules.sigma(u, sched["sigma_max"], sched["rho_n"]), schedules.alpha(u, sched["rho_r"])
    out = net(forward.x_t(x0, y0, eps, s, a), lr, s)
    return distance(out.float(), x0.float()), out


def sampler_fidelity_loss(net, x0, lr, y0, noises, sigmas, sched, distance):
    """d(x̂0 of the sampler's last step, x0) per sample: the σ list run as sampling.super_resolve runs it (x_t from
    the previous estimate, the first from zeros at α = 1), every step but the last without gradient, as the app would
    hand it over. noises: one ε per σ."""
    b, x_prev = x0.shape[0], torch.zeros_like(x0)
    for i, (sig, eps) in enumerate(zip(sigmas, noises)):
        s = torch.full((b,), float(sig), device=x0.device, dtype=x0.dtype)
        a = schedules.alpha_of_sigma(s, **sched)
        with torch.no_grad() if i < len(sigmas) - 1 else contextlib.nullcontext():
            x_prev = net(forward.x_t(x_prev, y0, eps, s, a), lr, s)
    return distance(x_prev.float(), x0.float())


def dtm_weight(x0_hat, x0, floor=1e-8):
    """ω = 1 / mean|x̂0 − x0| per sample ("improved" weighting); the floor keeps x̂0 = x0 at ω·0 = 0, not NaN."""
    return 1.0 / (x0_hat - x0).abs().flatten(1).mean(1).clamp_min(floor)


def no_autocast(x):
    """f_θ' runs in float32 (as the official code): grad is a small difference of two outputs, which half or
    bfloat16 precision would swamp."""
    return torch.autocast(x.device.type, enabled=False) if x.device.type in ("cuda", "cpu") else \
        contextlib.nullcontext()


def dtm_target(frozen, x0_hat, x0, lr, y0, eps, u, sched):
    """x̂0 − grad with grad = f_θ'(x̂_t, t) − f_θ'(x_t, t), unscaled (the official code; docs/method.md §7).

    x_t is built from the data x0 and x̂_t from the online estimate x̂0 with the same ε and t (u = t/T, [N]).
    """
    x0_hat, x0, lr, y0, eps = (v.detach().float() for v in (x0_hat, x0, lr, y0, eps))
    s, a = schedules.sigma(u, sched["sigma_max"], sched["rho_n"]), schedules.alpha(u, sched["rho_r"])
    with torch.no_grad(), no_autocast(x0):
        # one call on both batches: the network is per-sample (GroupNorm, no batch statistics), and one large
        # batch keeps the cores busier than two small ones
        both = torch.cat([forward.x_t(x0, y0, eps, s, a), forward.x_t(x0_hat, y0, eps, s, a)])
        real, fake = frozen(both, torch.cat([lr, lr]), torch.cat([s, s])).float().chunk(2)
    return x0_hat - (fake - real)


def dtm_loss(frozen, x0_hat, x0, lr, y0, eps, u, sched, distance, weight=0.5):
    """L_DTM per sample = weight · ω · d(x̂0, stopgrad(x̂0 − grad)), ω = 1/mean|x̂0 − x0| detached.

    Alg. 3 writes ω inside grad; that equals this only for a squared error. Under LPIPS, ω ≈ 10–15 inside the target
    makes it an amplified, sign-flipped copy of the model's own error far outside [−1, 1]; the official code weights
    the loss instead. Returns (per-sample loss, checks): checks holds mean|target − x̂0| and the shares of target and
    x̂0 pixels outside [−1, 1], which should be about equal (the check that catches a scaled target).
    """
    target = dtm_target(frozen, x0_hat, x0, lr, y0, eps, u, sched)
    x0_hat = x0_hat.float()
    omega = dtm_weight(x0_hat.detach(), x0.float())
    checks = {"targetGap": (target - x0_hat.detach()).abs().mean().item(),
              "targetOutside": (target.abs() > 1).float().mean().item(),
              "x0HatOutside": (x0_hat.detach().abs() > 1).float().mean().item()}
    return weight * omega * distance(x0_hat, target), checks


class FrozenCopy:
    """f_θ': starts as `start` (the EMA weights of the CT checkpoint that DTM continues) and is refreshed from the
    online weights every `every` DTM iterations (supplement A.3), kept in float32."""

    def __init__(self, start, every=1000):
        self.net = copy.deepcopy(start).float().eval().requires_grad_(False)
        self.every, self.last_refresh, self.refreshes = every, 0, 0

    def maybe_refresh(self, online, dtm_step):
        """dtm_step counts iterations since DTM started (0-based); returns True when the weights were copied."""
        if dtm_step == 0 or dtm_step % self.every != 0 or self.last_refresh == dtm_step:
            return False
        self.net.load_state_dict(online.state_dict())
        self.last_refresh, self.refreshes = dtm_step, self.refreshes + 1
        return True

    def __call__(self, *args):
        return self.net(*args)

    def state_dict(self):
        return {"net": self.net.state_dict(), "last_refresh": self.last_refresh, "refreshes": self.refreshes}

    def load_state_dict(self, sd):
        self.net.load_state_dict(sd["net"])
        self.last_refresh, self.refreshes = sd["last_refresh"], sd["refreshes"]
