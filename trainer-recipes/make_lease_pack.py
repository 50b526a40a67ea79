"""The training data, LPIPS weights and Set5 packed small enough for a GPU lease (the device tool carries at most
64 MiB with the repository, and ../shared does not travel).

    /usr/bin/python3 trainer-recipes/make_lease_pack.py [--shared ../shared] [--out .gpupack] [--bsds-mib 7.5]

T91 and the wallpapers (downscaled ×3, longest side ≤ 1600, as the configs load them) are re-encoded as JPEG q95
4:4:4; every third BSDS500 train/test photo is copied as it is until --bsds-mib is reached. Add the output folder to
.git/info/exclude and name it in the run's `carry`.
"""
import argparse
import os
import shutil
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from trainer.data import list_images, open_image  # noqa: E402


def save_jpeg(img, dst, quality=95):
    arr = (img.permute(1, 2, 0).numpy() * 255).round().clip(0, 255).astype(np.uint8)
    Image.fromarray(arr).save(dst, quality=quality, subsampling=0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default="../shared")
    p.add_argument("--out", default=".gpupack")
    p.add_argument("--bsds-mib", type=float, default=7.5)
    a = p.parse_args()
    for sub, downscale, max_side in [("train/T91/HR", 1, 0), ("train/ElementaryWallpapers/HR", 3, 1600)]:
        dst_dir = os.path.join(a.out, "data", sub)
        os.makedirs(dst_dir, exist_ok=True)
        for src in list_images(os.path.join(a.shared, "data", sub)):
            name = os.path.splitext(os.path.basename(src))[0] + ".jpg"
            save_jpeg(open_image(src, downscale, max_side), os.path.join(dst_dir, name))
    bsds = os.path.join(a.shared, "data", "train", "BSDS500")
    dst_dir = os.path.join(a.out, "data", "train", "BSDS500", "train")
    os.makedirs(dst_dir, exist_ok=True)
    files = sorted(os.path.join(bsds, part, f) for part in ("train", "test") for f in os.listdir(os.path.join(bsds, part)))
    total = 0
    for src in files[::3]:
        if total + os.path.getsize(src) > a.bsds_mib * 2 ** 20:
            break
        shutil.copy(src, dst_dir)
        total += os.path.getsize(src)
    shutil.copytree(os.path.join(a.shared, "weights", "lpips-squeeze"), os.path.join(a.out, "weights", "lpips-squeeze"),
                    dirs_exist_ok=True)
    shutil.copytree(os.path.join(a.shared, "data", "eval", "Set5"), os.path.join(a.out, "data", "eval", "Set5"),
                    dirs_exist_ok=True)


if __name__ == "__main__":
    main()
