"""The ONNX graph is compared with PyTorch from the TypeScript side (main/engine/test/trainer-export.test.ts,
onnxruntime-node); here: the CLI commands, the graph's interface and the manifest contract."""
import json
import subprocess
import sys

import torch

from trainer.export import write_reference
from trainer.sampling import ConsistencyStep
from trainer.network import build, make_config

from .conftest import REPO, tiny_config

MANIFEST_KEYS = {"id", "name", "kind", "scale", "inputRange", "multiple", "steps", "params", "trainedOn", "metrics",
                 "license", "createdBy"}


def _cli(*args):
    r = subprocess.run([sys.executable, "-m", "trainer", *args], cwd=REPO, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return [json.loads(x) for x in r.stdout.splitlines()]


def test_make_test_model_both_kinds(tmp_path):
    for kind, rng, multiple in (("ctmsr", [-1, 1], 1), ("feedforward", [0, 1], 1)):
        out = tmp_path / f"test-{kind}.onnx"
        lines = _cli("make-test-model", "--kind", kind, "--scale", "4", "--out", str(out), "--seed", "3")
        assert lines[-1]["type"] == "exported"
        man = json.load(open(tmp_path / f"test-{kind}.json"))
        assert MANIFEST_KEYS <= set(man)
        assert man["id"] == f"test-{kind}" and man["kind"] == kind and man["inputRange"] == rng
        assert man["multiple"] == multiple and man["scale"] == 4 and man["createdBy"] == "bundled"
        assert 1_000 < man["params"] < 50_000
        assert out.stat().st_size > 1_000


def test_export_preset_with_reference(tmp_path):
    lines = _cli("export", "--preset", "T", "--out", str(tmp_path / "t.onnx"), "--reference", str(tmp_path / "ref"))
    assert lines[-1]["type"] == "exported"
    meta = json.load(open(tmp_path / "ref" / "reference.json"))
    assert set(meta["inputs"]) == {"lr", "x0_prev", "noise", "sigma"} and set(meta["outputs"]) == {"x0"}


def test_consistency_step_first_step_ignores_x0_prev():
    torch.manual_seed(0)
    net = build(make_config("S", model_channels=16, zero_init=False)).eval()
    step = ConsistencyStep(net)
    lr = torch.rand(1, 3, 8, 8) * 2 - 1
    noise = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        a = step(lr, torch.zeros(1, 3, 32, 32), noise, torch.ones(1))
        b = step(lr, torch.randn(1, 3, 32, 32), noise, torch.ones(1))
        # sigma = 1 -> alpha = 1: x_t = y + noise whatever x0_prev is
        y = torch.nn.functional.interpolate(lr, scale_factor=4, mode="bicubic", align_corners=False)
        c = net(y + noise, lr, torch.ones(1))
    assert torch.allclose(a, b, atol=1e-6) and torch.allclose(a, c, atol=1e-6)


def test_reference_writer(tmp_path):
    net = build(make_config("T")).eval()
    meta = write_reference(net, str(tmp_path), n=2)
    x0 = torch.from_numpy(__import__("numpy").fromfile(tmp_path / "x0.bin", dtype="<f4"))
    assert x0.numel() == 2 * 3 * meta["outputs"]["x0"]["shape"][2] * meta["outputs"]["x0"]["shape"][3]


def test_export_writes_the_sigma_list_it_is_given_as_the_models_own_sampling(tmp_path, hr_folder):
    from trainer.train import Trainer
    tr = Trainer(tiny_config(tmp_path / "run", hr_folder, ct_iterations=1))
    tr.save()
    ck = str(tmp_path / "run" / "checkpoint.pt")
    for args, steps in (((), [1]), (("--steps", "1", "0.5"), [1, 0.5])):
        out = tmp_path / f"m{len(steps)}.onnx"
        _cli("export", "--checkpoint", ck, "--out", str(out), *args)
        assert json.load(open(out.with_suffix(".json")))["steps"] == steps
