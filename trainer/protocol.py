"""The JSON-lines protocol the app reads on stdout (docs/trainer-protocol.md): one function per message kind, so
each message has one shape wherever it is sent, and shared/training/trainer-messages.ts can describe every one.
Human-readable logs go to stderr only (`log`)."""
import json
import math
import sys


def clean(v):
    """v with NaN and infinities as None: JSON has no such numbers, and the app's parser would reject the line."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    return v


def _emit(kind, **fields):
    sys.stdout.write(json.dumps(clean({"type": kind, **fields})) + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------- a training run

def heldout(lr_dir, hr_dir, count):
    """Where a fine-tuning run wrote its held-out pairs (the app scores them at the end)."""
    _emit("heldout", lrDir=lr_dir, hrDir=hr_dir, count=count)


def started(step, total, pairs, resumed, device, name):
    """A fine-tuning run began (step > 0 on a resume); device: cpu | cuda | mps, name: the device's name."""
    _emit("started", step=step, total=total, pairs=pairs, resumed=resumed, device=device, name=name)


def progress(step, total, losses, lr, it_per_sec, eta_sec, **extra):
    """Extra fields (stage, intervals, gradNorm, skipped, dtmCheck) are informative; the app needs the named ones.
    stage: warmup | ct | dtm (config.STAGES)."""
    _emit("progress", step=step, total=total, losses=losses, lr=lr, itPerSec=it_per_sec, etaSec=eta_sec,
          **{k: v for k, v in extra.items() if v is not None})


def preview(step, path, pair=None, base=None, current=None):
    """A preview strip written at path. pair: what was scored (a held-out pair's stem, or a validation set's name);
    base and current: its scores ({psnr[, ssim][, lpips]}) under the reference (the base model, or bicubic) and the
    weights being trained; None when nothing was scored."""
    metrics = {"base": base, "current": current} if base is not None else None
    _emit("preview", step=step, path=path, pair=pair, metrics=metrics)


def checkpoint(path, step, **extra):
    """A checkpoint written at path; extra: slim, blend (what `slim` and `blend` made)."""
    _emit("checkpoint", path=path, step=step, **extra)


def exported(onnx, manifest):
    _emit("exported", onnx=onnx, manifest=manifest)


def stopped(step=None, reason=None):
    """The run stopped when asked (step: where it checkpointed) or was interrupted (reason)."""
    _emit("stopped", **({"step": step} if step is not None else {}), **({"reason": reason} if reason else {}))


def error(message):
    _emit("error", message=message)


# ---------------------------------------------------------------- scoring and campaigns

def metrics(results):
    """`evaluate`'s results: {set: {model?, bicubic?, images, spread?}} (the app reads the --json file instead)."""
    _emit("metrics", results=results)


def eval_set(out, images, degradation, seed, scale):
    _emit("eval-set", out=out, images=images, degradation=degradation, seed=seed, scale=scale)


def campaign_score(step, results, seconds):
    _emit("campaignScore", step=step, results=results, seconds=seconds)


def campaign_checkpoint(path, step, hours):
    _emit("campaignCheckpoint", path=path, step=step, hours=hours)


def log(*args):
    print(*args, file=sys.stderr, flush=True)
