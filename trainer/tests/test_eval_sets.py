"""`make-eval-set` (fixed, seeded degraded evaluation sets) and `evaluate --sr-dir` (scoring images made elsewhere,
e.g. by the app's engine in `npm run eval`)."""
import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from trainer import eval_sets, evaluate, make_eval_set, metrics
from trainer.degrade import bicubic_down
from trainer.lpips import LPIPS

from .conftest import EVAL_ROOT, LPIPS_DIR, REPO, needs_lpips, needs_shared, synthetic_image


def _cli(*args):
    r = subprocess.run([sys.executable, "-m", "trainer", *args], cwd=REPO, capture_output=True, text=True,
                       timeout=120)
    return r.returncode, [json.loads(x) for x in r.stdout.splitlines()], r.stderr


def _hr_folder(path, sizes=((50, 66), (41, 37), (48, 64))):
    os.makedirs(path)
    for i, (h, w) in enumerate(sizes):
        Image.fromarray(synthetic_image(h, w, i)).save(os.path.join(path, f"im{i}.png"))
    return str(path)


def _files(folder):
    out = {}
    for root, _, names in os.walk(folder):
        for n in names:
            p = os.path.join(root, n)
            out[os.path.relpath(p, folder)] = open(p, "rb").read()
    return out


def test_make_eval_set_is_deterministic_sized_and_order_free(tmp_path):
    hr = _hr_folder(tmp_path / "hr")
    rc, lines, err = _cli("make-eval-set", "--hr-dir", hr, "--degradation", "realesrgan", "--seed", "0",
                          "--out", str(tmp_path / "a"))
    assert rc == 0, err
    assert lines[-1]["type"] == "eval-set" and lines[-1]["images"] == 3
    make_eval_set.make_eval_set(hr, str(tmp_path / "b"), "realesrgan", seed=0)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    images = sorted(k for k in a if k.endswith(".png"))
    assert images == sorted(f"{d}/im{i}.png" for d in ("HR", "LR_x4") for i in range(3))
    assert all(a[k] == b[k] for k in images), "same seed, different bytes"

    for i, (w, h) in enumerate(((64, 48), (36, 40), (64, 48))):  # HR cropped to a multiple of 4, LR = HR / 4
        assert Image.open(tmp_path / "a" / "HR" / f"im{i}.png").size == (w, h)
        assert Image.open(tmp_path / "a" / "LR_x4" / f"im{i}.png").size == (w // 4, h // 4)
    info = json.load(open(tmp_path / "a" / "eval-set.json"))
    assert info["seed"] == 0 and info["degradation"] == "realesrgan" and set(info["images"]) == {"im0", "im1", "im2"}

    # an image's LR depends on (seed, its name) only: not on the other files or their order
    os.makedirs(tmp_path / "one")
    shutil.copy(os.path.join(hr, "im2.png"), tmp_path / "one" / "im2.png")
    make_eval_set.make_eval_set(str(tmp_path / "one"), str(tmp_path / "c"), "realesrgan", seed=0)
    assert _files(tmp_path / "c")["LR_x4/im2.png"] == a["LR_x4/im2.png"]

    # another seed degrades differently; the HR copies stay the same
    make_eval_set.make_eval_set(hr, str(tmp_path / "d"), "realesrgan", seed=1)
    d = _files(tmp_path / "d")
    assert d["HR/im0.png"] == a["HR/im0.png"]
    assert sum(d[f"LR_x4/im{i}.png"] != a[f"LR_x4/im{i}.png"] for i in range(3)) >= 2


def test_make_eval_set_takes_a_range_of_the_folder_by_name(tmp_path):
    hr = _hr_folder(tmp_path / "hr")
    rc, lines, err = _cli("make-eval-set", "--hr-dir", hr, "--skip", "1", "--max-images", "1", "--seed", "0",
                          "--out", str(tmp_path / "a"))
    assert rc == 0, err
    assert set(json.load(open(tmp_path / "a" / "eval-set.json"))["images"]) == {"im1"}
    make_eval_set.make_eval_set(hr, str(tmp_path / "all"), "realesrgan", seed=0)
    assert _files(tmp_path / "a")["LR_x4/im1.png"] == _files(tmp_path / "all")["LR_x4/im1.png"]  # same pixels


def test_make_eval_set_bicubic_is_the_training_bicubic(tmp_path):
    hr = _hr_folder(tmp_path / "hr", sizes=((48, 64),))
    make_eval_set.make_eval_set(hr, str(tmp_path / "s"), "bicubic", seed=0)
    from trainer.data import open_image
    lr = open_image(str(tmp_path / "s" / "LR_x4" / "im0.png"))
    assert torch.equal(lr, bicubic_down(open_image(os.path.join(hr, "im0.png")), 4))


def _set_with_lr(tmp_path):
    """A tiny set in the benchmark layout: HR (not a multiple of 4) and LR_x4 = bicubic of the modcropped HR."""
    base = tmp_path / "Tiny"
    (base / "HR").mkdir(parents=True)
    (base / "LR_x4").mkdir()
    from trainer.data import open_image
    for i, (h, w) in enumerate(((50, 66), (48, 64))):
        p = base / "HR" / f"im{i}.png"
        Image.fromarray(synthetic_image(h, w, i)).save(p)
        hr = open_image(str(p))[:, : h // 4 * 4, : w // 4 * 4]
        make_eval_set.save_png(bicubic_down(hr, 4), base / "LR_x4" / f"im{i}.png")
    return base


def test_sr_dir_identical_images_score_infinite_psnr(tmp_path):
    base = _set_with_lr(tmp_path)
    sr = tmp_path / "sr"
    sr.mkdir()
    from trainer.data import open_image
    for i in range(2):  # the HR images cropped to the SR size: PSNR infinite, SSIM 1
        hr = open_image(str(base / "HR" / f"im{i}.png"))
        make_eval_set.save_png(hr[:, : hr.shape[1] // 4 * 4, : hr.shape[2] // 4 * 4], sr / f"im{i}.png")
    res = evaluate.score_dirs(str(sr), str(base / "HR"), scale=4)
    assert res["images"] == 2 and set(res) == {"model", "images", "per_image"}
    assert res["model"]["psnr"] == float("inf") and abs(res["model"]["ssim"] - 1) < 1e-12

    out = tmp_path / "m.json"
    rc, lines, err = _cli("evaluate", "--sr-dir", str(sr), "--hr-dir", str(base / "HR"), "--lr-dir",
                          str(base / "LR_x4"), "--scale", "4", "--json", str(out), "--lpips", str(tmp_path / "none"))
    assert rc == 0, err
    j = json.load(open(out))  # strict JSON: infinity is written as null
    assert j["model"]["psnr"] is None and j["images"] == 2 and 20 < j["bicubic"]["psnr"] < 60
    assert set(j["per_image"]) == {"im0", "im1"} and "bicubic" in j["per_image"]["im0"]
    assert lines[-1]["type"] == "metrics"


def test_sr_dir_size_mismatch_and_missing_hr_are_errors(tmp_path):
    base = _set_with_lr(tmp_path)
    sr = tmp_path / "sr"
    sr.mkdir()
    Image.fromarray(synthetic_image(40, 40, 0)).save(sr / "im0.png")
    with pytest.raises(ValueError, match="SR image is 40×40 but the HR image is 66×50"):
        evaluate.score_dirs(str(sr), str(base / "HR"))
    Image.fromarray(synthetic_image(40, 40, 0)).save(sr / "other.png")
    with pytest.raises(FileNotFoundError, match="no counterpart.*other"):
        evaluate.score_dirs(str(sr), str(base / "HR"))
    rc, lines, _ = _cli("evaluate", "--sr-dir", str(sr), "--hr-dir", str(base / "HR"))
    assert rc == 1 and lines[-1]["type"] == "error" and "other" in lines[-1]["message"]


def _bicubic_outputs_match_evaluate(base, sr, lp, max_images=0):
    """Writes bicubic SR images of the set as PNG, then checks score_dirs == evaluate() for bicubic."""
    ref = evaluate.evaluate(None, [str(base)], lpips=lp, max_images=max_images)[os.path.basename(str(base))]
    os.makedirs(sr, exist_ok=True)
    for name, lr01, _ in eval_sets.load_set(str(base), 4, max_images):
        make_eval_set.save_png(metrics.bicubic_up(lr01, 4), os.path.join(sr, os.path.splitext(name)[0] + ".png"))
    res = evaluate.score_dirs(str(sr), os.path.join(base, "HR"), os.path.join(base, "LR_x4"), 4, lp)
    assert res["images"] == ref["images"]
    for k in ("model", "bicubic"):  # the written bicubic images, and the bicubic beside from --lr-dir
        assert set(res[k]) == set(ref["bicubic"])
        for m, v in ref["bicubic"].items():
            assert abs(res[k][m] - v) < 1e-6, (k, m, res[k][m], v)
    return res


def test_sr_dir_bicubic_matches_evaluate(tmp_path):
    _bicubic_outputs_match_evaluate(_set_with_lr(tmp_path), tmp_path / "sr", None)


@needs_shared
@needs_lpips
def test_sr_dir_bicubic_matches_evaluate_on_set5_with_lpips(tmp_path):
    torch.set_num_threads(1)
    res = _bicubic_outputs_match_evaluate(os.path.join(EVAL_ROOT, "Set5"), tmp_path / "sr",
                                          LPIPS("squeeze", LPIPS_DIR), max_images=2)
    assert res["images"] == 2 and 0 < res["model"]["lpips"] < 1


def test_make_eval_set_jpeg_compresses_the_given_lr_deterministically(tmp_path):
    base = _set_with_lr(tmp_path)
    args = ("make-eval-set", "--hr-dir", str(base / "HR"), "--degradation", "jpeg", "--lr-dir", str(base / "LR_x4"),
            "--quality", "20")
    rc, lines, err = _cli(*args, "--out", str(tmp_path / "a"))
    assert rc == 0, err
    make_eval_set.make_eval_set(str(base / "HR"), str(tmp_path / "b"), "jpeg", lr_dir=str(base / "LR_x4"), quality=20)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert {k: v for k, v in a.items() if k.endswith(".png")} == {k: v for k, v in b.items() if k.endswith(".png")}
    from trainer.data import open_image
    for i in range(2):
        given = open_image(str(base / "LR_x4" / f"im{i}.png"))
        lr = open_image(str(tmp_path / "a" / "LR_x4" / f"im{i}.png"))
        from trainer.degrade import jpeg
        assert torch.equal(lr, jpeg(given, 20)) and (lr - given).abs().mean() > 0.005  # the given LR at quality 20
        assert open_image(str(tmp_path / "a" / "HR" / f"im{i}.png")).shape[1:] == (given.shape[1] * 4,
                                                                                   given.shape[2] * 4)
    info = json.load(open(tmp_path / "a" / "eval-set.json"))
    assert info["degradation"] == "jpeg" and info["quality"] == 20
    rc, lines, _ = _cli("make-eval-set", "--hr-dir", str(base / "HR"), "--degradation", "jpeg", "--out",
                        str(tmp_path / "c"))
    assert rc == 1 and "--lr-dir" in lines[-1]["message"]


def _niqe_params():
    from trainer import niqe
    folder = os.path.join(os.path.dirname(EVAL_ROOT), "..", "weights", "niqe")
    if not os.path.isfile(os.path.join(folder, niqe.PARAMS_FILE)):
        pytest.skip(f"NIQE parameters not found in {folder} (../shared is absent)")
    return folder, niqe.load_params(folder)


def test_sr_dir_without_ground_truth_scores_niqe_only(tmp_path):
    folder, params = _niqe_params()
    sr, lr = tmp_path / "sr", tmp_path / "lr"
    sr.mkdir()
    lr.mkdir()
    for i in range(2):
        Image.fromarray(synthetic_image(208, 224, i)).save(sr / f"p{i}.png")
        Image.fromarray(synthetic_image(52, 56, i)).save(lr / f"p{i}.png")
    Image.fromarray(synthetic_image(40, 40, 9)).save(sr / "small.png")   # under two blocks: no NIQE, no error
    Image.fromarray(synthetic_image(10, 10, 9)).save(lr / "small.png")
    res = evaluate.score_dirs(str(sr), None, str(lr), 4, niqe_params=params)
    assert set(res["model"]) == {"niqe"} and set(res["bicubic"]) == {"niqe"} and res["images"] == 3
    assert "niqe" not in res["per_image"]["small"]["model"]
    assert res["model"]["niqe"] == pytest.approx((res["per_image"]["p0"]["model"]["niqe"] +
                                                 res["per_image"]["p1"]["model"]["niqe"]) / 2)
    rc, lines, err = _cli("evaluate", "--sr-dir", str(sr), "--lr-dir", str(lr), "--niqe", folder)
    assert rc == 0, err
    assert lines[-1]["results"]["sr"]["model"]["niqe"] == pytest.approx(res["model"]["niqe"])
    rc, lines, _ = _cli("evaluate", "--sr-dir", str(sr), "--niqe", str(tmp_path / "none"))
    assert rc == 1 and "--hr-dir" in lines[-1]["message"]


def test_seed_spread_of_folders(tmp_path):
    dirs = [tmp_path / f"s{i}" for i in range(3)]
    img = synthetic_image(16, 16, 0)
    for i, d in enumerate(dirs):
        d.mkdir()
        Image.fromarray(img).save(d / "a.png")
        shifted = img.astype(int)
        shifted[0, 0, 0] += 3 * i  # one value differs: 0, 3, 6 -> population std sqrt(6) on 1 of 768 values
        Image.fromarray(shifted.clip(0, 255).astype(np.uint8)).save(d / "b.png")
    res = evaluate.seed_spread([str(d) for d in dirs])
    assert res["per_image"]["a"] == 0 and res["per_image"]["b"] == pytest.approx(math.sqrt(6) / 768)
    assert res["images"] == 2
    rc, lines, err = _cli("evaluate", "--spread", *map(str, dirs), "--name", "x")
    assert rc == 0, err
    assert lines[-1]["results"]["x"]["spread"] == pytest.approx(res["spread"])
    os.remove(dirs[2] / "b.png")
    with pytest.raises(ValueError, match="same images"):
        evaluate.seed_spread([str(d) for d in dirs])
