"""The `evaluate` and `make-eval-set` commands (`python -m trainer …`, trainer/README.md): a table on stderr, the
results as a `metrics` or `eval-set` message and, with --json, in a file."""
import json
import os

from . import protocol
from .evaluate import load_lpips, evaluate, load_niqe, score_dirs, seed_spread, table
from .make_eval_set import make_eval_set
from .protocol import log
from .sampling import sigmas_for


def main(args):
    if getattr(args, "spread", None):
        return main_spread(args)
    if getattr(args, "sr_dir", None):
        return main_score_dirs(args)
    from .checkpoint import load_for_inference
    net, sched = (load_for_inference(args.checkpoint, ema=not args.raw) if args.checkpoint else (None, None))
    lp, nq = load_lpips(args.lpips), load_niqe(args.niqe)
    counts = args.step_counts or [None]
    res = {}
    for n in counts:  # --step-counts 1 2: the app's σ lists, one result per set and count ("Set5/2")
        r = evaluate(net, args.sets, args.eval_root, lp, sigmas_for(n) if n else args.steps, args.seed,
                     args.max_images, sched=sched, niqe_params=nq, spread_seeds=args.spread_seeds,
                     lr_only=args.lr_only or ())
        res.update({f"{k}/{n}" if len(counts) > 1 else k: v for k, v in r.items()})
    log(table(res))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    protocol.metrics(res)
    return 0


def main_score_dirs(args):
    """`evaluate --sr-dir`: score images produced elsewhere. JSON: score_dirs' dict (an infinite PSNR, SR == HR,
    is written as null: JSON has no Infinity)."""
    if args.checkpoint:
        raise ValueError("--sr-dir scores images that already exist; leave out --checkpoint")
    nq = load_niqe(args.niqe)
    if not args.hr_dir and nq is None:
        raise ValueError("--sr-dir without --hr-dir scores by NIQE alone, and its parameters were not found: pass "
                         "--hr-dir (the ground-truth images, matched by file stem) or --niqe DIR")
    res = score_dirs(args.sr_dir, args.hr_dir, args.lr_dir, args.scale,
                     load_lpips(args.lpips) if args.hr_dir else None, niqe_params=nq)
    name = args.name or os.path.basename(os.path.normpath(args.sr_dir))
    log(table({name: res}))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(protocol.clean(res), f, indent=2)
    protocol.metrics({name: {k: v for k, v in res.items() if k != "per_image"}})
    return 0


def main_spread(args):
    """`evaluate --spread DIR DIR …`: the seed spread of one set's outputs made elsewhere under several seeds."""
    res = seed_spread(args.spread)
    log(f"seed spread over {len(args.spread)} seeds: {res['spread']:.4f} levels (mean per-pixel std), "
        f"{res['images']} image(s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    protocol.metrics({args.name or "spread": {"spread": res["spread"], "images": res["images"]}})
    return 0


def main_make_eval_set(args):
    info = make_eval_set(args.hr_dir, args.out, args.degradation, args.seed, args.scale, args.max_images,
                         args.lr_dir, args.quality, args.skip)
    log(f"make-eval-set: {len(info['images'])} images ({args.degradation}, seed {args.seed}) in {args.out}")
    protocol.eval_set(os.path.abspath(args.out), len(info["images"]), args.degradation, args.seed, args.scale)
    return 0
