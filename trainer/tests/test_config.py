"""Typed views of the plain-data configs: the same data in and out, checkpoints of any age readable, typos refused."""
import copy
import json
import os
import re

import pytest
import torch

from trainer import config
from trainer.config import FinetuneConfig, TrainConfig

from .conftest import REPO


def test_train_config_round_trips_the_plain_data():
    for f in sorted(os.listdir(os.path.join(REPO, "trainer", "configs"))):
        data = config.merge(config.DEFAULTS, config.read_file(os.path.join(REPO, "trainer", "configs", f)))
        cfg = TrainConfig.of(data)
        assert cfg.to_dict() == data and json.loads(json.dumps(cfg.to_dict())) == data
    cfg = TrainConfig.of({"dtm_iterations": 5, "dtm": {"lambda_dtm": 2.0}, "net": {"model_channels": 8}})
    assert cfg.dtm.lambda_dtm == 2.0 and cfg.dtm.lambda_ct == config.DEFAULTS["dtm"]["lambda_ct"]
    assert cfg.net == {"model_channels": 8} and cfg.total_iterations == 1005
    assert cfg.schedule.sampling() == {"sigma_max": 1.0, "rho_n": 1.0, "rho_r": 1.0}
    assert [cfg.stage_at(s) for s in (0, 999, 1000)] == ["ct", "ct", "dtm"]


def test_train_config_refuses_unknown_keys():
    with pytest.raises(ValueError, match="unknown config key 'dtm.lamda_dtm'"):
        TrainConfig.of({"dtm": {"lamda_dtm": 2.0}})


def test_committed_checkpoints_configs_still_load():
    ck_dir = os.path.join(REPO, "trainer", "checkpoints")
    names = [f for f in os.listdir(ck_dir) if f.endswith(".pt")]
    assert names
    for name in names:
        ck = torch.load(os.path.join(ck_dir, name), map_location="cpu")
        before = copy.deepcopy(ck["config"])
        cfg = TrainConfig.of(ck["config"])
        assert ck["config"] == before  # read, never changed
        assert cfg.preset == ck["config"]["preset"] and cfg.schedule.s0 == ck["config"]["schedule"]["s0"]


def finetune_json(**over):
    """finetune.json with every key the app writes (run-config.ts)."""
    return {"out": "/tmp/run", "iterations": 10, "seed": 3, "device": "cpu", "threads": 1, "scale": 4, "crop": 64,
            "batch": 2, "stages": "ct", "preview_every": 5, "checkpoint_every": 5, "log_every": 1,
            "heldout_lr_side": 32, "max_pixels": 0, "trainer": {},
            "base": {"checkpoint": "base.pt", "model_id": "base"},
            "source": {"kind": "hr", "train": [{"stem": "a", "hr": "a.png"}], "heldout": [], "degradation": "jpeg",
                       "jpeg_quality": 30, "clean_share": 0.5},
            "export": {"id": "mine", "name": "Mine", "description": "d", "trained_on": "t"}, **over}


def test_finetune_config_takes_the_apps_numbers_and_builds_nested_sections():
    ft = FinetuneConfig.of(finetune_json())
    assert ft.base.checkpoint == "base.pt" and ft.source.kind == "hr" and ft.source.heldout == []
    assert (ft.source.degradation, ft.source.jpeg_quality, ft.source.clean_share) == ("jpeg", 30, 0.5)
    assert (ft.stages, ft.crop, ft.batch, ft.heldout_lr_side, ft.trainer) == ("ct", 64, 2, 32, {})
    assert ft.dtm_share == 0.4  # the one number the app leaves to the trainer
    assert FinetuneConfig.of(ft) is ft
    assert FinetuneConfig.of(finetune_json(stages="supervised")).stages == "warmup"  # run folders of older apps
    older = finetune_json()
    del older["max_pixels"]  # written since 2026-12-07: a run stopped before must still resume
    assert FinetuneConfig.of(older).max_pixels == 0


@pytest.mark.parametrize("key", ["seed", "device", "threads", "scale", "crop", "batch", "stages", "preview_every",
                                 "checkpoint_every", "log_every", "heldout_lr_side"])
def test_finetune_config_has_no_default_for_the_apps_numbers(key):
    ft = finetune_json()
    del ft[key]
    with pytest.raises(ValueError, match=f"finetune.json lacks {key}$"):
        FinetuneConfig.of(ft)


HR = finetune_json()["source"]


@pytest.mark.parametrize("bad, message", [
    ({"iteratons": 10}, "unknown key finetune.json.iteratons"),
    ({"source": {"kind": "hr", "train": [], "jpeg_qualty": 20}}, "unknown key finetune.json.source.jpeg_qualty"),
    ({"export": {}}, "finetune.json.export lacks id"),
    ({"base": "base.pt"}, "finetune.json.base must be a mapping"),
    ({"crop": "128"}, "finetune.json.crop must be an integer, got '128'"),
    ({"batch": True}, "finetune.json.batch must be an integer"),
    ({"batch": 0}, "finetune.json.batch must be at least 1"),
    ({"stages": "dtm"}, "finetune.json.stages must be one of warmup, ct, ct+dtm"),
    ({"trainer": []}, "finetune.json.trainer must be a mapping"),
    ({"source": {**HR, "degradation": "jpg"}},
     "finetune.json.source.degradation must be one of realesrgan, bicubic, jpeg, got 'jpg'"),
    ({"source": {**HR, "clean_share": 1.5}},
     "finetune.json.source.clean_share must be at most 1"),
    ({"source": {**HR, "kind": "photos"}}, "finetune.json.source.kind must be one of"),
    ({"source": {**HR, "train": [{"stem": "a"}]}}, "finetune.json.source.train[0] lacks hr"),
    ({"source": {**HR, "train": [{"stem": "a", "hr": 3}]}}, "finetune.json.source.train[0].hr must be a string"),
    ({"source": {**HR, "train": [{"stem": "a", "hr": "a.png", "lr_": "b"}]}},
     "unknown key finetune.json.source.train[0].lr_"),
    ({"source": {"kind": "pairs", "train": [{"stem": "a", "hr": "a.png"}]}},
     "finetune.json.source.train[0] lacks lr: a pairs source names both files"),
    ({"source": {"kind": "hr", "train": [{"stem": "a", "hr": "a.png"}]}},
     "finetune.json.source lacks degradation, jpeg_quality, clean_share: an hr source says how its LR is made"),
])
def test_finetune_config_names_the_key_that_is_wrong(bad, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        FinetuneConfig.of(finetune_json(**bad))
