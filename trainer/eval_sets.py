"""Evaluation sets on disk: a benchmark set (<set>/HR, <set>/LR_x<s>, under ../shared/data/eval or a folder given
directly), a folder of LR photos without ground truth, and images matched across folders by file stem."""
import os

from .data import list_images, open_image


def default_eval_root():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "shared", "data", "eval"))


def find_set(name, root):
    """The folder of a set (holding HR/ and LR_x<s>/): a set name under root, or a folder given directly."""
    base = name if os.path.isdir(name) else os.path.join(root, name)
    if not os.path.isdir(base):
        raise FileNotFoundError(f"evaluation set not found: {name} (looked in {root})")
    return base


def load_set(base, scale, max_images=0):
    hr_dir, lr_dir = os.path.join(base, "HR"), os.path.join(base, f"LR_x{scale}")
    pairs = []
    for hp in list_images(hr_dir, recursive=False):
        lp = os.path.join(lr_dir, os.path.basename(hp))
        hr = open_image(hp)
        if os.path.isfile(lp):
            lr = open_image(lp)
            hr = hr[:, : lr.shape[1] * scale, : lr.shape[2] * scale]  # HR modcrop, as the benchmarks do
        else:
            from .degrade import bicubic_down
            hr = hr[:, : hr.shape[1] // scale * scale, : hr.shape[2] // scale * scale]
            lr = bicubic_down(hr, scale)
        pairs.append((os.path.basename(hp), lr, hr))
        if max_images and len(pairs) >= max_images:
            break
    return pairs


def load_lr_only(folder, max_images=0):
    """[(name, lr01, None)] of the images in a folder of LR photos without ground truth."""
    files = list_images(folder, recursive=False)
    if not files:
        raise FileNotFoundError(f"no images in {folder}")
    files = files[:max_images] if max_images else files
    return [(os.path.basename(p), open_image(p), None) for p in files]


def by_stem(folder):
    """{file stem: path} of the images directly in folder; two files with one stem are an error."""
    out = {}
    for p in list_images(folder, recursive=False):
        stem = os.path.splitext(os.path.basename(p))[0]
        if stem in out:
            raise ValueError(f"two images named {stem!r} in {folder}: {os.path.basename(out[stem])} and "
                             f"{os.path.basename(p)}; keep one")
        out[stem] = p
    return out


def size_text(img):
    return f"{img.shape[2]}×{img.shape[1]}"
