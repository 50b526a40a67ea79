"""Makes the trainer print every kind of message it has, for trainer-seam.test.ts: the commands the app and people
run (in one process, so torch is imported once), and direct calls of trainer/protocol.py for what only a long run
(a campaign) or a signal produces.

    python emit-every-message.py <finetune.json> <work folder>
"""
import json
import os
import sys

from trainer import protocol
from trainer.__main__ import main

config, work = sys.argv[1], sys.argv[2]
with open(config) as f:
    finetune = json.load(f)
out = finetune["out"]
hr = os.path.dirname(finetune["source"]["train"][0]["hr"])
eval_set = os.path.join(work, "eval-set")

steps = [
    ["finetune", "--config", config],  # heldout, started, progress, preview, checkpoint, exported
    ["slim", "--checkpoint", os.path.join(out, "checkpoint.pt"), "--out", os.path.join(work, "slim.pt")],
    ["blend", "--a", os.path.join(work, "slim.pt"), "--b", os.path.join(out, "checkpoint.pt"), "--alpha", "0.5",
     "--out", os.path.join(work, "blend.pt")],
    ["make-eval-set", "--hr-dir", hr, "--degradation", "bicubic", "--max-images", "2", "--out", eval_set],
    # SR == HR: an infinite PSNR, which must arrive as null
    ["evaluate", "--sr-dir", os.path.join(eval_set, "HR"), "--hr-dir", os.path.join(eval_set, "HR"),
     "--lr-dir", os.path.join(eval_set, "LR_x4"), "--lpips", os.path.join(work, "no-lpips")],
    ["evaluate", "--spread", os.path.join(eval_set, "HR"), os.path.join(eval_set, "HR")],
    # the general training loop: warm start then CT, previews scored on a validation set
    ["train", "--out", os.path.join(work, "train"), "--set", "threads=1", "--set", "net.model_channels=16",
     "--set", f"data.hr_dirs=[{hr}]", "--set", "data.crop=32", "--set", "data.batch=2", "--set", "log_every=1",
     "--set", "warmup_iterations=1", "--set", "ct_iterations=1", "--set", "ct.distance=charbonnier",
     "--set", "checkpoint_every=0", "--set", "preview_every=2", "--set", f"val.sets=[{eval_set}]",
     "--set", "val.max_images=1", "--set", "export.enabled=false"],
]
for argv in steps:
    if main(argv) != 0:
        sys.exit(f"python -m trainer {' '.join(argv)} failed")
main(["finetune", "--config", os.path.join(work, "missing.json")])  # error

protocol.stopped(step=3)
protocol.stopped(reason="interrupted")
protocol.campaign_score(3, {"BSD100": {"psnr": 24.5, "lpips": 0.31, "niqe": float("nan")}}, 2.5)
protocol.campaign_checkpoint(os.path.join(work, "campaign.pt"), 3, 0.01)
