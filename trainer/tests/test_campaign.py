"""`python -m trainer campaign`: a segment scores into the curve and leaves a slim checkpoint; the next segment
carries on from it on a new machine (no work folder) or resumes exactly on the same one; SIGTERM ends a segment
cleanly. Tiny network, 32-px crops, a three-image scoring set."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
import torch
import yaml
from PIL import Image

from trainer import checkpoint

from .conftest import REPO, SHARED, needs_shared, synthetic_image


def _plan(tmp_path, hr_folder):
    eval_hr = tmp_path / "eval-hr"
    eval_hr.mkdir()
    for i in range(3):
        Image.fromarray(synthetic_image(64, 64, 10 + i)).save(eval_hr / f"e{i}.png")
    plan = {
        "start_from": None,
        "train": {"threads": 1, "net": {"model_channels": 16}, "warmup_iterations": 0, "ct_iterations": 4,
                  "dtm_iterations": 100000, "data": {"hr_dirs": [hr_folder], "crop": 32, "batch": 2},
                  "ct": {"distance": "charbonnier"}, "dtm": {"distance": "charbonnier", "refresh_every": 5},
                  "log_every": 1, "checkpoint_every": 0, "export": {"enabled": False}},
        "score": {"every": 3, "sets": {"tiny-real": {"make": {"hr_dir": str(eval_hr), "degradation": "realesrgan",
                                                              "seed": 0}}},
                  "niqe_dir": str(tmp_path / "no-niqe")},
    }
    (tmp_path / "campaigns" / "tiny").mkdir(parents=True)
    (tmp_path / "campaigns" / "tiny" / "campaign.yaml").write_text(yaml.safe_dump(plan))


def _campaign(tmp_path, *args, wait=True):
    cmd = [sys.executable, "-m", "trainer", "campaign", "--name", "tiny", "--nice", "0",
           "--campaigns", str(tmp_path / "campaigns"), "--runs", str(tmp_path / "runs"), *args]
    p = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait:
        return p
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    return [json.loads(x) for x in out.splitlines()]


def _curve(tmp_path):
    with open(tmp_path / "campaigns" / "tiny" / "curve.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_segments_carry_on_score_and_record_their_lineage(tmp_path, hr_folder):
    _plan(tmp_path, hr_folder)
    committed = tmp_path / "campaigns" / "tiny" / "checkpoint.pt"

    lines = _campaign(tmp_path, "--iterations", "5")
    assert lines[-1]["type"] == "campaignCheckpoint" and lines[-1]["step"] == 5
    rows = _curve(tmp_path)
    assert [(r["kind"], r["step"]) for r in rows] == [("bicubic", "0"), ("ema", "0"), ("ema", "3")]
    assert [r["stage"] for r in rows[1:]] == ["ct", "ct"]
    assert rows[0]["hours"] == rows[1]["hours"] == "0.0"  # making the sets and scoring are not training time
    assert all(float(r["tiny-real psnr"]) > 10 and r["tiny-real lpips"] == "" for r in rows)
    scored = tmp_path / "runs" / "campaign-tiny" / "scored"
    assert sorted(os.listdir(scored)) == ["step-0.pt", "step-3.pt"]  # each scored row's weights, to ship a peak from
    at3 = checkpoint.load(str(scored / "step-3.pt"))
    assert at3["slim"] and at3["step"] == 3 and "opt" not in at3
    ck = checkpoint.load(str(committed))
    assert ck["slim"] and ck["step"] == 5 and all(v.dtype == torch.float16 for v in ck["ema"].values()
                                                  if v.is_floating_point())

    # a new machine: no work folder, so the campaign carries on from the committed slim checkpoint
    shutil.rmtree(tmp_path / "runs" / "campaign-tiny")
    lines = _campaign(tmp_path, "--iterations", "4")
    assert lines[-1]["step"] == 9
    progress = [x for x in lines if x["type"] == "progress"]
    assert progress[0]["step"] == 6 and {x["stage"] for x in progress} == {"dtm"}
    assert [r["step"] for r in _curve(tmp_path)][3:] == ["6", "9"]  # no second bicubic or start row

    # the same machine: exact resume from the work folder, stopped by SIGTERM after its first iteration
    p = _campaign(tmp_path, wait=False)
    for line in p.stdout:
        if json.loads(line)["type"] == "progress":
            p.send_signal(signal.SIGTERM)
            break
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert "resuming" in err
    last = json.loads(out.splitlines()[-1])
    assert last["type"] == "campaignCheckpoint" and last["step"] >= 10

    segments = checkpoint.load(str(committed))["history"]["campaign"]["segments"]
    assert [(s["fromStep"], s["toStep"]) for s in segments] == [(0, 5), (5, 9), (9, last["step"])]
    assert all(s["device"] == "cpu" and s["wallSeconds"] > 0 and s["machine"] for s in segments)


def test_a_plan_whose_sets_changed_does_not_write_into_the_old_curve(tmp_path, hr_folder):
    _plan(tmp_path, hr_folder)
    _campaign(tmp_path, "--iterations", "1")
    plan_path = tmp_path / "campaigns" / "tiny" / "campaign.yaml"
    plan = yaml.safe_load(plan_path.read_text())
    plan["score"]["sets"]["renamed"] = plan["score"]["sets"].pop("tiny-real")
    plan_path.write_text(yaml.safe_dump(plan))
    r = subprocess.run([sys.executable, "-m", "trainer", "campaign", "--name", "tiny", "--nice", "0", "--iterations",
                        "3", "--campaigns", str(tmp_path / "campaigns"), "--runs", str(tmp_path / "runs")],
                       cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1
    assert "keep the plan's sets, or name a new campaign" in json.loads(r.stdout.splitlines()[-1])["message"]


@needs_shared
def test_a_set_the_plan_adds_becomes_new_columns_and_photos_without_ground_truth_score_niqe_alone(tmp_path, hr_folder):
    _plan(tmp_path, hr_folder)
    _campaign(tmp_path, "--iterations", "3")
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(2):
        Image.fromarray(synthetic_image(64, 80, 50 + i)).save(photos / f"p{i}.jpg")
    plan_path = tmp_path / "campaigns" / "tiny" / "campaign.yaml"
    plan = yaml.safe_load(plan_path.read_text())
    plan["score"]["sets"]["photos"] = {"lr_only": str(photos)}
    plan["score"]["niqe_dir"] = os.path.join(SHARED, "weights", "niqe")
    plan_path.write_text(yaml.safe_dump(plan))

    _campaign(tmp_path, "--iterations", "3")
    rows = _curve(tmp_path)
    assert [r["step"] for r in rows] == ["0", "0", "3", "6"]
    assert all(r["photos psnr"] == r["photos lpips"] == r["photos niqe"] == "" for r in rows[:3])
    assert rows[3]["photos psnr"] == "" and float(rows[3]["photos niqe"]) > 0
    assert float(rows[3]["tiny-real psnr"]) > 10


def test_holdout_scores_checkpoints_on_the_plans_held_out_ranges(tmp_path, hr_folder):
    _plan(tmp_path, hr_folder)
    plan_path = tmp_path / "campaigns" / "tiny" / "campaign.yaml"
    with pytest.raises(subprocess.CalledProcessError) as no_holdout:
        subprocess.run([sys.executable, "-m", "trainer", "campaign", "--name", "tiny", "--campaigns",
                        str(tmp_path / "campaigns"), "--runs", str(tmp_path / "runs"), "--holdout", "x.pt"],
                       cwd=REPO, capture_output=True, text=True, check=True)
    assert "names no held-out sets" in no_holdout.value.stderr
    plan = yaml.safe_load(plan_path.read_text())
    eval_hr = plan["score"]["sets"]["tiny-real"]["make"]["hr_dir"]
    plan["holdout"] = {"held-real": {"make": {"hr_dir": eval_hr, "seed": 1, "skip": 1}},
                       "held-photos": {"lr_only": eval_hr, "skip": 2, "max_images": 1}}
    plan_path.write_text(yaml.safe_dump(plan))
    _campaign(tmp_path, "--iterations", "2", "--no-score")

    lines = _campaign(tmp_path, "--holdout", str(tmp_path / "campaigns" / "tiny" / "checkpoint.pt"))
    res = [x for x in lines if x["type"] == "metrics"][-1]["results"]
    assert res["held-real"]["images"] == 2 and set(res["held-real"]) == {"model", "bicubic", "images"}
    assert res["held-photos"]["images"] == 1
    sets = tmp_path / "runs" / "eval-sets"
    assert set(json.load(open(sets / "held-real" / "eval-set.json"))["images"]) == {"e1", "e2"}
    assert sorted(os.listdir(sets / "held-photos")) == ["e2.png", "photos.json"]
    assert not (tmp_path / "campaigns" / "tiny" / "curve.csv").exists()  # scoring held-out sets writes no row


def test_an_unknown_campaign_is_named(tmp_path):
    r = subprocess.run([sys.executable, "-m", "trainer", "campaign", "--name", "nope", "--campaigns", str(tmp_path)],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "no campaign named 'nope'" in r.stdout


def test_the_gpu_window_script_carries_the_campaign_on_and_brings_its_files_back(tmp_path, hr_folder):
    _plan(tmp_path, str(tmp_path / "missing-train-folder"))  # the window must use the pack's folders instead
    pack = tmp_path / "pack" / "data" / "train" / "T91" / "HR"
    pack.mkdir(parents=True)
    for i in range(4):
        Image.fromarray(synthetic_image(48, 64, 30 + i)).save(pack / f"p{i}.png")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "trainer-recipes/gpu_window.py", "--name", "tiny", "--device", "cpu",
                        "--iterations", "4", "--workers", "1", "--pack", str(tmp_path / "pack"), "--out", str(out),
                        "--campaigns", str(tmp_path / "campaigns"), "--runs", str(tmp_path / "runs"),
                        "--set", "threads=1"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    # no scoring there by default (the plan's sets are not in a pack), so no curve yet
    assert sorted(os.listdir(out)) == ["campaign.log", "checkpoint.pt"]
    ck = checkpoint.load(str(out / "checkpoint.pt"))
    assert ck["step"] == 4 and ck["config"]["data"]["hr_dirs"] == [str(pack)]
    segment = ck["history"]["campaign"]["segments"][-1]
    assert "data.workers=1" in segment["overrides"] and segment["toStep"] == 4

    # back here, the next segment carries on from the window's checkpoint and scores into the curve
    shutil.rmtree(tmp_path / "runs" / "campaign-tiny")
    lines = _campaign(tmp_path, "--iterations", "2", "--set", f"data.hr_dirs=[{pack}]")
    rows = [(r["kind"], r["step"]) for r in _curve(tmp_path)]
    assert lines[-1]["step"] == 6 and rows == [("bicubic", "4"), ("ema", "4"), ("ema", "6")]  # a new curve starts here


def test_an_arm_tries_a_setting_from_where_the_campaign_stands_and_leaves_the_campaign_alone(tmp_path, hr_folder):
    _plan(tmp_path, hr_folder)
    _campaign(tmp_path, "--iterations", "5")
    camp = tmp_path / "campaigns" / "tiny"
    before = (camp / "checkpoint.pt").read_bytes(), (camp / "curve.csv").read_text()

    lines = _campaign(tmp_path, "--arm", "lambda-0.5", "--iterations", "4", "--score-every", "2",
                      "--set", "dtm.lambda_dtm=0.5")
    assert lines[-1]["type"] == "campaignCheckpoint" and lines[-1]["step"] == 9
    assert ((camp / "checkpoint.pt").read_bytes(), (camp / "curve.csv").read_text()) == before

    arm = camp / "arms" / "lambda-0.5"
    with open(arm / "curve.csv", newline="") as f:
        rows = [(r["kind"], r["step"]) for r in csv.DictReader(f)]
    assert rows == [("bicubic", "5"), ("ema", "5"), ("ema", "6"), ("ema", "8")]  # its start, then every 2
    ck = checkpoint.load(str(arm / "checkpoint.pt"))
    assert ck["config"]["dtm"]["lambda_dtm"] == 0.5
    assert ck["history"]["campaign"]["segments"][-1]["overrides"] == ["dtm.lambda_dtm=0.5"]
    assert (tmp_path / "runs" / "campaign-tiny-arm-lambda-0.5" / "checkpoint.pt").is_file()


def test_a_stop_request_ends_a_scoring_without_a_row(tmp_path, hr_folder):
    """SIGTERM sets the flag the scoring asks before each image: the segment ends now, not minutes later."""
    from trainer import campaign, train
    _plan(tmp_path, hr_folder)
    camp = campaign.Campaign("tiny", str(tmp_path / "campaigns"), str(tmp_path / "runs"), arm="stopped")
    tr = campaign.start_trainer(camp, camp.config())
    seg = campaign.Segment(camp, tr, minutes=0, iterations=0)
    train._STOP[0] = True
    try:
        seg.score(kinds=("bicubic", "model"))
    finally:
        train._STOP[0] = False
    assert campaign.read_curve(camp.curve) == [] and not os.path.exists(camp.scored(tr.step))
    seg.score(kinds=("bicubic", "model"))
    assert [r["kind"] for r in campaign.read_curve(camp.curve)] == ["bicubic", "ema"]


def test_an_arm_run_again_goes_on_from_its_own_work_folder_after_the_campaign_moved_on(tmp_path, hr_folder):
    _plan(tmp_path, hr_folder)
    _campaign(tmp_path, "--iterations", "5")
    _campaign(tmp_path, "--arm", "no-refresh", "--iterations", "2", "--no-score", "--set", "dtm.refresh_every=1000")
    _campaign(tmp_path, "--iterations", "4", "--no-score")  # the campaign moves on to step 9

    lines = _campaign(tmp_path, "--arm", "no-refresh", "--iterations", "2", "--no-score",
                      "--set", "dtm.refresh_every=1000")
    assert lines[-1]["type"] == "campaignCheckpoint" and lines[-1]["step"] == 9  # 5 + 2 + 2, not 9 + 2
    ck = checkpoint.load(str(tmp_path / "campaigns" / "tiny" / "arms" / "no-refresh" / "checkpoint.pt"))
    assert [(s["fromStep"], s["toStep"]) for s in ck["history"]["campaign"]["segments"]][-2:] == [(5, 7), (7, 9)]


def test_the_plan_says_how_each_row_samples(tmp_path, hr_folder):
    _plan(tmp_path, hr_folder)
    plan_file = tmp_path / "campaigns" / "tiny" / "campaign.yaml"
    _campaign(tmp_path, "--iterations", "1", "--no-score")   # the weights both plans score
    rows = {}
    for steps in ([1.0], [1.0, 0.5]):
        plan = yaml.safe_load(plan_file.read_text())
        plan["score"]["steps"] = steps
        plan_file.write_text(yaml.safe_dump(plan))
        shutil.rmtree(tmp_path / "runs" / "campaign-tiny-arm-probe", ignore_errors=True)
        shutil.rmtree(tmp_path / "campaigns" / "tiny" / "arms" / "probe", ignore_errors=True)
        _campaign(tmp_path, "--arm", "probe", "--iterations", "1", "--score-every", "1000")
        with open(tmp_path / "campaigns" / "tiny" / "arms" / "probe" / "curve.csv", newline="") as f:
            rows[len(steps)] = next(r for r in csv.DictReader(f) if r["kind"] == "ema")
    assert rows[1]["step"] == rows[2]["step"] == "1"
    assert rows[1]["tiny-real psnr"] != rows[2]["tiny-real psnr"]  # the same weights, sampled in one and two steps


def test_the_curve_prints_as_the_table_models_readme_carries(tmp_path, hr_folder):
    _plan(tmp_path, hr_folder)
    camp = tmp_path / "campaigns" / "tiny"
    plan = yaml.safe_load((camp / "campaign.yaml").read_text())
    plan["score"]["steps"] = [1, 0.5]
    (camp / "campaign.yaml").write_text(yaml.safe_dump(plan))
    (camp / "curve.csv").write_text(
        "step,stage,hours,device,kind,real psnr,real lpips,real niqe,photos psnr,photos lpips,photos niqe\n"
        "0,dtm,0.0,cpu,bicubic,23.426,0.6777,10.141,,,7.47\n"
        "0,dtm,0.0,cpu,ema,23.489,0.3413,5.8,,,5.346\n"
        "3600,dtm,1.018,cpu,ema,23.18,0.3269,,,,5.09\n")
    r = subprocess.run([sys.executable, "-m", "trainer", "campaign", "--name", "tiny", "--nice", "0", "--table",
                        "--campaigns", str(tmp_path / "campaigns"), "--runs", str(tmp_path / "runs")],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "campaign tiny, 2 steps (σ 1, 0.5), seed 0", "",
        "| step | real PSNR / LPIPS / NIQE | photos NIQE |",
        "|---:|---|---|",
        "| bicubic | 23.43 / 0.678 / 10.14 | 7.47 |",
        "| 0 | 23.49 / 0.341 / 5.80 | 5.35 |",
        "| 3,600 | 23.18 / 0.327 / – | 5.09 |"]


def test_the_plot_draws_no_empty_panel_for_a_niqe_only_set(tmp_path, hr_folder):
    pytest.importorskip("matplotlib", reason="matplotlib draws the campaign plot; not needed to train")
    from trainer.campaign import Campaign, figure
    _plan(tmp_path, hr_folder)
    (tmp_path / "campaigns" / "tiny" / "curve.csv").write_text(
        "step,stage,hours,device,kind,real psnr,real lpips,real niqe,photos psnr,photos lpips,photos niqe\n"
        "0,dtm,0.0,cpu,bicubic,23.426,0.6777,10.141,,,7.47\n"
        "0,dtm,0.0,cpu,ema,23.489,0.3413,5.8,,,5.346\n")
    fig = figure(Campaign("tiny", str(tmp_path / "campaigns"), str(tmp_path / "runs")))
    shown = [(ax.get_title(), ax.get_visible()) for ax in fig.axes]
    assert [t for t, v in shown if v] == ["real: PSNR", "real: LPIPS", "real: NIQE", "photos: NIQE"]
    assert sum(not v for _, v in shown) == 2    # photos' PSNR and LPIPS


def test_carrying_on_from_the_committed_checkpoint_keeps_f_theta_prime(tmp_path, hr_folder):
    # f_θ' restarted from the current weights on a new machine was a refresh the plan (refresh_every) never asked for
    _plan(tmp_path, hr_folder)
    _campaign(tmp_path, "--iterations", "7", "--no-score")   # DTM from step 4: f_θ' = the EMA weights of step 4
    work = tmp_path / "runs" / "campaign-tiny" / "checkpoint.pt"
    before = checkpoint.load(str(work))
    committed = checkpoint.load(str(tmp_path / "campaigns" / "tiny" / "checkpoint.pt"))
    assert committed["frozen"]["net"].keys() == before["frozen"]["net"].keys()
    assert all(v.dtype == torch.float16 for v in committed["frozen"]["net"].values() if v.is_floating_point())

    shutil.rmtree(tmp_path / "runs" / "campaign-tiny")  # a new machine
    _campaign(tmp_path, "--iterations", "1", "--no-score")
    after = checkpoint.load(str(work))
    assert after["step"] == 8 and after["frozen"]["refreshes"] == before["frozen"]["refreshes"] == 0
    kept = [torch.allclose(after["frozen"]["net"][k], before["frozen"]["net"][k].half().float())
            for k, v in before["frozen"]["net"].items() if v.is_floating_point()]
    assert all(kept)
    # and it is not the weights the campaign stood at (what carrying on used to start f_θ' from)
    assert not all(torch.allclose(after["frozen"]["net"][k], before["ema"][k].half().float())
                   for k, v in before["ema"].items() if v.is_floating_point())


def test_f_theta_prime_still_the_plans_start_is_committed_as_a_reference_to_it(tmp_path):
    # a plan that starts from a committed checkpoint and never refreshes f_θ' would otherwise commit those weights twice
    weights = {"a": torch.randn(3, 4), "n": torch.tensor(2)}
    start = str(tmp_path / "start.pt")
    checkpoint.save(start, {"step": 0, "ema": {k: v.half() if v.is_floating_point() else v for k, v in weights.items()}})
    frozen = {"net": {k: v.half().float() if v.is_floating_point() else v for k, v in weights.items()},
              "last_refresh": 0, "refreshes": 0}
    entry = checkpoint.frozen_entry(frozen, same_as=start)
    assert entry["net"] is None and entry["same_as"]["path"] == start
    assert torch.equal(checkpoint.frozen_state(entry)["net"]["a"].float(), frozen["net"]["a"])
    # weights that moved on are kept as they are
    moved = checkpoint.frozen_entry({**frozen, "net": {**frozen["net"], "a": frozen["net"]["a"] + 1}}, same_as=start)
    assert "same_as" not in moved and moved["net"]["a"].dtype == torch.float16
    # the start replaced since (a new model shipped under its name) is refused, not silently used as f_θ'
    checkpoint.save(start, {"step": 0, "ema": {"a": torch.zeros(3, 4).half(), "n": torch.tensor(2)}})
    with pytest.raises(ValueError, match="missing or changed: restore it from git history"):
        checkpoint.frozen_state(entry)


def test_a_campaign_whose_checkpoint_is_gone_is_not_started_over_into_its_curve(tmp_path, hr_folder):
    _plan(tmp_path, hr_folder)
    _campaign(tmp_path, "--iterations", "3")
    os.remove(tmp_path / "campaigns" / "tiny" / "checkpoint.pt")   # e.g. a stopped campaign's, taken out of the tree
    shutil.rmtree(tmp_path / "runs" / "campaign-tiny")
    curve = (tmp_path / "campaigns" / "tiny" / "curve.csv").read_text()
    r = subprocess.run([sys.executable, "-m", "trainer", "campaign", "--name", "tiny", "--nice", "0", "--iterations",
                        "3", "--campaigns", str(tmp_path / "campaigns"), "--runs", str(tmp_path / "runs")],
                       cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1
    assert "is missing: restore it from git history" in json.loads(r.stdout.splitlines()[-1])["message"]
    assert (tmp_path / "campaigns" / "tiny" / "curve.csv").read_text() == curve
