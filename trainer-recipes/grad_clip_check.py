"""Does the gradient clip (optim.grad_clip, 1.0; not in the official run) throttle CT once DTM is added?

    /usr/bin/python3 trainer-recipes/grad_clip_check.py CHECKPOINT N [KEY=VALUE ...]

For N batches of a run's data (the config of CHECKPOINT, --set style overrides after it), at the checkpoint's weights
(no update), the CT gradient g_ct and the weighted DTM gradient g_dtm = λ_DTM ∇L_DTM are taken separately, exactly as
the training step builds them (same n, ε, t draws). Printed per batch and as medians: their norms, their cosine, and
the factor the clip multiplies the CT gradient by with CT alone (min(1, c/|g_ct|)) and with DTM added
(min(1, c/|g_ct + g_dtm|)). A JSON line with the medians ends the output.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from trainer import config, forward, schedules  # noqa: E402
from trainer.losses import FrozenCopy, ct_loss, dtm_loss  # noqa: E402
from trainer.train import Trainer, dtm_times, step_seed  # noqa: E402


def flat_grad(loss, params):
    grads = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
    return torch.cat([(g if g is not None else torch.zeros_like(p)).flatten() for g, p in zip(grads, params)])


def main(checkpoint, n, *overrides):
    ck = torch.load(checkpoint, map_location="cpu")
    cfg = config.merge(config.merge(config.DEFAULTS, ck["config"]), config.parse_set(
        ["init_from=" + checkpoint, "warmup_iterations=0", "ct_iterations=0", f"dtm_iterations={int(n)}",
         "export.enabled=false", "out=/tmp/grad-clip-check", *overrides]))
    tr = Trainer(cfg)
    c = tr.cfg  # typed: config.TrainConfig
    tr.frozen = FrozenCopy(tr.ema, c.dtm.refresh_every)
    params = [p for p in tr.net.parameters() if p.requires_grad]
    clip, lam = c.optim.grad_clip, c.dtm.lambda_dtm
    rows = []
    print(f"{'batch':>5} {'|g_ct|':>8} {'|g_dtm|':>8} {'|sum|':>8} {'cos':>6} {'CT scale alone':>15} "
          f"{'with DTM':>9}  target gap / outside")
    for step in range(int(n)):
        batch = tr.maker[step]
        x0, lr = batch["hr"], batch["lr"]
        rng = np.random.default_rng([c.seed, step, 0, 1])
        g = torch.Generator().manual_seed(step_seed(c.seed, step, 0, 2))
        y0 = forward.upsample(lr, c.scale)
        n_int = schedules.curriculum(0, 0, c.schedule.s0, c.schedule.s1)
        idx = int(rng.integers(0, n_int))
        tr.net.train()
        l_ct, x0_hat = ct_loss(tr.net, tr.net, x0, lr, y0, torch.randn(x0.shape, generator=g), idx, n_int,
                               tr.sched, tr.ct_dist)
        u = torch.from_numpy(dtm_times(rng, c.dtm, n_int, x0.shape[0])).float()
        l_dtm, checks = dtm_loss(tr.frozen, x0_hat, x0, lr, y0, torch.randn(x0.shape, generator=g), u, tr.sched,
                                 tr.dtm_dist, c.dtm.weight)
        g_ct = flat_grad(c.dtm.lambda_ct * l_ct.mean(), params)
        g_dtm = flat_grad(lam * l_dtm.mean(), params)
        a, b, s = g_ct.norm().item(), g_dtm.norm().item(), (g_ct + g_dtm).norm().item()
        row = {"ct": a, "dtm": b, "sum": s, "cos": torch.nn.functional.cosine_similarity(g_ct, g_dtm, 0).item(),
               "scale_alone": min(1.0, clip / a), "scale_dtm": min(1.0, clip / s), **checks}
        rows.append(row)
        print(f"{step:5d} {a:8.3f} {b:8.3f} {s:8.3f} {row['cos']:6.3f} {row['scale_alone']:15.3f} "
              f"{row['scale_dtm']:9.3f}  {checks['targetGap']:.4f} / {checks['targetOutside']:.4f}")
    med = {k: float(np.median([r[k] for r in rows])) for k in rows[0]}
    print(json.dumps({"checkpoint": checkpoint, "batches": len(rows), "clip": clip, "median": med}))


if __name__ == "__main__":
    main(*sys.argv[1:])
