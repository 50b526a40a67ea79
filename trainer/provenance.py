"""Provenance of a checkpoint: what it was trained on and how (the manifest's `trainedOn` and `training` fields).

Plain data in, plain data out: the checkpoint's config dict and history, so checkpoints of any age describe themselves.
"""
import os

# where recipes named in older checkpoints' lineage live now (the first entry also mends a misspelt name)
MOVED_RECIPES = (("trainer/recipes/h100-lease-1.py", "trainer-recipes/h100_lease_1.py"),
                 ("trainer/recipes/", "trainer-recipes/"))


def trained_on(cfg):
    """The manifest's `trainedOn`: the export's own words, else the data folders and degradation."""
    if cfg["export"]["trained_on"]:
        return cfg["export"]["trained_on"]
    d = cfg["data"]
    name = lambda p: "/".join(os.path.normpath(p).split(os.sep)[-2:])  # noqa: E731
    if d["kind"] == "pairs":
        return f"pairs {name(d['hr_dir'])} (scale {cfg['scale']})"
    dirs = [name(x if isinstance(x, str) else x["path"]) for x in d["hr_dirs"]]
    return f"{' + '.join(dirs)} with {d['degradation']} degradation ×{cfg['scale']}"


def training_info(ck):
    """The manifest's free-form `training` object."""
    c = ck["config"]
    # stages run in order (warm start, CT, CT + DTM): what was done is the step split across them, not the plan
    planned = {"warmup": c["warmup_iterations"], "ct": c["ct_iterations"], "dtm": c["dtm_iterations"]}
    done, left = {}, ck["step"]
    for stage, n in planned.items():
        done[stage] = min(n, left)
        left -= done[stage]
    info = {"preset": c["preset"], "params": ck.get("params"), "stepsDone": ck["step"],
            "iterations": done, "plannedIterations": planned,
            "weights": "ema", "emaDecay": c["ema"]["decay"], "config": c}
    if done["warmup"]:
        info["warmStart"] = {"kind": "supervised", "iterations": done["warmup"],
                             "note": "target x0 at every grid sigma before CT (docs/method.md §5: naive CT from "
                                     "scratch oscillates on small compute)"}
    history = ck.get("history", {})
    # initFrom: the run this one started from; blend: the two parents of an interpolated checkpoint; lineage: runs
    # stitched across machines and sessions (trainer-recipes/annotate_lineage.py), one entry per segment
    for key, name in (("init_from", "initFrom"), ("blend", "blend"), ("lineage", "lineage")):
        if history.get(key):
            info[name] = current_recipes(history[key])
    return info


def current_recipes(node):
    """A copy of a history entry whose `recipe` fields name the scripts where they are now (checkpoints are committed
    once and keep the paths of the day they were written)."""
    if isinstance(node, dict):
        return {k: moved(v) if k == "recipe" and isinstance(v, str) else current_recipes(v) for k, v in node.items()}
    if isinstance(node, list):
        return [current_recipes(v) for v in node]
    return node


def moved(recipe):
    for old, new in MOVED_RECIPES:
        if recipe.startswith(old):
            return new + recipe[len(old):]
    return recipe
