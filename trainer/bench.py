"""Iterations per second of one training configuration on this machine.

  /usr/bin/python3 -m trainer.bench --preset S --batch 8 --crop 128 --distance lpips+charbonnier --stage dtm
  /usr/bin/python3 -m trainer.bench --stage dtm --loop --workers 1       # the whole loop, data included
  /usr/bin/python3 -m trainer.bench --baseline /tmp/before --rounds 2    # a table: an earlier checkout vs this one

Step timing prepares the batches first: the number is the cost of the model, the losses and the optimiser step,
which is what the preset, the distance and the precision decide. `--loop` times Trainer.run instead (data loading
and its worker processes included). CPU time per iteration is printed too: on a shared machine it is the steadier
number. `--baseline DIR` runs `python -m trainer.bench` in DIR (a checkout of an earlier trainer, e.g. a
`git worktree` of an older commit) and here, alternately, with the same options, and prints each stage's it/s with
the ratio; only the options an older bench knows are passed to it.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import torch

from . import config
from .train import LAYOUT_NAMES, Trainer

STAGE_ITERATIONS = {"warmup": (1000, 0, 0), "ct": (0, 1000, 0), "dtm": (0, 0, 1000)}


def trainer_for(a):
    warm, ct, dtm = STAGE_ITERATIONS[a.stage]
    over = {"preset": a.preset, "threads": a.threads, "out": "/tmp/ctmsr-bench", "amp": a.amp,
            "data": {"hr_dirs": a.data, "crop": a.crop, "batch": a.batch, "workers": a.workers,
                     "degradation": a.degradation},
            "ct": {"distance": a.distance}, "warmup": {"distance": a.distance}, "log_every": 10 ** 9,
            "checkpoint_every": 0, "export": {"enabled": False},
            "warmup_iterations": warm, "ct_iterations": ct, "dtm_iterations": dtm}
    return Trainer(config.merge(config.DEFAULTS, over))


def time_steps(a):
    tr = trainer_for(a)
    t = time.time()
    batches = [tr.maker[i] for i in range(a.iters + 2)]
    data_s = (time.time() - t) / len(batches)
    base = {"warmup": 0, "ct": 0, "dtm": 0}[a.stage]
    times, cpu = [], []
    for i, b in enumerate(batches):
        t, c = time.time(), time.process_time()
        tr.train_step(base + i, b)
        times.append(time.time() - t)
        cpu.append(time.process_time() - c)
    med = statistics.median(times[2:])  # the first iterations warm up allocators and caches
    return tr, med, statistics.median(cpu[2:]), data_s, min(times[2:]), max(times[2:])


def time_loop(a):
    """Trainer.run over iters + 2 iterations; the first two (start-up, worker spawn) are left out of the rate."""
    tr = trainer_for(a)
    marks = []

    def mark(t):
        marks.append((time.time(), time.process_time()))
        t.stop_requested = len(marks) >= a.iters + 2

    tr.run(after_step=mark)
    (t0, c0), (t1, c1) = marks[1], marks[-1]
    n = len(marks) - 2
    return tr, (t1 - t0) / n, (c1 - c0) / n


def line(a):
    if a.loop:
        tr, s, cpu = time_loop(a)
        extra = f"loop with {a.workers} data worker(s)"
    else:
        tr, s, cpu, data_s, lo, hi = time_steps(a)
        extra = f"min {lo:.2f}, max {hi:.2f}; data {data_s:.3f} s/batch"
    return (f"preset {a.preset} ({sum(p.numel() for p in tr.net.parameters()):,} params), batch {a.batch}, "
            f"HR crop {a.crop}, stage {a.stage}, distance {a.distance}, amp {tr.amp or 'float32'}, "
            f"layout {LAYOUT_NAMES[tr.layout]}, "
            f"{torch.get_num_threads()} threads: {1 / s:.3f} it/s ({s:.2f} s/it, {extra}); CPU time {cpu:.2f} s/it")


def compare(a):
    """The table of --baseline: this checkout and the baseline, alternately, in fresh processes."""
    common = ["--preset", a.preset, "--batch", str(a.batch), "--crop", str(a.crop), "--distance", a.distance,
              "--iters", str(a.iters), "--threads", str(a.threads), "--data", *map(os.path.abspath, a.data)]
    ours = common + ["--amp", a.amp]
    rates = {}
    for r in range(a.rounds):
        for stage in a.stages:
            for who, cwd, args in (("before", a.baseline, common), ("after", None, ours)):
                out = subprocess.run([sys.executable, "-m", "trainer.bench", *args, "--stage", stage], cwd=cwd,
                                     capture_output=True, text=True, check=True).stdout
                wall = float(re.search(r"([\d.]+) it/s", out).group(1))
                cpu = float(re.search(r"CPU time ([\d.]+) s/it", out).group(1))
                rates.setdefault((stage, who), []).append((wall, cpu))
                print(f"round {r + 1} {stage} {who}: {out.strip().splitlines()[-1]}", flush=True)
    # CPU seconds per iteration are the steadier measure on a shared machine (wall time moves with the others' load)
    print("\n| stage | before it/s | after it/s | ratio | before CPU s/it | after CPU s/it | ratio |\n"
          "|---|---|---|---|---|---|---|")
    for stage in a.stages:
        (bw, bc), (nw, nc) = ([statistics.median(x) for x in zip(*rates[stage, w])] for w in ("before", "after"))
        print(f"| {stage} | {bw:.3f} | {nw:.3f} | {nw / bw:.2f}× | {bc:.2f} | {nc:.2f} | {bc / nc:.2f}× |")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m trainer.bench")
    p.add_argument("--preset", default="S")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--crop", type=int, default=128)
    p.add_argument("--distance", default="charbonnier")
    p.add_argument("--stage", default="ct", choices=["warmup", "ct", "dtm"])
    p.add_argument("--iters", type=int, default=12)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--amp", default="auto", help="auto (bf16 where the CPU has it natively) | bf16 | fp16 | off")
    p.add_argument("--degradation", default="bicubic", help="bicubic | realesrgan (matters with --loop)")
    p.add_argument("--loop", action="store_true", help="time the training loop, data loading included")
    p.add_argument("--workers", type=int, default=0, help="with --loop: data worker processes")
    p.add_argument("--data", nargs="+", default=["../shared/data/train/BSDS500/train"])
    p.add_argument("--baseline", help="a checkout of an earlier trainer to compare with (a table with ratios)")
    p.add_argument("--stages", nargs="+", default=["ct", "dtm"], help="with --baseline: the stages to compare")
    p.add_argument("--rounds", type=int, default=2, help="with --baseline: alternating rounds (median taken)")
    a = p.parse_args(argv)
    if a.baseline:
        return compare(a)
    print(line(a), flush=True)


if __name__ == "__main__":
    main()
