import os

import pytest
import torch
from PIL import Image

from trainer import evaluate, metrics
from trainer.network import build, make_config

from .conftest import EVAL_ROOT, needs_shared, synthetic_image


def test_psnr_ssim_identities():
    g = torch.Generator().manual_seed(0)
    a = torch.rand(3, 32, 32, generator=g)
    assert metrics.psnr_y(a, a, 4) == float("inf")
    assert abs(metrics.ssim_y(a, a, 4) - 1.0) < 1e-9
    b = (a + 0.05 * torch.randn(a.shape, generator=g)).clamp(0, 1)
    assert 20 < metrics.psnr_y(a, b, 4) < 40 and metrics.ssim_y(a, b, 4) < 1


def test_ssim_filters_with_the_full_11x11_gaussian_window():
    """The two 1-D passes give what basicsr's 2-D 11×11 window gives (its formula written out here)."""
    import torch.nn.functional as F
    g = torch.Generator().manual_seed(1)
    a = torch.rand(3, 40, 52, generator=g)
    b = (a + 0.1 * torch.randn(a.shape, generator=g)).clamp(0, 1)
    ax = torch.arange(11, dtype=torch.float64) - 5
    w = torch.exp(-(ax ** 2) / (2 * 1.5 ** 2))
    w = (w[:, None] @ w[None, :]) / w.sum() ** 2
    x = metrics._shave(metrics.rgb_to_y(metrics.to_uint8_levels(a)), 4).double()[None, None]
    y = metrics._shave(metrics.rgb_to_y(metrics.to_uint8_levels(b)), 4).double()[None, None]
    f = lambda v: F.conv2d(v, w.view(1, 1, 11, 11))  # noqa: E731
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = f(x), f(y)
    sxx, syy, sxy = f(x * x) - mx ** 2, f(y * y) - my ** 2, f(x * y) - mx * my
    want = (((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (sxx + syy + c2))).mean().item()
    assert abs(metrics.ssim_y(a, b, 4) - want) < 1e-12 and want < 0.99


def test_y_channel_bt601():
    white, black = torch.ones(3, 1, 1) * 255, torch.zeros(3, 1, 1)
    assert abs(metrics.rgb_to_y(white).item() - 235.0) < 1e-3
    assert abs(metrics.rgb_to_y(black).item() - 16.0) < 1e-6


def _tiny_set(tmp_path):
    base = tmp_path / "Tiny"
    (base / "HR").mkdir(parents=True)
    for i in range(2):
        Image.fromarray(synthetic_image(64, 48, i)).save(base / "HR" / f"{i}.png")  # no LR_x4: made by bicubic
    return str(base)


def test_evaluate_model_and_bicubic_on_generated_set(tmp_path):
    torch.manual_seed(0)
    net = build(make_config("S", model_channels=16)).eval()
    tiny = _tiny_set(tmp_path)
    res = evaluate.evaluate(net, [tiny], lpips=None)
    r = res["Tiny"]
    assert r["images"] == 2 and set(r) == {"model", "bicubic", "images"}
    assert r["bicubic"]["psnr"] > 20 and 0 < r["bicubic"]["ssim"] <= 1
    table = evaluate.table(res)
    assert "bicubic" in table and "model" in table
    assert metrics.manifest_metrics(res)["Tiny"]["lpips"] == -1.0
    alone = evaluate.evaluate(net, [tiny], lpips=None, bicubic=False)["Tiny"]
    assert set(alone) == {"model", "images"} and alone["model"] == r["model"]


def test_a_stop_request_ends_the_scoring_between_images(tmp_path):
    net = build(make_config("S", model_channels=16)).eval()
    asked = []
    stop_after_first_image = lambda: asked.append(1) or len(asked) > 1  # noqa: E731
    with pytest.raises(evaluate.ScoringStopped):
        evaluate.evaluate(net, [_tiny_set(tmp_path)], lpips=None, should_stop=stop_after_first_image)
    assert len(asked) == 2  # asked before each image; the second image was not scored


@needs_shared
def test_bicubic_on_set5_matches_known_value():
    res = evaluate.evaluate(None, ["Set5"], EVAL_ROOT, None)
    # ×4 bicubic on Set5 (Y, shave 4): 28.6 dB on this data (docs/method.md §5); papers report 28.42 with MATLAB
    assert 28.3 < res["Set5"]["bicubic"]["psnr"] < 28.9, res
    assert os.path.isdir(os.path.join(EVAL_ROOT, "Set14"))
