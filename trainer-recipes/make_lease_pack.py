"""The training photos and LPIPS weights packed small enough for a GPU window: the device tool carries the whole
working tree and the pack in 64 MiB, and ../shared does not travel.

    /usr/bin/python3 trainer-recipes/make_lease_pack.py [--shared ../shared] [--out .gpupack] [--budget-mib N]

The budget defaults to what the tracked files leave of 64 MiB (less half a MiB). The LPIPS weights go in first; then
photos, taken in turn from BSDS500 (as they are), T91 and the wallpapers (downscaled ×3, longest side ≤ 1600, as
the configs load them; both re-encoded as JPEG q95 4:4:4), until the budget is spent. Add the output folder to
.git/info/exclude and name it in the run's `carry`; gpu_window.py reads it with --pack.
"""
import argparse
import io
import itertools
import os
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from trainer.data import list_images, open_image  # noqa: E402

MIB = 2 ** 20
# (folder under data/train, downscale, max side, re-encode)
SOURCES = (("BSDS500/train", 1, 0, False), ("BSDS500/test", 1, 0, False), ("T91/HR", 1, 0, True),
           ("ElementaryWallpapers/HR", 3, 1600, True))


def tracked_bytes():
    out = subprocess.run(["git", "ls-files", "-z"], capture_output=True, check=True).stdout
    return sum(os.path.getsize(p) for p in out.decode().split("\0") if p and os.path.isfile(p))


def jpeg_bytes(img, quality=95):
    arr = (img.permute(1, 2, 0).numpy() * 255).round().clip(0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=quality, subsampling=0)
    return buf.getvalue()


def photos(shared):
    """(source path, pack path under data/train, bytes or None to copy as is), the folders taken in turn."""
    per_source = []
    for sub, downscale, max_side, encode in SOURCES:
        folder = os.path.join(shared, "data", "train", sub)
        per_source.append([(p, sub, downscale, max_side, encode) for p in list_images(folder)]
                          if os.path.isdir(folder) else [])
    for item in itertools.chain.from_iterable(itertools.zip_longest(*per_source)):
        if item is None:
            continue
        path, sub, downscale, max_side, encode = item
        name = os.path.splitext(os.path.basename(path))[0] + ".jpg" if encode else os.path.basename(path)
        # the pack keeps one BSDS500 folder: gpu_window.py lists the pack's folders by name
        dst = os.path.join("BSDS500/train" if sub.startswith("BSDS500") else sub, name)
        yield path, dst, jpeg_bytes(open_image(path, downscale, max_side)) if encode else None


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default="../shared")
    p.add_argument("--out", default=".gpupack")
    p.add_argument("--budget-mib", type=float, help="default: 64 MiB less the tracked files, less 0.5 MiB")
    a = p.parse_args(argv)
    budget = a.budget_mib * MIB if a.budget_mib else 64 * MIB - tracked_bytes() - MIB // 2
    lpips = os.path.join(a.shared, "weights", "lpips-squeeze")
    shutil.copytree(lpips, os.path.join(a.out, "weights", "lpips-squeeze"), dirs_exist_ok=True)
    used = sum(os.path.getsize(os.path.join(lpips, f)) for f in os.listdir(lpips))
    count = 0
    for src, dst, data in photos(a.shared):
        size = len(data) if data is not None else os.path.getsize(src)
        if used + size > budget:
            break
        target = os.path.join(a.out, "data", "train", dst)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if data is None:
            shutil.copy(src, target)
        else:
            with open(target, "wb") as f:
                f.write(data)
        used, count = used + size, count + 1
    print(f"pack {a.out}: {count} photos and the LPIPS weights, {used / MIB:.1f} of {budget / MIB:.1f} MiB")
    if count < 40:
        print("warning: fewer than 40 photos fit; a GPU segment on so few overfits. Make room in the tracked files "
              "(e.g. older checkpoints to git history) or pass --budget-mib", file=sys.stderr)


if __name__ == "__main__":
    main()
