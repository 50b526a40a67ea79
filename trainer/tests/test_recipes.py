"""The scripts of past GPU runs (../trainer-recipes/, outside the package) still run from where they are, as their
documented commands say, and the paths that lineages name lead to them."""
import json
import os
import re
import subprocess
import sys

import pytest
import torch

from trainer.provenance import training_info
from trainer.train import Trainer

from .conftest import REPO, tiny_config

RECIPES = os.path.join(REPO, "trainer-recipes")


def run_recipe(name, *args):
    r = subprocess.run([sys.executable, os.path.join("trainer-recipes", name), *map(str, args)], cwd=REPO,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_recipes_are_not_part_of_the_package():
    assert not os.path.exists(os.path.join(REPO, "trainer", "recipes"))
    assert os.path.isfile(os.path.join(RECIPES, "grad_clip_check.py"))


def test_grad_clip_check_runs_as_documented(tmp_path, hr_folder):
    cfg = tiny_config(tmp_path / "run", hr_folder, warmup_iterations=2, ct_iterations=0)
    cfg["dtm"]["distance"] = "charbonnier"  # no LPIPS weights needed
    assert Trainer(cfg).run() == 0
    out = run_recipe("grad_clip_check.py", tmp_path / "run" / "checkpoint.pt", 2, "threads=1")
    med = json.loads(out.strip().splitlines()[-1])
    assert med["batches"] == 2 and med["clip"] == 1.0
    assert med["median"]["ct"] > 0 and med["median"]["dtm"] > 0 and -1 <= med["median"]["cos"] <= 1


def test_annotate_lineage_writes_the_lineage_export_reads(tmp_path, hr_folder):
    cfg = tiny_config(tmp_path / "run", hr_folder, warmup_iterations=1000000, ct_iterations=0)
    tr = Trainer(cfg)
    tr.step = 3
    ck = tmp_path / "run.pt"
    torch.save(tr.state(), ck)
    lineage = tmp_path / "lineage.json"
    lineage.write_text(json.dumps([{"segment": 1, "machine": "test", "recipe": "trainer/recipes/lease.py (run A)"}]))
    run_recipe("annotate_lineage.py", ck, tmp_path / "out.pt", lineage, 'export.trained_on="test photos"')
    got = torch.load(tmp_path / "out.pt", map_location="cpu")
    assert got["config"]["warmup_iterations"] == 3 and got["config"]["export"]["trained_on"] == "test photos"
    # an old path in a lineage is written as the script's current place
    assert training_info(got)["lineage"][0]["recipe"] == "trainer-recipes/lease.py (run A)"


def test_make_lease_pack_fills_its_budget_and_no_more(tmp_path):
    from PIL import Image
    from .conftest import synthetic_image
    shared = tmp_path / "shared"
    (shared / "weights" / "lpips-squeeze").mkdir(parents=True)
    (shared / "weights" / "lpips-squeeze" / "w.pth").write_bytes(b"x" * 100_000)
    for sub, n in (("BSDS500/train", 6), ("T91/HR", 6)):
        (shared / "data" / "train" / sub).mkdir(parents=True)
        for i in range(n):
            Image.fromarray(synthetic_image(160, 200, i)).save(shared / "data" / "train" / sub / f"{i}.png")
    out = tmp_path / "pack"
    printed = run_recipe("make_lease_pack.py", "--shared", shared, "--out", out, "--budget-mib", 0.3)
    files = [os.path.join(r, f) for r, _, fs in os.walk(out) for f in fs]
    total = sum(os.path.getsize(f) for f in files)
    assert total <= 0.3 * 2 ** 20 and os.path.isfile(out / "weights" / "lpips-squeeze" / "w.pth")
    kept = [f for f in files if "/data/train/" in f]
    assert {os.path.basename(os.path.dirname(f)) for f in kept} == {"train", "HR"}  # taken in turn from both
    assert 2 <= len(kept) < 12 and f"{len(kept)} photos" in printed


def recipes_named(node):
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "recipe"] + [r for v in node.values() for r in recipes_named(v)]
    if isinstance(node, list):
        return [r for v in node for r in recipes_named(v)]
    return []


def test_every_recipe_a_lineage_names_exists():
    """In the shipped manifests and in what export writes for the committed checkpoints (which name the old place)."""
    named = []
    for f in os.listdir(os.path.join(REPO, "models")):
        if f.endswith(".json"):
            with open(os.path.join(REPO, "models", f)) as fh:
                named += recipes_named(json.load(fh))
    ck_dir = os.path.join(REPO, "trainer", "checkpoints")
    for f in os.listdir(ck_dir):
        if f.endswith(".pt"):
            named += recipes_named(training_info(torch.load(os.path.join(ck_dir, f), map_location="cpu")))
    assert len(named) >= 4
    for recipe in named:
        path = re.match(r"\S+", recipe).group(0)
        assert os.path.isfile(os.path.join(REPO, path)), f"lineage names {recipe!r}, which does not exist"


def test_the_working_tree_leaves_a_gpu_window_room_for_its_pack():
    # a lent GPU machine takes the working tree and the pack in 64 MiB: tracked files that grow past what is left for
    # the LPIPS weights (3 MB) and a few MiB of photos make every GPU window fail to start
    if not os.path.exists(os.path.join(REPO, ".git")):
        pytest.skip("not a git checkout: no tracked files to measure")
    sys.path.insert(0, RECIPES)
    try:
        from make_lease_pack import tracked_bytes
    finally:
        sys.path.remove(RECIPES)
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        tracked = tracked_bytes()
    finally:
        os.chdir(cwd)
    room = 64 * 2 ** 20 - tracked
    assert room >= 6 * 2 ** 20, (f"tracked files take {tracked / 2 ** 20:.1f} MiB; a GPU window's pack needs 6 of the "
                                 f"64: move a stopped campaign's checkpoint to git history, or keep fewer weights")
