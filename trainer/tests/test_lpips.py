import os

import torch

from trainer.lpips import LPIPS, squeezenet1_1_features

from .conftest import LPIPS_DIR, needs_lpips


@needs_lpips
def test_squeezenet_keys_match_shared_weights_strictly():
    sd = torch.load(os.path.join(LPIPS_DIR, "squeezenet1_1_features.pth"), map_location="cpu")
    model = squeezenet1_1_features()
    assert set(model.state_dict()) == set(sd)
    assert "0.weight" in sd and "12.expand3x3.bias" in sd
    model.load_state_dict(sd, strict=True)
    assert sum(v.numel() for v in sd.values()) == 722_496


@needs_lpips
def test_lpips_identical_zero_and_ordering():
    lp = LPIPS("squeeze", LPIPS_DIR)
    g = torch.Generator().manual_seed(0)
    a = torch.rand(2, 3, 64, 64, generator=g) * 2 - 1
    assert torch.all(lp(a, a) == 0)
    small = lp(a, (a + 0.05 * torch.randn(a.shape, generator=g)).clamp(-1, 1))
    big = lp(a, (a + 0.5 * torch.randn(a.shape, generator=g)).clamp(-1, 1))
    assert torch.all(small > 0) and torch.all(big > small)
    x = a.clone().requires_grad_(True)
    lp(x, a.flip(-1)).sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().max() > 0
    assert not any(p.requires_grad for p in lp.parameters())


def test_missing_weights_message(tmp_path):
    import pytest
    with pytest.raises(FileNotFoundError, match="LPIPS weights not found"):
        LPIPS("squeeze", str(tmp_path))
