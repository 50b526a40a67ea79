"""JSON-lines protocol the app reads on stdout (DESIGN §6). Human-readable logs go to stderr only."""
import json
import math
import sys


def _clean(v):
    # JSON has no NaN/Infinity; the app's parser would reject the whole line.
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def emit(kind, **fields):
    sys.stdout.write(json.dumps(_clean({"type": kind, **fields})) + "\n")
    sys.stdout.flush()


def progress(step, total, losses, lr, it_per_sec, eta_sec, **extra):
    """Extra fields (stage, intervals, gradNorm, skipped) are informative; the app needs the named ones."""
    emit("progress", step=step, total=total, losses=losses, lr=lr, itPerSec=it_per_sec, etaSec=eta_sec,
         **{k: v for k, v in extra.items() if v is not None})


def log(*args):
    print(*args, file=sys.stderr, flush=True)
