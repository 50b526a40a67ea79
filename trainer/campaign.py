"""A training campaign: one model trained in time-boxed segments on whatever machine is at hand, carried on from one
working period to the next, with a committed learning curve.

    python -m trainer campaign --name detail [--minutes 170] [--device auto] [--set KEY=VALUE ...]
    python -m trainer campaign --name detail --arm lambda-0.5 --iterations 1200 --set dtm.lambda_dtm=0.5
    python -m trainer campaign --name detail --plot | --table     # curve.png, or the curve as a Markdown table

trainer/campaigns/<name>/ is committed:
  campaign.yaml   the plan: the train config and its overrides, where the campaign started, what is scored and how often
  checkpoint.pt   where the campaign stands: slim EMA weights (float16) and DTM's f_θ' (float16, or a reference to the
                  plan's start_from when it is still those weights) with the step and, in history.campaign, every
                  segment (machine, device, steps, wall time, the overrides it ran with)
  curve.csv       one row per scoring of the EMA weights: step, stage, campaign hours, device, PSNR / LPIPS / NIQE per set
  NOTES.md        why the plan changed when it did
trainer/runs/campaign-<name>/ is the segment's work folder (full checkpoint with the optimiser, train.log, and
scored/step-<N>.pt, the slim weights of each row of the curve, to ship a peak from): a later
segment on the same machine resumes from it exactly; on a new machine (a fresh clone, a GPU window) the campaign
carries on from the committed slim checkpoint (f_θ' as it was), and the optimiser restarts.

An arm tries one change of the plan (its --set overrides) from where the campaign stands without moving it: it carries
on from the committed checkpoint into trainer/campaigns/<name>/arms/<arm>/ (curve.csv committed, checkpoint.pt not) and
its own work folder. Arms of equal --iterations compare one setting each; the winner's setting goes into the plan. An
arm run again (with the same --set) goes on from its own work folder, so an arm can be run longer later.

A segment ends at --minutes, after --iterations, or on SIGTERM/Ctrl-C (a scoring under way is abandoned between two
images, and its step gets no row); then the full checkpoint is written and slimmed into the committed one, ready to
commit. Scoring samples the plan's `score.steps` (a σ list, default [1]: one step at
σ = 1; [1, 0.5] for a model shipped to sample in two steps), seed 0, on fixed sets, made once with `make_eval_set`
into trainer/runs/eval-sets/ so every row of the curve scores the same pixels.
"""
import copy
import csv
import json
import os
import platform
import shutil
import signal
import time

import torch
import yaml

from . import checkpoint, config as config_mod, protocol, train
from .evaluate import ScoringStopped, evaluate, load_lpips, load_niqe, table as eval_table
from .data import list_images
from .make_eval_set import make_eval_set
from .protocol import log

CURVE_FIELDS = ("step", "stage", "hours", "device", "kind")
METRICS = ("psnr", "lpips", "niqe")


# ---------------------------------------------------------------- the plan and its files

class Campaign:
    def __init__(self, name, campaigns="trainer/campaigns", runs="trainer/runs", shared=None, arm=None):
        self.name, self.arm = name, arm
        self.dir = os.path.join(campaigns, name)
        self.work = os.path.join(runs, f"campaign-{name}" + (f"-arm-{arm}" if arm else ""))
        self.sets_dir = os.path.join(runs, "eval-sets")
        spec_path = os.path.join(self.dir, "campaign.yaml")
        if not os.path.isfile(spec_path):
            raise FileNotFoundError(f"no campaign named {name!r}: {spec_path} does not exist")
        with open(spec_path) as f:
            text = f.read()
        # {shared} in the plan: ../shared here, the packed copy on a GPU window
        shared = shared or os.path.join("..", "shared")
        self.spec = yaml.safe_load(text.replace("{shared}", shared))
        # where the campaign stands: an arm starts from it and writes its own checkpoint and curve
        self.start = os.path.join(self.dir, "checkpoint.pt")
        self.out = os.path.join(self.dir, "arms", arm) if arm else self.dir
        os.makedirs(self.out, exist_ok=True)
        self.checkpoint = os.path.join(self.out, "checkpoint.pt")
        self.curve = os.path.join(self.out, "curve.csv")

    def scored(self, step):
        """The slim EMA weights scored at `step`, kept in the work folder."""
        return os.path.join(self.work, "scored", f"step-{step}.pt")

    def config(self, sets=()):
        """The train config of the plan, with this segment's --set overrides (machine-specific: device, threads,
        data folders of a pack) on top."""
        cfg = config_mod.load(self.spec.get("config"), None, self.work)
        cfg = config_mod.merge(cfg, copy.deepcopy(self.spec.get("train", {})))
        cfg = config_mod.merge(cfg, config_mod.parse_set(sets))
        cfg["out"] = self.work
        return cfg

    def score_sets(self):
        """{label: (folder, lr_only)} of the plan's `score.sets`: what every row scores."""
        return self._sets((self.spec.get("score") or {}).get("sets"))

    def holdout_sets(self):
        """{label: (folder, lr_only)} of the plan's `holdout`: images no row scores and nothing trains on, to choose
        what ships by (a blend, a row) without choosing on the curve's own images."""
        return self._sets(self.spec.get("holdout"))

    def _sets(self, entries):
        """A folder holding HR/ and LR_x<s>/ (sets with `make` parameters are written once into the runs folder), or
        with `lr_only` a folder of photos as they are, scored by NIQE alone (`skip` / `max_images`: a range of it
        by name, copied once)."""
        out = {}
        for label, entry in (entries or {}).items():
            entry = entry or {}
            folder = os.path.join(self.sets_dir, label)
            if "make" in entry:
                if not os.path.isfile(os.path.join(folder, "eval-set.json")):
                    m = entry["make"]
                    log(f"campaign: making the evaluation set {label} in {folder}")
                    make_eval_set(m["hr_dir"], folder, m.get("degradation", "realesrgan"), m.get("seed", 0),
                                  m.get("scale", 4), m.get("max_images", 0), m.get("lr_dir"), m.get("quality", 20),
                                  m.get("skip", 0))
                out[label] = (folder, False)
            elif "lr_only" in entry and ("skip" in entry or "max_images" in entry):
                out[label] = (photo_range(entry["lr_only"], folder, entry.get("skip", 0), entry.get("max_images", 0)),
                              True)
            elif "lr_only" in entry:
                out[label] = (entry["lr_only"], True)
            else:
                out[label] = (entry["path"], False)
        return out


def by_kind(sets):
    """The folders of `_sets`' result as (paired sets, photos scored by NIQE alone)."""
    return ([folder for folder, lr_only in sets.values() if not lr_only],
            [folder for folder, lr_only in sets.values() if lr_only])


def photo_range(src, out, skip, max_images):
    """Copies images skip … skip + max_images of `src` (by name) into `out` once; photos.json, written last, lists
    them, so a folder holding it is complete."""
    marker = os.path.join(out, "photos.json")
    if not os.path.isfile(marker):
        files = list_images(src, recursive=False)[skip:]
        files = files[:max_images] if max_images else files
        if not files:
            raise FileNotFoundError(f"no images in {src} after the first {skip}")
        os.makedirs(out, exist_ok=True)
        for path in files:
            shutil.copyfile(path, os.path.join(out, os.path.basename(path)))
        with open(marker, "w") as f:
            json.dump({"source": os.path.abspath(src), "images": [os.path.basename(p) for p in files]}, f, indent=1)
    return out


# ---------------------------------------------------------------- the curve

def curve_header(labels):
    return list(CURVE_FIELDS) + [f"{label} {m}" for label in labels for m in METRICS]


def check_curve(path, labels):
    """A curve that scored a set the plan no longer scores is an error, raised before any training: rows of
    different sets do not make one curve. A set the plan adds becomes new columns, empty in the earlier rows."""
    if not os.path.isfile(path):
        return
    with open(path, newline="") as f:
        have = next(csv.reader(f), None)
    want = curve_header(labels)
    if have == want:
        return
    if have is None or not set(have) <= set(want):
        raise ValueError(f"{path} has the columns {have}, the plan scores {curve_header(labels)}: keep the plan's "
                         f"sets, or name a new campaign")
    rows = read_curve(path)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=want, restval="")
        w.writeheader()
        w.writerows(rows)


def append_row(path, labels, row):
    check_curve(path, labels)
    header = curve_header(labels)
    exists = os.path.isfile(path)
    with open(path, "a", newline="") as f:
        w = csv.writer(f)
        if not exists:
            w.writerow(header)
        w.writerow([row.get(k, "") for k in header])


def read_curve(path):
    if not os.path.isfile(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def scored_row(results, kind):
    """{'<set> psnr': …} of one method ('model' or 'bicubic') of evaluate()'s results, rounded for the file."""
    digits = {"psnr": 3, "lpips": 4, "niqe": 3}
    row = {}
    for label, r in results.items():
        for m in METRICS:
            if m in r[kind]:
                row[f"{label} {m}"] = round(r[kind][m], digits[m])
    return row


# ---------------------------------------------------------------- one segment

def machine():
    """A short name of the machine the segment runs on, for the lineage."""
    if torch.cuda.is_available():
        return torch.cuda.get_device_name()
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        model = ""
    return f"{model or platform.processor() or 'CPU'}, {os.cpu_count()} cores"


class Segment:
    """The after_step hook of one segment: scores every `every` steps, ends the segment at its time box or
    iteration cap, and keeps the campaign's wall clock."""

    def __init__(self, camp, trainer, minutes, iterations, score=True, every=0):
        self.camp, self.tr = camp, trainer
        s = camp.spec.get("score", {})
        self.every = (every or int(s.get("every", 0))) if score else 0
        self.max_images = int(s.get("max_images", 0))
        # the σ list every row samples with: the shipped model's own (its manifest's steps); one per campaign, since
        # rows sampled differently do not make one curve
        self.sigmas = [float(x) for x in s.get("steps", [1.0])]
        self.sets = camp.score_sets() if self.every else {}
        self.niqe = load_niqe(s.get("niqe_dir")) if self.every else None
        if self.every:
            check_curve(camp.curve, list(self.sets))
        self.t0, self.start_step = time.time(), trainer.step
        self.deadline = self.t0 + minutes * 60 if minutes else None
        self.last_step = trainer.step + iterations if iterations else None
        self.past_s = trainer.history.get("campaign", {}).get("wall_s", 0.0)
        self.device = str(trainer.device)

    def hours(self):
        return (self.past_s + time.time() - self.t0) / 3600

    def __call__(self, tr):
        if self.every and tr.step % self.every == 0:
            self.score()
        if (self.deadline and time.time() >= self.deadline) or (self.last_step and tr.step >= self.last_step):
            tr.stop_requested = True

    @torch.no_grad()
    def score(self, kinds=("model",)):
        tr = self.tr
        t = time.time()
        base = {"step": tr.step, "stage": tr.cfg.stage_at(max(tr.step - 1, 0)), "hours": round(self.hours(), 3),
                "device": self.device}
        paired, photos = by_kind(self.sets)
        try:
            res = evaluate(tr.ema.eval(), paired, lpips=tr.lpips, steps=self.sigmas, seed=0,
                           max_images=self.max_images, device=tr.device, sched=tr.sched, niqe_params=self.niqe,
                           lr_only=photos, should_stop=lambda: train._STOP[0], bicubic="bicubic" in kinds)
        except ScoringStopped:
            # a stop request ends the segment now, not after minutes of scoring; the weights are checkpointed anyway
            log(f"campaign: stop requested while scoring step {tr.step}: no row for it")
            self.t0 += time.time() - t
            return
        res = {label: res[os.path.basename(os.path.normpath(folder))] for label, (folder, _) in self.sets.items()}
        for kind in kinds:
            row = {**base, "kind": "ema" if kind == "model" else kind, **scored_row(res, kind)}
            append_row(self.camp.curve, list(self.sets), row)
        protocol.campaign_score(tr.step, {k: v["model"] for k, v in res.items()}, round(time.time() - t, 1))
        # the weights of every scored row stay at hand (work folder, not committed): a curve that peaks between
        # segments can ship its best row, not only where the campaign stands
        checkpoint.save(self.camp.scored(tr.step), checkpoint.slim_state(tr.state()))
        self.t0 += time.time() - t  # scoring is not training time: the curve's hours count training only

    def record(self, overrides):
        """This segment in the trainer's history, so the full and the slim checkpoint both carry it."""
        camp = self.tr.history.setdefault("campaign", {"name": self.camp.name, "wall_s": 0.0, "segments": []})
        wall = time.time() - self.t0
        camp["wall_s"] = round(self.past_s + wall, 1)
        camp["segments"].append({"machine": machine(), "device": self.device, "fromStep": self.start_step,
                                 "toStep": self.tr.step, "wallSeconds": round(wall, 1), "overrides": list(overrides),
                                 "ended": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})


def start_trainer(camp, cfg):
    """Exact resume from the work folder when it is at least as far as the committed checkpoint, or always for an
    arm (its own lineage: an arm run again goes on where it stopped, even after the campaign moved on; a new arm name
    starts from where the campaign stands); else carry on from the committed checkpoint; else begin at the plan's
    start."""
    work_ck = os.path.join(camp.work, "checkpoint.pt")
    committed = checkpoint.load(camp.start)["step"] if os.path.isfile(camp.start) else None
    if os.path.isfile(work_ck) and (camp.arm or committed is None or checkpoint.load(work_ck)["step"] >= committed):
        log(f"campaign: resuming {work_ck}")
        return train.Trainer(cfg, resume=True)
    if committed is not None:
        log(f"campaign: carrying on from {camp.start} at step {committed}")
        return train.Trainer({**cfg, "init_from": camp.start}, carry_on=True)
    scored = [int(r["step"]) for r in read_curve(os.path.join(camp.dir, "curve.csv")) if r["kind"] == "ema"]
    if max(scored, default=0) > 0:
        raise FileNotFoundError(f"campaign {camp.name} was scored up to step {max(scored)} (curve.csv) but {camp.start} "
                                f"is missing: restore it from git history (git log -- {camp.start}); starting again "
                                f"would write a second curve into the first")
    start = camp.spec.get("start_from")
    log(f"campaign: starting from {start or 'freshly initialised weights'}")
    return train.Trainer({**cfg, "init_from": start})


def run_segment(name, minutes=0, iterations=0, sets=(), device=None, campaigns="trainer/campaigns",
                runs="trainer/runs", shared=None, score=True, arm=None, score_every=0):
    camp = Campaign(name, campaigns, runs, shared, arm)
    cfg = camp.config(sets)
    if device:
        cfg["device"] = device
    tr = start_trainer(camp, cfg)
    seg = Segment(camp, tr, minutes, iterations, score, score_every)
    if seg.every and not read_curve(camp.curve):
        seg.score(kinds=("bicubic", "model"))  # the first rows: bicubic and the weights the campaign starts from
    tr.run(after_step=seg)
    seg.record(sets)
    tr.save()
    step = checkpoint.slim(os.path.join(camp.work, "checkpoint.pt"), camp.checkpoint, keep_frozen=True,
                           frozen_same_as=camp.spec.get("start_from"))
    protocol.campaign_checkpoint(os.path.abspath(camp.checkpoint), step, round(seg.hours(), 3))
    return 0


def main(args):
    if args.nice:
        os.nice(args.nice)
    signal.signal(signal.SIGTERM, train._on_signal)
    signal.signal(signal.SIGINT, train._on_signal)
    if args.plot:
        return plot(Campaign(args.name, args.campaigns, args.runs, arm=args.arm))
    if args.table:
        print(table(Campaign(args.name, args.campaigns, args.runs, arm=args.arm)))
        return 0
    if args.holdout:
        return holdout(Campaign(args.name, args.campaigns, args.runs, args.shared), args.holdout)
    return run_segment(args.name, args.minutes, args.iterations, args.set, args.device, args.campaigns, args.runs,
                       args.shared, not args.no_score, args.arm, args.score_every)


def holdout(camp, checkpoints):
    """Bicubic and each checkpoint on the plan's held-out sets, sampled as the rows are (σ list, seed 0, every image):
    a table on stderr and a `metrics` message per checkpoint."""
    sets = camp.holdout_sets()
    if not sets:
        raise ValueError(f"campaign {camp.name} names no held-out sets: add a `holdout` section to {camp.dir}/campaign.yaml")
    score = camp.spec.get("score") or {}
    paired, photos = by_kind(sets)
    lpips, niqe = load_lpips(None), load_niqe(score.get("niqe_dir"))
    for ck in checkpoints:
        net, sched = checkpoint.load_for_inference(ck)
        res = evaluate(net, paired, lpips=lpips, steps=[float(x) for x in score.get("steps", [1.0])], seed=0,
                       sched=sched, niqe_params=niqe, lr_only=photos)
        log(f"{ck}, {sampling(camp)}, seed 0:\n{eval_table(res)}")
        protocol.metrics(res)
    return 0


# ---------------------------------------------------------------- the plot and the table

def sampling(camp):
    """How the plan scores, in words: "1 step" or "2 steps (σ 1, 0.5)"."""
    steps = camp.spec.get("score", {}).get("steps") or [1]
    return "1 step" if len(steps) == 1 else f"{len(steps)} steps (σ {', '.join(f'{s:g}' for s in steps)})"


def curve_labels(rows):
    """The scored sets in the curve's column order (a NIQE-only set has no PSNR column)."""
    labels = []
    for column in rows[0]:
        label, _, metric = column.rpartition(" ")
        if metric in METRICS and label not in labels:
            labels.append(label)
    return labels


def table(camp):
    """curve.csv as a Markdown table (models/README.md's form): bicubic, then each scoring of the EMA weights."""
    rows = read_curve(camp.curve)
    if not rows:
        raise FileNotFoundError(f"{camp.curve} has no rows yet")
    labels = curve_labels(rows)
    present = {label: [m for m in METRICS if any(r.get(f"{label} {m}") for r in rows)] for label in labels}
    digits = {"psnr": 2, "lpips": 3, "niqe": 2}

    def cell(r, label):
        values = [r.get(f"{label} {m}") for m in present[label]]
        return " / ".join(f"{float(v):.{digits[m]}f}" if v else "–" for v, m in zip(values, present[label]))

    head = ["step"] + [f"{label} {' / '.join(m.upper() for m in present[label])}" for label in labels]
    lines = ["| " + " | ".join(head) + " |", "|---:|" + "---|" * len(labels)]
    bicubic = next((r for r in rows if r["kind"] == "bicubic"), None)
    for r in ([bicubic] if bicubic else []) + [r for r in rows if r["kind"] == "ema"]:
        first = "bicubic" if r["kind"] == "bicubic" else f"{int(r['step']):,}"
        lines.append("| " + " | ".join([first] + [cell(r, label) for label in labels]) + " |")
    return f"campaign {camp.name}{f' arm {camp.arm}' if camp.arm else ''}, {sampling(camp)}, seed 0\n\n" + \
        "\n".join(lines)


def figure(camp):
    """The curve as a matplotlib figure: per set and metric, the EMA weights against the step, bicubic as a dashed
    line; a metric a set has no values for (PSNR and LPIPS of a NIQE-only set) gets no empty panel."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = read_curve(camp.curve)
    if not rows:
        raise FileNotFoundError(f"{camp.curve} has no rows yet")
    labels = curve_labels(rows)
    fig, axes = plt.subplots(3, len(labels), figsize=(4 * len(labels), 8), squeeze=False, sharex=True)
    ema = [r for r in rows if r["kind"] == "ema"]
    bic = next((r for r in rows if r["kind"] == "bicubic"), None)
    for j, label in enumerate(labels):
        for i, m in enumerate(METRICS):
            ax, key = axes[i][j], f"{label} {m}"
            pts = [(int(r["step"]), float(r[key])) for r in ema if r.get(key)]
            if pts:
                ax.plot(*zip(*pts), marker=".", label="EMA weights")
            if bic and bic.get(key):
                ax.axhline(float(bic[key]), linestyle="--", color="grey", label="bicubic")
            if not ax.lines:
                ax.set_visible(False)
                continue
            ax.set_title(f"{label}: {m.upper()}", fontsize=9)
            ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("iteration")
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"campaign {camp.name}: {sampling(camp)}, seed 0 ({len(ema)} scorings)")
    fig.tight_layout()
    return fig


def plot(camp):
    """curve.png beside curve.csv."""
    fig = figure(camp)
    out = os.path.join(camp.out, "curve.png")
    fig.savefig(out, dpi=80)
    log(f"campaign: wrote {out}")
    return 0
