"""The faster training step keeps the maths: bfloat16 autocast (on CPUs with native bfloat16) and the channels-last
layout change a step's loss by rounding only, and f_θ' and LPIPS-free parts stay where the official code keeps them."""
import os
import subprocess
import sys

import pytest
import torch

from trainer import config
from trainer.train import LAYOUTS, Trainer, amp_dtype, memory_format

from .conftest import LPIPS_DIR, REPO, needs_lpips, tiny_config

# bfloat16 keeps 8 bits of mantissa (≈ 0.4 % per rounding); a CT loss is a small difference of two network outputs,
# so its relative error is larger than any one output's. Measured on the shipped S network at batch 8: ≤ 1.7 %.
TOLERANCE = 0.03


def _pair(tmp_path, hr_folder, **over):
    cfg = tiny_config(tmp_path / "run", hr_folder, net={"model_channels": 16, "zero_init": False},
                      ct_iterations=2, dtm_iterations=4, data={"hr_dirs": [hr_folder], "crop": 32, "batch": 4},
                      **over)
    return Trainer(config.merge(cfg, {"amp": "off"})), Trainer(config.merge(cfg, {"amp": "bf16"}))


@pytest.mark.parametrize("stage_step", [1, 3])  # a CT step and a CT + DTM step
def test_a_bf16_step_matches_the_float32_step(tmp_path, hr_folder, stage_step):
    ref, fast = _pair(tmp_path, hr_folder, dtm={"distance": "charbonnier"})
    assert ref.amp is None and fast.amp == torch.bfloat16
    for a, b in zip(ref.net.state_dict().values(), fast.net.state_dict().values()):
        assert torch.equal(a, b)  # the same start, so the losses differ by precision alone
    batch = ref.maker[stage_step]
    want, _ = ref.train_step(stage_step, batch)
    got, _ = fast.train_step(stage_step, batch)
    assert set(got) == set(want)
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=TOLERANCE), k
    # and the step itself moved the weights the same way (AdamW normalises the gradient: a sign-level agreement)
    moved = [(fa - fb) for fa, fb in zip(fast.net.parameters(), ref.net.parameters())]
    assert max(m.abs().max().item() for m in moved) < 5 * ref.cfg.optim.lr


@needs_lpips
def test_a_bf16_step_with_lpips_matches_the_float32_step(tmp_path, hr_folder):
    ref, fast = _pair(tmp_path, hr_folder, ct={"distance": "lpips+charbonnier"}, lpips={"dir": LPIPS_DIR})
    batch = ref.maker[3]
    want, _ = ref.train_step(3, batch)
    got, _ = fast.train_step(3, batch)
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=TOLERANCE), k


def test_amp_modes_on_the_cpu():
    cpu = torch.device("cpu")
    assert amp_dtype("off", cpu) is None
    assert amp_dtype("bf16", cpu) == torch.bfloat16
    with pytest.raises(ValueError, match="fp16 needs a CUDA device"):
        amp_dtype("fp16", cpu)
    assert amp_dtype("auto", torch.device("mps")) is None


@pytest.mark.parametrize("layout", ["channels_last", "contiguous"])
def test_the_network_trains_in_the_layout_asked_for(tmp_path, hr_folder, layout):
    tr = Trainer(tiny_config(tmp_path / "run", hr_folder, layout=layout))
    conv = next(m for m in tr.net.modules() if isinstance(m, torch.nn.Conv2d) and m.kernel_size == (3, 3))
    assert conv.weight.is_contiguous(memory_format=LAYOUTS[layout]) and not conv.weight.is_contiguous(
        memory_format=LAYOUTS[{"channels_last": "contiguous", "contiguous": "channels_last"}[layout]])


def test_a_step_in_either_layout_is_the_same_step(tmp_path, hr_folder):
    """The layout is how tensors sit in memory, not what they hold: a CT + DTM step's losses and weights agree to
    float32 rounding (the convolutions sum in another order)."""
    cfg = tiny_config(tmp_path / "run", hr_folder, net={"model_channels": 16, "zero_init": False}, ct_iterations=2,
                      dtm_iterations=4, dtm={"distance": "charbonnier"}, amp="off")
    a, b = (Trainer(config.merge(cfg, {"layout": layout})) for layout in ("channels_last", "contiguous"))
    batch = a.maker[3]
    want, _ = a.train_step(3, batch)
    got, _ = b.train_step(3, batch)
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-4), k
    # AdamW's first step moves each weight by about ±lr whatever the gradient's size, so a gradient within rounding
    # of zero may move either way: nearly every weight moves the same way
    diff = torch.cat([(pa - pb).abs().flatten() for pa, pb in zip(a.net.parameters(), b.net.parameters())])
    assert (diff > 1e-3 * a.cfg.optim.lr).float().mean().item() < 0.01


def test_auto_times_both_layouts_keeps_the_faster_and_leaves_the_random_numbers_alone(tmp_path, hr_folder, capsys):
    net = Trainer(tiny_config(tmp_path / "run", hr_folder, layout="contiguous")).net
    state = torch.get_rng_state()
    fmt, probed = memory_format("auto", net, None, (2, 32, 4))
    assert torch.equal(torch.get_rng_state(), state)
    assert set(probed) == set(LAYOUTS) and all(v > 0 for v in probed.values())
    assert fmt == LAYOUTS[min(probed, key=probed.get)]
    assert memory_format("contiguous", net, None, (2, 32, 4)) == (torch.contiguous_format, None)  # nothing timed
    with pytest.raises(ValueError, match="layout must be auto, channels_last or contiguous; got 'nhwc'"):
        memory_format("nhwc", net, None, (2, 32, 4))
    Trainer(tiny_config(tmp_path / "auto", hr_folder))
    assert "train: layout channels_last " in capsys.readouterr().err  # the log says what it measured and chose


def test_openmp_threads_wait_passively_unless_the_user_says_otherwise():
    # busy-waiting OpenMP threads make a two-thread step several times slower on shared cores (README, "Training
    # speed"); the policy only takes effect when set before torch loads, so the package sets it on import
    code = "import os, trainer, torch; print(os.environ['OMP_WAIT_POLICY'])"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    run = lambda e: subprocess.run([sys.executable, "-c", code], env=e, cwd=REPO, capture_output=True,  # noqa: E731
                                   text=True, check=True).stdout.strip()
    assert run(env) == "PASSIVE"
    assert run({**env, "OMP_WAIT_POLICY": "ACTIVE"}) == "ACTIVE"
