import pytest
import torch

from trainer import forward
from trainer.losses import Distance, FrozenCopy, charbonnier, ct_loss, dtm_loss, dtm_weight
from trainer.network import build, make_config

SCHED = {"sigma_max": 1.0, "rho_n": 1.0, "rho_r": 1.0}


def _net(seed=0):
    torch.manual_seed(seed)
    return build(make_config("S", model_channels=16, zero_init=False))


def _batch(seed=0, n=2, h=32, w=32):
    g = torch.Generator().manual_seed(seed)
    x0 = torch.rand(n, 3, h, w, generator=g) * 2 - 1
    lr = torch.nn.functional.avg_pool2d(x0, 4)
    return x0, lr, forward.upsample(lr, 4), torch.randn(n, 3, h, w, generator=g)


def test_charbonnier():
    a = torch.zeros(2, 3, 4, 4)
    assert torch.allclose(charbonnier(a, a), torch.full((2,), 1e-6))
    assert torch.allclose(charbonnier(a, a + 0.5), torch.full((2,), 0.5), atol=1e-6)


def test_ct_target_is_x0_at_n0_and_stopgrad_otherwise():
    net = _net()
    x0, lr, y0, eps = _batch()
    seen = []
    dist = lambda a, b: (seen.append(b) or charbonnier(a, b))  # noqa: E731
    loss, out = ct_loss(net, net, x0, lr, y0, eps, 0, 4, SCHED, dist)
    assert torch.equal(seen[-1], x0)
    loss.mean().backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters())
    loss, out = ct_loss(net, net, x0, lr, y0, eps, 2, 4, SCHED, dist)
    assert not seen[-1].requires_grad and out.requires_grad
    xn = forward.x_t(x0, y0, eps, torch.full((2,), 0.5), torch.full((2,), 0.5))
    with torch.no_grad():
        assert torch.allclose(seen[-1], net(xn, lr, torch.full((2,), 0.5)))


class _Dist:
    """Stand-in for LPIPS in the zero test, with the same signature: per-sample distance."""

    def __call__(self, a, b):
        return ((a - b) ** 2).flatten(1).mean(1)


def _dtm(x0_hat, x0, lr, y0, eps, distance):
    frozen = FrozenCopy(_net(1), every=1000)
    u = torch.full((x0.shape[0],), 1 / 3)
    return dtm_loss(frozen, x0_hat, x0, lr, y0, eps, u, SCHED, distance)[0]


def _check_dtm(lpips):
    x0, lr, y0, eps = _batch()
    # x̂0 = x0: the two trajectories coincide -> loss 0 and gradient 0 (no NaN from ω = 1/0)
    x0_hat = x0.clone().requires_grad_(True)
    loss = _dtm(x0_hat, x0, lr, y0, eps, lpips)
    loss.sum().backward()
    assert torch.all(loss == 0), loss
    assert torch.isfinite(x0_hat.grad).all() and x0_hat.grad.abs().max() == 0
    # x̂0 != x0: positive loss, non-zero gradient
    x0_hat = (x0 + 0.3 * torch.randn_like(x0)).clamp(-1, 1).requires_grad_(True)
    loss = _dtm(x0_hat, x0, lr, y0, eps, lpips)
    loss.sum().backward()
    assert torch.all(loss > 0) and x0_hat.grad.abs().max() > 0


def test_dtm_zero_iff_equal_with_stand_in_distance():
    _check_dtm(_Dist())


def test_dtm_zero_iff_equal_with_lpips():
    from .conftest import LPIPS_DIR, needs_lpips  # noqa: F401
    import os
    import pytest
    if not os.path.isfile(os.path.join(LPIPS_DIR, "squeezenet1_1_features.pth")):
        pytest.skip(f"LPIPS weights absent in {LPIPS_DIR}")
    from trainer.lpips import LPIPS
    _check_dtm(LPIPS("squeeze", LPIPS_DIR))


def _by_hand(x0_hat, x0, lr, y0, eps, u):
    """grad = f_θ'(x̂_t) − f_θ'(x_t) and ω, computed here without the module under test."""
    frozen = _net(1)
    s = u  # σ = α = t/T on the default schedule
    with torch.no_grad():
        real = frozen(forward.x_t(x0, y0, eps, s, s), lr, s)
        fake = frozen(forward.x_t(x0_hat.detach(), y0, eps, s, s), lr, s)
    omega = 1 / (x0_hat.detach() - x0).abs().flatten(1).mean(1)
    return fake - real, omega


def _dtm_case(seed=3):
    x0, lr, y0, eps = _batch(seed, n=3)
    g = torch.Generator().manual_seed(seed + 1)
    # different errors per sample, so ω differs between samples
    scale = torch.tensor([0.05, 0.2, 0.5]).view(-1, 1, 1, 1)
    x0_hat = (x0 + scale * torch.randn(x0.shape, generator=g)).requires_grad_(True)
    return x0_hat, x0, lr, y0, eps, torch.full((3,), 1 / 3)


def _curved(a, b):
    """A distance that, like LPIPS, is not a power of |a − b|: scaling the target's offset is not a scaled loss."""
    return torch.log1p(50 * ((a - b) ** 2).flatten(1).mean(1))


def test_dtm_official_form_target_unscaled_loss_weighted_by_omega():
    x0_hat, x0, lr, y0, eps, u = _dtm_case()
    grad, omega = _by_hand(x0_hat, x0, lr, y0, eps, u)
    loss, checks = dtm_loss(FrozenCopy(_net(1)), x0_hat, x0, lr, y0, eps, u, SCHED, _curved, weight=0.5)
    official = 0.5 * omega * _curved(x0_hat.detach(), x0_hat.detach() - grad)
    alg3_notation = 0.5 * _curved(x0_hat.detach(), x0_hat.detach() - omega.view(-1, 1, 1, 1) * grad)
    assert torch.allclose(loss.detach(), official, rtol=1e-5, atol=1e-7), (loss, official)
    assert not torch.allclose(official, alg3_notation, rtol=0.05)  # the case tells the two forms apart
    assert checks["targetGap"] == pytest.approx(grad.abs().mean().item(), rel=1e-5)
    # the gradient reaches x̂0 only through the first argument (the target is a constant)
    loss.sum().backward()
    assert x0_hat.grad.abs().max() > 0


def test_dtm_under_mse_equals_the_alg3_notation_in_gradient():
    """For a squared error ω·d(x̂0, x̂0 − grad) and d(x̂0, x̂0 − ω·grad) give x̂0 the same gradient, 2ω·grad/M."""
    x0_hat, x0, lr, y0, eps, u = _dtm_case()
    loss, _ = dtm_loss(FrozenCopy(_net(1)), x0_hat, x0, lr, y0, eps, u, SCHED, Distance("mse"), weight=0.5)
    loss.sum().backward()
    ours = x0_hat.grad.clone()
    grad, omega = _by_hand(x0_hat, x0, lr, y0, eps, u)
    x0_hat.grad = None
    target = (x0_hat - omega.view(-1, 1, 1, 1) * grad).detach()
    (0.5 * Distance("mse")(x0_hat, target)).sum().backward()
    # dtm_loss runs f_θ' on both batches in one call, _by_hand in two: the networks' float32 outputs (≈ 1) round
    # differently by ~1e-6, which is a large relative error where fake − real nearly cancels; hence a tolerance
    # scaled to the gradient's size (a wrong ω would be off by a factor of 2.5 to 25)
    want = x0_hat.grad
    assert torch.allclose(ours, want, rtol=1e-4, atol=1e-4 * want.abs().max().item())


def test_dtm_checks_see_a_target_inside_the_image_range():
    x0_hat, x0, lr, y0, eps, u = _dtm_case()
    with torch.no_grad():
        x0_hat.clamp_(-1, 1)
    _, checks = dtm_loss(FrozenCopy(_net(1)), x0_hat, x0, lr, y0, eps, u, SCHED, Distance("mse"))
    assert checks["x0HatOutside"] == 0
    assert 0 <= checks["targetOutside"] < 0.5 and checks["targetGap"] > 0


def test_dtm_weight():
    a = torch.zeros(2, 3, 4, 4)
    b = a.clone()
    b[1] += 0.5
    w = dtm_weight(b, a)
    assert w[1].item() == 2.0 and w[0].item() == 1e8  # floored, finite


def test_frozen_copy_starts_from_the_ema_and_is_refreshed_from_online_every_n():
    online, ema = _net(0), _net(5)
    frozen = FrozenCopy(ema, every=5)
    refreshed = []
    opt = torch.optim.SGD(online.parameters(), lr=0.1)
    for k in range(23):
        if frozen.maybe_refresh(online, k):
            refreshed.append(k)
        like_online = all(torch.equal(a, b) for a, b in zip(frozen.net.parameters(), online.parameters()))
        like_ema = all(torch.equal(a, b) for a, b in zip(frozen.net.parameters(), ema.parameters()))
        assert like_ema == (k < 5), k            # the EMA weights until the first refresh
        assert like_online == (k > 0 and k % 5 == 0), k  # equal right after a refresh, stale in between
        online.zero_grad()
        sum(p.sum() for p in online.parameters()).backward()
        opt.step()
    assert refreshed == [5, 10, 15, 20] and frozen.refreshes == 4
    assert not any(p.requires_grad for p in frozen.net.parameters())


def test_distance_kinds():
    a, b = torch.zeros(2, 3, 8, 8), torch.ones(2, 3, 8, 8)
    assert torch.allclose(Distance("charbonnier")(a, b), torch.ones(2))
    assert torch.allclose(Distance("mse")(a, b * 3), torch.full((2,), 9.0))
    lp = lambda x, y: torch.full((2,), 0.2)  # noqa: E731
    assert torch.allclose(Distance("lpips+mse", lpips=lp, weights=(0.1, 1.0))(a, b * 2), torch.full((2,), 4.02))
    with pytest.raises(ValueError, match="unknown distance"):
        Distance("l1")
    both = Distance("lpips+charbonnier", lpips=lambda x, y: torch.full((2,), 0.2))
    assert torch.allclose(both(a, b), torch.full((2,), 0.6))


def test_sampler_fidelity_runs_the_apps_sampler_and_trains_only_its_last_step():
    from trainer.losses import sampler_fidelity_loss
    from trainer.sampling import ConsistencyStep
    net = _net()
    x0, lr, y0, eps = _batch()
    eps2 = torch.randn(eps.shape, generator=torch.Generator().manual_seed(9))
    loss = sampler_fidelity_loss(net, x0, lr, y0, [eps, eps2], [1.0, 0.5], SCHED, charbonnier)
    step = ConsistencyStep(net)
    with torch.no_grad():
        first = step(lr, torch.zeros_like(x0), eps, torch.full((2,), 1.0))
    expected = charbonnier(step(lr, first, eps2, torch.full((2,), 0.5)), x0)
    assert torch.allclose(loss, expected, atol=1e-6)
    grad = torch.autograd.grad(loss.mean(), list(net.parameters()))
    want = torch.autograd.grad(expected.mean(), list(net.parameters()))
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(grad, want))
    # had the first step kept its gradient, the two would differ
    with_first = charbonnier(step(lr, step(lr, torch.zeros_like(x0), eps, torch.full((2,), 1.0)), eps2,
                                  torch.full((2,), 0.5)), x0)
    other = torch.autograd.grad(with_first.mean(), list(net.parameters()))
    assert not all(torch.allclose(a, b, atol=1e-6) for a, b in zip(grad, other))
