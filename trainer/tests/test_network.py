import pytest
import torch

from trainer.network import PRESETS, build, c_out, c_skip, count_params, make_config


def _inputs(cfg, n=2, h=None, w=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    h = h or cfg.multiple * 2
    w = w or cfg.multiple * 3
    lr = torch.rand(n, 3, h, w, generator=g) * 2 - 1
    x = torch.randn(n, 3, h * cfg.scale, w * cfg.scale, generator=g)
    return x, lr


def test_preconditioning_boundary():
    z = torch.zeros(1)
    assert c_skip(z).item() == 1.0 and c_out(z).item() == 0.0
    s = torch.tensor([1.0])
    assert c_skip(s).item() == pytest.approx(0.25 / 100.25)
    assert c_out(s).item() == pytest.approx(10 / 100.25 ** 0.5)


@pytest.mark.parametrize("preset", ["S", "T"])
def test_identity_at_sigma_zero(preset):
    torch.manual_seed(0)
    net = build(make_config(preset, zero_init=False)).eval()  # random, non-trivial F
    x, lr = _inputs(net.cfg)
    with torch.no_grad():
        out0 = net(x, lr, torch.zeros(2))
        out1 = net(x, lr, torch.tensor([1.0, 0.5]))
    assert torch.equal(out0, x)  # f(x, 0) = x exactly
    assert not torch.allclose(out1, x, atol=1e-3)
    assert out1.shape == x.shape


def test_identity_at_sigma_zero_real_L_and_param_count():
    torch.manual_seed(0)
    net = build(make_config("L")).eval()
    n = count_params(net)
    print(f"\nL preset: {n:,} parameters")
    assert abs(n - 171.5e6) < 0.1e6  # official CTMSR: ≈171.5 M
    assert net.cfg.multiple == 64
    x, lr = _inputs(net.cfg, n=1, h=64, w=64)  # the smallest input L accepts
    with torch.no_grad():
        assert torch.equal(net(x, lr, torch.zeros(1)), x)


def test_preset_sizes_and_overrides():
    s = build(make_config("S"))
    t = build(make_config("T"))
    print(f"\nS preset: {count_params(s):,} parameters; T preset: {count_params(t):,}")
    assert 1e6 < count_params(s) < 10e6 and s.cfg.multiple == 8 and not s.cfg.attention
    assert 10e3 <= count_params(t) <= 50e3 and t.cfg.multiple == 1
    assert not any(isinstance(m, torch.nn.GroupNorm) for m in t.modules())  # purely local
    small = make_config("S", model_channels=16, num_blocks=2)
    assert small.model_channels == 16 and small.num_blocks == 2 and small.channel_mult == PRESETS["S"]["channel_mult"]
    with pytest.raises(ValueError, match="unknown network option"):
        make_config("S", channels=3)


def test_T_is_local():
    """Changing one LR pixel (and its HR block) changes the T output only nearby: tiles cannot differ."""
    torch.manual_seed(0)
    net = build(make_config("T")).eval()
    x, lr = _inputs(net.cfg, n=1, h=24, w=24)
    x2, lr2 = x.clone(), lr.clone()
    lr2[..., 0, 0] += 1.0
    x2[..., :4, :4] += 1.0
    with torch.no_grad():
        d = (net(x, lr, torch.ones(1)) - net(x2, lr2, torch.ones(1))).abs().sum(1)[0]
    ys, xs = torch.nonzero(d > 0, as_tuple=True)
    assert ys.max() < 4 * 8 and xs.max() < 4 * 8  # receptive field radius < 8 LR px


def test_scale_2_and_batch_sigma_broadcast():
    net = build(make_config("S", scale=2, model_channels=16)).eval()
    x, lr = _inputs(net.cfg)
    with torch.no_grad():
        a = net(x, lr, torch.tensor([0.5]))        # one sigma for the batch
        b = net(x, lr, torch.tensor([0.5, 0.5]))
    assert a.shape == x.shape and torch.allclose(a, b)
