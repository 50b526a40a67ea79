"""Provenance of a checkpoint: what it was trained on and how (the manifest's `trainedOn` and `training` fields).

Plain data in, plain data out: the checkpoint's config dict and history, so checkpoints of any age describe themselves.
"""
import os


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
                             "note": "target x0 at every grid sigma before CT (CTMSR.md §8: naive CT from scratch "
                                     "oscillates on small compute)"}
    history = ck.get("history", {})
    # initFrom: the run this one started from; blend: the two parents of an interpolated checkpoint; lineage: runs
    # stitched across machines and sessions (trainer/recipes/annotate_lineage.py), one entry per segment
    for key, name in (("init_from", "initFrom"), ("blend", "blend"), ("lineage", "lineage")):
        if history.get(key):
            info[name] = history[key]
    return info
