"""Checkpoints: one dict of plain data and tensors (loads with torch.load weights_only=True on PyTorch 2.x)."""
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


def slim(src, dst):
    """A weights-only copy (EMA in float16, a few MB) that can be committed and later exported, evaluated or
    used as `init_from`: optimiser state, online weights and the frozen DTM copy are dropped."""
    ck = load(src)
    keep = {k: ck[k] for k in ("step", "config", "net_config", "history", "params") if k in ck}
    keep["ema"] = {k: (v.half() if v.is_floating_point() else v) for k, v in ck["ema"].items()}
    keep["slim"] = True
    save(dst, keep)
    return keep["step"]
