"""The app's fine-tuning entry (`python -m trainer finetune`): listed files, held-out set, previews, export."""
import json
import os

import numpy as np
import pytest
import torch
from PIL import Image

from trainer.__main__ import main as cli
from trainer.degrade import bicubic_down
from trainer.export import make_test_model
from trainer.finetune.run import build_config, stage_split
from trainer.finetune.sources import HRList, jpeg_only

from .conftest import synthetic_image


def lines(capsys):
    return [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]


@pytest.fixture()
def run_config(tmp_path):
    make_test_model("ctmsr", 4, str(tmp_path / "base" / "base.onnx"), seed=0, with_checkpoint=True)
    files = []
    for i in range(6):
        hr = synthetic_image(48, 64, i)
        for kind, img in (("HR", Image.fromarray(hr)), ("LR", Image.fromarray(hr).resize((16, 12), Image.BICUBIC))):
            (tmp_path / kind).mkdir(exist_ok=True)
            img.save(tmp_path / kind / f"p{i}.png")
        files.append({"stem": f"p{i}", "lr": str(tmp_path / "LR" / f"p{i}.png"), "hr": str(tmp_path / "HR" / f"p{i}.png")})
    # every key, as the app writes them: the run's numbers have no defaults in the trainer
    ft = {"out": str(tmp_path / "run"), "seed": 0, "scale": 4, "crop": 32, "batch": 2, "iterations": 4,
          "stages": "ct",
          "preview_every": 2, "checkpoint_every": 2, "log_every": 1, "heldout_lr_side": 16, "max_pixels": 0,
          "threads": 1, "device": "cpu",
          "base": {"checkpoint": str(tmp_path / "base" / "base.pt"), "model_id": "base"},
          "source": {"kind": "pairs", "train": files[:4], "heldout": files[4:]},
          "export": {"id": "mine", "name": "Mine", "trained_on": "test pairs"}}
    path = tmp_path / "finetune.json"
    path.write_text(json.dumps(ft))
    return path, ft


def test_stages_split_the_iterations_ct_first():
    assert stage_split(100, "supervised") == (100, 0, 0)
    assert stage_split(100, "ct") == (0, 100, 0)
    assert stage_split(100, "ct+dtm", 0.4) == (0, 60, 40)
    with pytest.raises(ValueError, match="unknown stages"):
        stage_split(100, "dtm")


def test_config_takes_the_base_network_and_refuses_another_scale(run_config):
    _, ft = run_config
    base = torch.load(ft["base"]["checkpoint"])
    cfg = build_config(ft, base)
    assert cfg.net["model_channels"] == base["net_config"]["model_channels"]
    assert cfg.init_from == ft["base"]["checkpoint"] and cfg.ct_iterations == 4
    with pytest.raises(ValueError, match="base model is ×4"):
        build_config({**ft, "scale": 2}, base)


def test_jpeg_only_degradation_downscales_and_compresses():
    hr = torch.from_numpy(synthetic_image(32, 32, 1)).permute(2, 0, 1).float() / 255
    lr = jpeg_only(hr, 4, 10)
    assert lr.shape == (3, 8, 8)
    src = HRList([{"hr": "x"}], 32, 4, "jpeg", 20)
    with pytest.raises(ValueError, match="unknown degradation"):
        HRList([{"hr": "x"}], 32, 4, "blur")
    assert src.degradation == "jpeg"


def test_run_writes_heldout_previews_and_exports_a_fine_tuned_model(run_config, capsys):
    path, ft = run_config
    assert cli(["finetune", "--config", str(path)]) == 0
    msgs = lines(capsys)
    kinds = [m["type"] for m in msgs]
    assert kinds[0] == "heldout" and "started" in kinds and kinds[-1] == "exported"
    assert sorted(os.listdir(os.path.join(ft["out"], "heldout", "LR"))) == ["p4.png", "p5.png"]
    preview = next(m for m in msgs if m["type"] == "preview")
    assert set(preview["metrics"]) == {"base", "current"} and preview["pair"] == "p4"
    strip = Image.open(preview["path"])
    assert strip.size == (4 * 16 * 4, 12 * 4)  # LR | base | current | HR at the HR size
    exported = msgs[-1]
    man = json.load(open(exported["manifest"]))
    assert man["createdBy"] == "fine-tuned" and man["training"]["initFrom"]["checkpoint"] == ft["base"]["checkpoint"]
    assert os.path.isfile(exported["onnx"].replace(".onnx", ".pt"))


def test_resume_without_a_checkpoint_starts_from_the_base(run_config, capsys):
    path, ft = run_config
    assert cli(["finetune", "--config", str(path), "--resume"]) == 0
    started = next(m for m in lines(capsys) if m["type"] == "started")
    assert started["step"] == 0 and started["resumed"] is False


def test_clean_share_gives_some_samples_plain_downscaling(tmp_path):
    Image.fromarray(synthetic_image(64, 64, 3)).save(tmp_path / "a.png")
    files = [{"hr": str(tmp_path / "a.png")}]
    rng = np.random.default_rng(0)
    always = HRList(files, 32, 4, "jpeg", 10, clean_share=1.0)
    hr, lr = always.sample(0, rng)
    assert torch.equal(lr, bicubic_down(hr, 4))
    never = HRList(files, 32, 4, "jpeg", 10)
    hr, lr = never.sample(0, np.random.default_rng(0))
    assert not torch.equal(lr, bicubic_down(hr, 4))
