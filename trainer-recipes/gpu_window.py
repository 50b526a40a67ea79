"""Carry a campaign on through a short GPU window and bring its checkpoint, curve and log back.

On the lent machine, from the repository root (the pack made beforehand by make_lease_pack.py and carried):

    python3 trainer-recipes/gpu_window.py --name detail-2step --minutes 9 --pack .gpupack --out "$OUT"

It runs one segment of `python -m trainer campaign` (time-boxed to --minutes, device from --device, this machine's
data folders from the pack, data workers from its cores; without scoring unless --score, since the scoring sets are
not in the pack: the next CPU segment scores), then copies trainer/campaigns/<name>/checkpoint.pt and
curve.csv and the segment's log into --out. Back here, copy the two files over trainer/campaigns/<name>/ and commit
them: the next local segment carries on from the GPU's checkpoint (it is ahead of the local work folder).
The segment's lineage entry records the GPU and the overrides it ran with.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

PACK_TRAIN = ("T91/HR", "ElementaryWallpapers/HR", "BSDS500/train")


def window_overrides(pack, workers):
    """The plan's data folders as the pack holds them (wallpapers already downscaled, so no `downscale`)."""
    dirs = ", ".join(os.path.join(pack, "data", "train", d) for d in PACK_TRAIN
                     if os.path.isdir(os.path.join(pack, "data", "train", d)))
    return [f"data.hr_dirs=[{dirs}]", f"data.workers={workers}", f"lpips.dir={os.path.join(pack, 'weights', 'lpips-squeeze')}"]


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--name", default="detail-2step")
    p.add_argument("--minutes", type=float, default=9.0, help="the segment's time box (the window's limit is 10)")
    p.add_argument("--iterations", type=int, default=0, help="end after this many iterations instead (tests)")
    p.add_argument("--pack", default=".gpupack")
    p.add_argument("--out", default=os.environ.get("OUT", "/tmp/out"))
    p.add_argument("--device", default="auto")
    p.add_argument("--workers", type=int, default=max(1, min(8, (os.cpu_count() or 2) - 2)))
    p.add_argument("--campaigns", default="trainer/campaigns")
    p.add_argument("--runs", default="trainer/runs")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="more overrides (e.g. threads)")
    p.add_argument("--score", action="store_true", help="score into the curve here too (needs the plan's sets on "
                                                        "this machine; by default the next CPU segment scores)")
    a = p.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    cmd = [sys.executable, "-m", "trainer", "campaign", "--name", a.name, "--minutes", str(a.minutes),
           "--iterations", str(a.iterations), "--device", a.device, "--shared", a.pack, "--nice", "0",
           "--campaigns", a.campaigns, "--runs", a.runs] + ([] if a.score else ["--no-score"])
    for s in window_overrides(a.pack, a.workers) + a.set:
        cmd += ["--set", s]
    log_path = os.path.join(a.out, "campaign.log")
    with open(log_path, "w") as log:
        rc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT).returncode
    camp = os.path.join(a.campaigns, a.name)
    for f in ("checkpoint.pt", "curve.csv"):
        if os.path.isfile(os.path.join(camp, f)):
            shutil.copy(os.path.join(camp, f), os.path.join(a.out, f))
    print(f"gpu window: campaign {a.name} rc {rc} in {time.time() - t0:.0f} s; {sorted(os.listdir(a.out))}",
          flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
