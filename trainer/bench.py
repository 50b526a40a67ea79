"""Iterations per second of one training configuration on this machine (median of timed iterations).

  /usr/bin/python3 -m trainer.bench --preset S --batch 16 --crop 128 --distance charbonnier --iters 12

Batches are prepared before timing (data loading is reported separately): the number is the cost of the
model, the losses and the optimiser step, which is what the preset and the distance decide. CPU time per
iteration is printed too: on a shared machine it is the steadier number (wall time ≈ CPU time / threads when
the cores are free).
"""
import argparse
import statistics
import time

import torch

from . import config
from .train import Trainer


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m trainer.bench")
    p.add_argument("--preset", default="S")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--crop", type=int, default=128)
    p.add_argument("--distance", default="charbonnier")
    p.add_argument("--stage", default="ct", choices=["warmup", "ct", "dtm"])
    p.add_argument("--iters", type=int, default=12)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", nargs="+", default=["../shared/data/train/BSDS500/train"])
    a = p.parse_args(argv)
    over = {"preset": a.preset, "threads": a.threads, "out": "/tmp/ctmsr-bench",
            "data": {"hr_dirs": a.data, "crop": a.crop, "batch": a.batch},
            "ct": {"distance": a.distance}, "warmup": {"distance": a.distance},
            "warmup_iterations": 1000 if a.stage == "warmup" else 0,
            "ct_iterations": 0 if a.stage == "dtm" else 1000, "dtm_iterations": 1000 if a.stage == "dtm" else 0}
    tr = Trainer(config.merge(config.DEFAULTS, over))
    t = time.time()
    batches = [tr.maker[i] for i in range(a.iters + 2)]
    data_s = (time.time() - t) / len(batches)
    times, cpu = [], []
    base = {"warmup": 0, "ct": 0, "dtm": 0}[a.stage]
    for i, b in enumerate(batches):
        t, c = time.time(), time.process_time()
        tr.train_step(base + i, b)
        times.append(time.time() - t)
        cpu.append(time.process_time() - c)
    med = statistics.median(times[2:])  # the first iterations warm up allocators and caches
    print(f"preset {a.preset} ({sum(p.numel() for p in tr.net.parameters()):,} params), batch {a.batch}, "
          f"HR crop {a.crop}, stage {a.stage}, distance {a.distance}, {torch.get_num_threads()} threads: "
          f"{1 / med:.3f} it/s ({med:.2f} s/it, min {min(times[2:]):.2f}, max {max(times[2:]):.2f}); "
          f"CPU time {statistics.median(cpu[2:]):.2f} s/it; data {data_s:.3f} s/batch")


if __name__ == "__main__":
    main()
