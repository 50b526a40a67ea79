"""Checkpoints: one dict of plain data and tensors (loads with torch.load weights_only=True on PyTorch 2.x)."""
import hashlib
import os

import torch

from .network import NetConfig, build, make_config


def save(path, state):
    """Write atomically: a SIGKILL mid-write must not leave a truncated checkpoint behind."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def load(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"checkpoint not found: {path}")
    return torch.load(path, map_location="cpu")


def net_config(cfg):
    return make_config(cfg["preset"], cfg["scale"], **cfg.get("net", {}))


def net_config_of(ck):
    """The checkpoint's own architecture (stored as plain data, so later preset edits cannot break it)."""
    if ck.get("net_config"):
        return NetConfig(**ck["net_config"])
    return net_config(ck["config"])  # checkpoints written before net_config was stored


def load_for_inference(path, ema=True):
    """(net in eval mode, schedule dict) from a training checkpoint; EMA weights unless ema=False."""
    ck = load(path)
    net = build(net_config_of(ck))
    net.load_state_dict(ck["ema" if ema else "net"])
    sched = ck["config"]["schedule"]
    return net.eval(), {k: sched[k] for k in ("sigma_max", "rho_n", "rho_r")}


def half(weights):
    return {k: (v.half() if v.is_floating_point() else v) for k, v in weights.items()}


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def frozen_entry(frozen, same_as=None):
    """DTM's f_θ' for a slim checkpoint: its weights in float16 with its refresh count, or, when they are exactly the
    EMA weights of the committed checkpoint `same_as` (a plan that starts from it and never refreshes f_θ'), a
    reference to that file by its SHA-256, so a campaign's checkpoint does not carry the same weights twice."""
    net = half(frozen["net"])
    if same_as and os.path.isfile(same_as):
        ema = half(load(same_as)["ema"])
        if ema.keys() == net.keys() and all(torch.equal(ema[k], net[k]) for k in net):
            return {**frozen, "net": None, "same_as": {"path": same_as, "sha256": sha256_of(same_as)}}
    return {**frozen, "net": net}


def frozen_state(entry):
    """The f_θ' state of a checkpoint's `frozen` entry, with a reference resolved; the file referred to must still
    hold what it held (a shipped checkpoint replaced since would silently change f_θ')."""
    ref = entry.get("same_as")
    if not ref:
        return entry
    if not os.path.isfile(ref["path"]) or sha256_of(ref["path"]) != ref["sha256"]:
        raise ValueError(f"f_θ' of this checkpoint is the EMA weights of {ref['path']} as it was (SHA-256 "
                         f"{ref['sha256'][:12]}…), and that file is missing or changed: restore it from git history "
                         f"(git log -- {ref['path']}) or carry on from the full checkpoint in the work folder")
    return {**entry, "net": load(ref["path"])["ema"]}


def slim_state(ck, keep_frozen=False, frozen_same_as=None):
    """The weights-only part of a checkpoint (EMA in float16): what `slim` writes. keep_frozen also keeps DTM's
    f_θ' (see frozen_entry), for a lineage that carries on from the slim copy: without it, carrying on would restart
    f_θ' from the current weights, a refresh the plan did not ask for."""
    keep = {k: ck[k] for k in ("step", "config", "net_config", "history", "params") if k in ck}
    keep["ema"] = half(ck["ema"])
    if keep_frozen and ck.get("frozen"):
        keep["frozen"] = frozen_entry(ck["frozen"], frozen_same_as)
    keep["slim"] = True
    return keep


def slim(src, dst, keep_frozen=False, frozen_same_as=None):
    """A weights-only copy (EMA in float16, a few MB) that can be committed and later exported, evaluated or
    used as `init_from`: optimiser state and online weights are dropped, and the frozen DTM copy unless kept."""
    keep = slim_state(load(src), keep_frozen, frozen_same_as)
    save(dst, keep)
    return keep["step"]


def blend(a_path, b_path, alpha, dst):
    """Network interpolation (as ESRGAN does between its PSNR and GAN models): EMA weights (1 − alpha)·A + alpha·B.

    For two checkpoints of one lineage, e.g. a PSNR-oriented warm start A and its consistency-trained descendant B,
    alpha moves the model along the fidelity / perceptual-sharpness trade-off without training. Written slim.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    a, b = load(a_path), load(b_path)
    if net_config_of(a) != net_config_of(b):
        raise ValueError(f"cannot blend {a_path} and {b_path}: their networks differ "
                         f"({net_config_of(a)} vs {net_config_of(b)})")
    out = {k: a[k] for k in ("step", "config", "net_config", "params") if k in a}
    out["ema"] = {k: (torch.lerp(va.float(), b["ema"][k].float(), alpha).to(va.dtype) if va.is_floating_point() else va)
                  for k, va in a["ema"].items()}
    parent = lambda path, ck: {"checkpoint": os.path.basename(path), "step": ck["step"],  # noqa: E731
                               "history": ck.get("history", {})}
    out["history"] = {"blend": {"alpha": alpha, "a": parent(a_path, a), "b": parent(b_path, b)}}
    out["slim"] = True
    save(dst, out)
    return out
