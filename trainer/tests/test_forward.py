import torch
import torch.nn.functional as F

from trainer import forward, schedules


def test_bicubic_is_pytorch_bicubic():
    lr = torch.rand(2, 3, 5, 7) * 2 - 1
    y = forward.upsample(lr, 4)
    assert y.shape == (2, 3, 20, 28)
    assert torch.equal(y, F.interpolate(lr, scale_factor=4, mode="bicubic", align_corners=False))


def test_x_t_endpoints():
    g = torch.Generator().manual_seed(0)
    x0 = torch.rand(2, 3, 16, 16, generator=g) * 2 - 1
    y0 = forward.upsample(torch.rand(2, 3, 4, 4, generator=g) * 2 - 1, 4)
    eps = torch.randn(2, 3, 16, 16, generator=g)
    for smax in (1.0, 2.0):
        at0 = forward.x_t(x0, y0, eps, schedules.sigma(0.0, smax), schedules.alpha(0.0))
        atT = forward.x_t(x0, y0, eps, schedules.sigma(1.0, smax), schedules.alpha(1.0))
        assert torch.equal(at0, x0)                              # t = 0 -> x0
        assert torch.allclose(atT, y0 + smax * eps, atol=1e-6)   # t = T -> y0 + sigma_max eps


def test_x_t_straight_path_and_per_sample_sigma():
    x0, y0, eps = torch.zeros(2, 3, 4, 4), torch.ones(2, 3, 4, 4), torch.full((2, 3, 4, 4), 2.0)
    s = torch.tensor([0.25, 0.75])
    xt = forward.x_t(x0, y0, eps, s, s)  # (1 - s) x0 + s (y0 + eps) = 3 s here
    assert torch.allclose(xt[0], torch.full((3, 4, 4), 0.75)) and torch.allclose(xt[1], torch.full((3, 4, 4), 2.25))
