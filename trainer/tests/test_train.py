import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch

from trainer import forward
from trainer.losses import Distance, ct_loss
from trainer.provenance import training_info
from trainer.train import Trainer

from .conftest import REPO, tiny_config

SCHED = {"sigma_max": 1.0, "rho_n": 1.0, "rho_r": 1.0}


@torch.no_grad()
def ct_loss_all_indices(net, batch, n_int=4):
    """The CT loss averaged over every grid index with a fixed ε: a noise-free yardstick of training."""
    x0, lr = batch["hr"], batch["lr"]
    eps = torch.randn(x0.shape, generator=torch.Generator().manual_seed(123))
    y0 = forward.upsample(lr, 4)
    d = Distance("charbonnier")
    return sum(ct_loss(net, net, x0, lr, y0, eps, n, n_int, SCHED, d)[0].mean().item() for n in range(n_int)) / n_int


def test_tiny_ct_run_lowers_the_loss(tmp_path, hr_folder, capsys):
    # random (not near-zero) residual branches and a high lr: a clear signal within 60 tiny iterations
    cfg = tiny_config(tmp_path / "run", hr_folder, ct_iterations=60, optim={"lr": 2e-3}, ema={"decay": 0.9},
                      net={"model_channels": 16, "zero_init": False})
    tr = Trainer(cfg)
    probe = tr.maker[10_000]  # a batch the run never trains on
    before = ct_loss_all_indices(tr.net.eval(), probe)
    assert tr.run() == 0
    after = ct_loss_all_indices(tr.net.eval(), probe)
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    print(f"\nCT loss over all indices: {before:.4f} -> {after:.4f}")
    assert after < 0.7 * before
    progress = [x for x in lines if x["type"] == "progress"]
    assert progress[-1]["step"] == 60 and progress[-1]["total"] == 60
    assert {"step", "total", "losses", "lr", "itPerSec", "etaSec"} <= set(progress[0])
    assert lines[-1]["type"] == "checkpoint" and lines[-1]["step"] == 60


def test_warm_start_then_ct_then_dtm_and_export(tmp_path, hr_folder, capsys):
    from .conftest import LPIPS_DIR
    lpips_ok = os.path.isfile(os.path.join(LPIPS_DIR, "squeezenet1_1_features.pth"))
    out = tmp_path / "run"
    cfg = tiny_config(out, hr_folder, warmup_iterations=4, ct_iterations=4, dtm_iterations=6 if lpips_ok else 0,
                      dtm={"refresh_every": 3}, export={"enabled": True, "id": "tiny-test"},
                      warmup={"index_probs": [0.1, 0.2, 0.1, 0.6]})
    tr = Trainer(cfg)
    assert tr.run() == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    stages = [x["stage"] for x in lines if x["type"] == "progress"]
    assert stages[:4] == ["warmup"] * 4 and stages[4:8] == ["ct"] * 4
    if lpips_ok:
        assert stages[8:] == ["dtm"] * 6
        # f_θ' starts as the CT run's EMA, refreshed from the online weights at DTM step 3 (refresh_every 3)
        assert tr.frozen.refreshes == 1 and tr.frozen.last_refresh == 3
        dtm_lines = [x for x in lines if x["type"] == "progress" and x["stage"] == "dtm"]
        assert all("dtm" in x["losses"] for x in dtm_lines)
        assert all(set(x["dtmCheck"]) == {"targetGap", "targetOutside", "x0HatOutside"} for x in dtm_lines)
        assert all(0 <= x["dtmCheck"]["targetOutside"] <= 1 for x in dtm_lines)
    exported = [x for x in lines if x["type"] == "exported"][-1]
    man = json.load(open(exported["manifest"]))
    assert man["id"] == "tiny-test" and man["kind"] == "ctmsr" and man["createdBy"] == "fine-tuned"
    assert man["multiple"] == 8 and man["inputRange"] == [-1, 1] and man["steps"] == [1.0]
    assert man["training"]["warmStart"]["kind"] == "supervised" and man["training"]["iterations"]["warmup"] == 4
    assert os.path.getsize(exported["onnx"]) > 10_000


def _spawn(args):
    return subprocess.Popen([sys.executable, "-m", "trainer", *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _losses_by_step(lines):
    return {x["step"]: x["losses"]["total"] for x in lines if x["type"] == "progress"}


def test_sigterm_checkpoints_and_resume_continues_from_the_same_step(tmp_path, hr_folder):
    base = tiny_config(tmp_path / "unused", hr_folder, ct_iterations=40)
    cfg_path = tmp_path / "cfg.json"
    cfg_path.write_text(json.dumps({k: v for k, v in base.items() if k != "out"}))

    # reference: the same run, uninterrupted
    ref = _spawn(["train", "--config", str(cfg_path), "--out", str(tmp_path / "ref")])
    out, err = ref.communicate(timeout=300)
    assert ref.returncode == 0, err[-2000:]
    reference = _losses_by_step([json.loads(x) for x in out.splitlines()])
    assert len(reference) == 40

    # interrupted with a real SIGTERM after a few steps
    run_dir = tmp_path / "run"
    p = _spawn(["train", "--config", str(cfg_path), "--out", str(run_dir)])
    first = []
    for line in p.stdout:
        first.append(json.loads(line))
        if first[-1]["type"] == "progress" and first[-1]["step"] >= 3:
            p.send_signal(signal.SIGTERM)
            break
    rest, err = p.communicate(timeout=120)
    first += [json.loads(x) for x in rest.splitlines()]
    assert p.returncode == 0, err[-2000:]
    ck = [x for x in first if x["type"] == "checkpoint"]
    stopped = [x for x in first if x["type"] == "stopped"]
    assert ck and stopped and first[-1]["type"] == "stopped"
    k = ck[-1]["step"]
    assert stopped[-1]["step"] == k and 3 <= k < 40
    assert max(x["step"] for x in first if x["type"] == "progress") == k  # nothing trained after the checkpoint

    # resume: continues at step k + 1 with the exact batches, noise and weights of the uninterrupted run
    r = _spawn(["train", "--resume", "--out", str(run_dir)])
    out, err = r.communicate(timeout=300)
    assert r.returncode == 0, err[-2000:]
    resumed = [json.loads(x) for x in out.splitlines()]
    steps = [x["step"] for x in resumed if x["type"] == "progress"]
    assert steps[0] == k + 1 and steps[-1] == 40
    got = _losses_by_step(resumed)
    for s in (k + 1, k + 2, 40):
        assert abs(got[s] - reference[s]) <= 1e-5 * max(1.0, abs(reference[s])), (s, got[s], reference[s])
    assert torch.load(run_dir / "checkpoint.pt", map_location="cpu")["step"] == 40


def test_a_stop_signal_to_the_whole_process_group_still_checkpoints_with_data_workers(tmp_path, hr_folder):
    """Ctrl-C in a terminal, or `pkill -f "trainer ..."`, reaches the data workers too: they must leave the stop to the
    trainer, which checkpoints, rather than die and take the run down with them."""
    cfg = tiny_config(tmp_path / "unused", hr_folder, ct_iterations=400, data={"hr_dirs": [hr_folder], "crop": 32,
                                                                                "batch": 4, "workers": 1})
    cfg_path = tmp_path / "cfg.json"
    cfg_path.write_text(json.dumps({k: v for k, v in cfg.items() if k != "out"}))
    p = subprocess.Popen([sys.executable, "-m", "trainer", "train", "--config", str(cfg_path), "--out",
                          str(tmp_path / "run")], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    for line in p.stdout:
        if json.loads(line)["type"] == "progress" and json.loads(line)["step"] >= 3:
            os.killpg(p.pid, signal.SIGTERM)
            break
    rest, err = p.communicate(timeout=120)
    assert p.returncode == 0, err[-2000:]
    assert json.loads(rest.splitlines()[-1])["type"] == "stopped"
    assert os.path.isfile(tmp_path / "run" / "checkpoint.pt")


def test_slim_checkpoint_is_small_and_starts_a_new_run(tmp_path, hr_folder):
    from trainer import checkpoint
    cfg = tiny_config(tmp_path / "run", hr_folder, warmup_iterations=3, ct_iterations=0)
    tr = Trainer(cfg)
    assert tr.run() == 0
    full = tmp_path / "run" / "checkpoint.pt"
    slim = tmp_path / "slim.pt"
    assert checkpoint.slim(str(full), str(slim)) == 3
    assert os.path.getsize(slim) < 0.4 * os.path.getsize(full)
    # a later session continues from it (init_from) with the same weights, up to float16 rounding
    cfg2 = tiny_config(tmp_path / "run2", hr_folder, warmup_iterations=1, ct_iterations=0, init_from=str(slim))
    tr2 = Trainer(cfg2)
    for name, p in tr2.ema.state_dict().items():
        ref = tr.ema.state_dict()[name]
        assert p.dtype == ref.dtype and torch.allclose(p, ref, atol=1e-3, rtol=1e-2), name
    assert tr2.history["init_from"]["step"] == 3
    net, _ = checkpoint.load_for_inference(str(slim))
    assert next(net.parameters()).dtype == torch.float32


def test_manifest_reports_the_iterations_done_per_stage():
    from trainer.provenance import training_info
    cfg = {"preset": "S", "warmup_iterations": 6000, "ct_iterations": 4000, "dtm_iterations": 100, "ema": {"decay": 0.999}}
    info = training_info({"config": cfg, "step": 6500})
    assert info["iterations"] == {"warmup": 6000, "ct": 500, "dtm": 0}
    assert info["plannedIterations"] == {"warmup": 6000, "ct": 4000, "dtm": 100}
    assert training_info({"config": cfg, "step": 1200})["warmStart"]["iterations"] == 1200


def test_warm_start_draws_grid_points_with_the_configured_shares():
    import numpy as np
    from trainer.train import warm_indices
    rng = np.random.default_rng(0)
    uniform = warm_indices(rng, 4, 4000)
    assert set(uniform.tolist()) == {1, 2, 3, 4} and abs((uniform == 4).mean() - 0.25) < 0.03
    focused = warm_indices(rng, 4, 4000, [0.05, 0.2, 0.05, 0.7])
    assert abs((focused == 4).mean() - 0.7) < 0.03 and abs((focused == 2).mean() - 0.2) < 0.03
    assert set(warm_indices(rng, 4, 100, [0, 0, 0, 1]).tolist()) == {4}
    with pytest.raises(ValueError, match="index_probs must hold 4"):
        warm_indices(rng, 4, 10, [0.5, 0.5])


def test_blend_interpolates_ema_weights_and_records_parents(tmp_path, hr_folder):
    from trainer import checkpoint
    paths = []
    for seed in (0, 1):
        cfg = tiny_config(tmp_path / f"run{seed}", hr_folder, warmup_iterations=2, ct_iterations=0, seed=seed)
        assert Trainer(cfg).run() == 0
        paths.append(str(tmp_path / f"run{seed}" / "checkpoint.pt"))
    a, b = (checkpoint.load(p)["ema"] for p in paths)
    assert any(not torch.equal(a[k], b[k]) for k in a if a[k].is_floating_point())  # two different nets
    for alpha in (0.0, 0.25, 1.0):
        out = tmp_path / f"blend{alpha}.pt"
        checkpoint.blend(paths[0], paths[1], alpha, str(out))
        got = checkpoint.load(str(out))
        for k, v in got["ema"].items():
            if v.is_floating_point():
                assert torch.allclose(v, (1 - alpha) * a[k] + alpha * b[k], atol=1e-6), (alpha, k)
        assert got["history"]["blend"]["alpha"] == alpha and got["history"]["blend"]["b"]["step"] == 2
        got["history"]["lineage"] = [{"segment": 1, "machine": "test"}]
        info = training_info(got)  # what the manifest's `training` field records
        assert info["blend"]["alpha"] == alpha and info["lineage"][0]["machine"] == "test"
        net, _ = checkpoint.load_for_inference(str(out))  # exportable like any checkpoint
    with pytest.raises(ValueError, match="alpha"):
        checkpoint.blend(paths[0], paths[1], 1.5, str(tmp_path / "bad.pt"))


def test_dtm_times_on_the_ct_grid_or_drawn():
    from trainer.config import DEFAULTS, DTM
    from trainer.train import dtm_times
    rng = np.random.default_rng(0)
    dtm = lambda **over: DTM(**{**DEFAULTS["dtm"], **over})  # noqa: E731
    assert np.allclose(dtm_times(rng, dtm(), 3, 4), 1 / 3)  # the official draw's point
    assert np.allclose(dtm_times(rng, dtm(t_index=2), 3, 2), 2 / 3)
    u = dtm_times(rng, dtm(t_index=None), 3, 1000)
    assert u.min() >= 0.1 and u.max() <= 0.5 and u.std() > 0.05
    with pytest.raises(ValueError, match="t_index"):
        dtm_times(rng, dtm(t_index=3), 3, 2)


@pytest.mark.parametrize("clip", [None, 1e-4])
def test_grad_clip_none_leaves_the_gradient_whole(tmp_path, hr_folder, clip):
    tr = Trainer(tiny_config(tmp_path / "run", hr_folder, optim={"grad_clip": clip}))
    _, info = tr.train_step(0, tr.maker[0])
    after = torch.cat([p.grad.flatten() for p in tr.net.parameters() if p.grad is not None]).norm().item()
    assert info["gradNorm"] > 1e-3  # the norm before clipping is logged either way
    if clip is None:
        assert after == pytest.approx(info["gradNorm"], rel=1e-5)
    else:
        assert after <= clip * 1.01


def test_the_sampler_fidelity_term_joins_the_loss_only_when_weighted(tmp_path, hr_folder):
    cfg = tiny_config(tmp_path / "run", hr_folder, ct_iterations=2,
                      fidelity={"weight": 0.5, "distance": "charbonnier"})
    tr = Trainer(cfg)
    batch = tr.maker[0]
    logs, _ = tr.train_step(0, batch)
    assert logs["total"] == pytest.approx(logs["ct"] + 0.5 * logs["fidelity"], rel=1e-5)
    off = Trainer(tiny_config(tmp_path / "off", hr_folder, ct_iterations=2))
    logs, _ = off.train_step(0, batch)
    assert "fidelity" not in logs and logs["total"] == pytest.approx(logs["ct"])
