"""CLI: python -m trainer train|campaign|finetune|export|evaluate|make-eval-set|slim|blend|make-test-model (see trainer/README.md)."""
import argparse
import sys

from . import protocol


def _cmd_make_test_model(a):
    from .export import make_test_model
    onnx, man = make_test_model(a.kind, a.scale, a.out, a.seed, a.checkpoint)
    protocol.exported(onnx, man)


def _cmd_train(a):
    from .train import main as train_main
    return train_main(a)


def _cmd_finetune(a):
    from .finetune.run import main as finetune_main
    return finetune_main(a)


def _cmd_campaign(a):
    from .campaign import main as campaign_main
    return campaign_main(a)


def _cmd_export(a):
    from .export import main as export_main
    return export_main(a)


def _cmd_evaluate(a):
    from .evaluate_cmd import main as evaluate_main
    return evaluate_main(a)


def _cmd_slim(a):
    from .checkpoint import slim
    step = slim(a.checkpoint, a.out)
    protocol.checkpoint(a.out, step, slim=True)


def _cmd_blend(a):
    from .checkpoint import blend
    blended = blend(a.a, a.b, a.alpha, a.out)
    protocol.checkpoint(a.out, blended["step"], blend={"a": a.a, "b": a.b, "alpha": a.alpha}, slim=True)


def _cmd_make_eval_set(a):
    from .evaluate_cmd import main_make_eval_set
    return main_make_eval_set(a)


def parser():
    p = argparse.ArgumentParser(prog="python -m trainer", description="CTMSR trainer")
    sub = p.add_subparsers(dest="cmd", required=True)

    t = sub.add_parser("train", help="train (CT, then CT+DTM) from a JSON/YAML config")
    t.add_argument("--config", help="JSON or YAML config file")
    t.add_argument("--out", help="run folder (checkpoints, exports); overrides config 'out'")
    t.add_argument("--resume", action="store_true", help="continue from <out>/checkpoint.pt")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config field, e.g. --set iterations=2000 --set net.model_channels=32")
    t.set_defaults(fn=_cmd_train)

    f = sub.add_parser("finetune", help="the app's fine-tuning run: CT (+ DTM) from a base checkpoint on listed files")
    f.add_argument("--config", required=True, help="<run>/finetune.json written by the app")
    f.add_argument("--resume", action="store_true", help="continue from <out>/checkpoint.pt when it exists")
    f.add_argument("--export", action="store_true", help="only export <out>/checkpoint.pt (ONNX + manifest + .pt)")
    f.set_defaults(fn=_cmd_finetune)

    c = sub.add_parser("campaign", help="carry a named training campaign on for one time-boxed segment "
                                         "(trainer/campaigns/<name>/campaign.yaml), scoring it into its curve")
    c.add_argument("--name", required=True, help="the campaign: trainer/campaigns/<name>/")
    c.add_argument("--minutes", type=float, default=0, help="end the segment after this long (0: until stopped)")
    c.add_argument("--iterations", type=int, default=0, help="end the segment after this many iterations")
    c.add_argument("--device", help="override the plan's device (auto | cpu | cuda | mps)")
    c.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="this machine's overrides of the plan's train config (threads, data.workers, data folders)")
    c.add_argument("--shared", help="what {shared} stands for in the plan (default ../shared; a GPU window's pack)")
    c.add_argument("--campaigns", default="trainer/campaigns", help="the folder of campaigns (committed)")
    c.add_argument("--runs", default="trainer/runs", help="work folders and evaluation sets (not committed)")
    c.add_argument("--nice", type=int, default=10, help="lower this process's priority by N (0: leave it)")
    c.add_argument("--no-score", action="store_true", help="train only (a GPU window without the scoring sets)")
    c.add_argument("--arm", help="try the --set overrides from where the campaign stands, into "
                                 "trainer/campaigns/<name>/arms/<ARM>/, leaving the campaign's checkpoint alone")
    c.add_argument("--score-every", type=int, default=0, help="iterations between scorings (0: the plan's)")
    c.add_argument("--plot", action="store_true", help="only draw curve.png from curve.csv (needs matplotlib)")
    c.add_argument("--table", action="store_true", help="only print curve.csv as a Markdown table")
    c.add_argument("--holdout", nargs="+", metavar="CHECKPOINT",
                   help="only score these checkpoints (and bicubic) on the plan's held-out sets, sampled as its rows")
    c.set_defaults(fn=_cmd_campaign)

    e = sub.add_parser("export", help="export a checkpoint (EMA weights) to ONNX + manifest")
    e.add_argument("--checkpoint", help="checkpoint.pt written by train")
    e.add_argument("--out", required=True, help="output .onnx path; the manifest is written beside it")
    e.add_argument("--preset", help="export a freshly initialised net of this preset instead of a checkpoint")
    e.add_argument("--scale", type=int, default=4)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--raw", action="store_true", help="export the online weights instead of the EMA")
    e.add_argument("--name")
    e.add_argument("--metrics", help="JSON file of metrics ({set: {psnr, ssim, lpips}}) to put in the manifest")
    e.add_argument("--steps", type=float, nargs="+",
                   help="the manifest's σ list, e.g. 1 0.5: the model's own sampling in the app (default: the run's)")
    e.add_argument("--reference", help="also write reference inputs/outputs (raw float32 + JSON) to this folder")
    e.add_argument("--created-by", choices=["bundled", "imported", "fine-tuned"],
                   help="manifest createdBy (default: the run config's export.created_by; bundled for --preset)")
    e.set_defaults(fn=_cmd_export)

    v = sub.add_parser("evaluate", help="PSNR/SSIM (Y, shave=scale) and LPIPS with bicubic beside, as a table")
    v.add_argument("--checkpoint", help="checkpoint.pt (EMA weights); omit to evaluate bicubic only")
    v.add_argument("--sets", nargs="+", default=["Set5", "Set14"], help="set names under --eval-root, or folders")
    v.add_argument("--eval-root", help="folder holding <set>/HR and <set>/LR_x4 (default ../shared/data/eval)")
    v.add_argument("--lpips", help="folder with the LPIPS squeeze weights (default ../shared/weights/lpips-squeeze)")
    v.add_argument("--steps", type=float, nargs="+", default=[1.0], help="sigma list for sampling")
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--raw", action="store_true", help="evaluate the online weights instead of the EMA")
    v.add_argument("--max-images", type=int, default=0)
    v.add_argument("--json", help="write the results here as well")
    v.add_argument("--sr-dir", help="score the images in this folder (made elsewhere, e.g. by the app) instead of "
                                    "sampling a checkpoint; matched to --hr-dir (and --lr-dir) by file stem")
    v.add_argument("--hr-dir", help="with --sr-dir: ground-truth HR images")
    v.add_argument("--lr-dir", help="with --sr-dir: LR images, for bicubic beside the SR images")
    v.add_argument("--scale", type=int, default=4, help="with --sr-dir: the SR scale (also the border shaved)")
    v.add_argument("--name", help="with --sr-dir: the label in the table (default: the folder's name)")
    v.add_argument("--niqe", help="folder with niqe_pris_params.npz (default ../shared/weights/niqe); NIQE on the "
                                  "luma, crop border = --scale")
    v.add_argument("--lr-only", nargs="+", metavar="DIR", help="with --checkpoint: also folders of LR photos "
                                                               "without ground truth, scored by NIQE")
    v.add_argument("--spread-seeds", type=int, default=0, help="with --checkpoint: the seed spread over N seeds "
                                                               "(mean per-pixel std in 8-bit levels)")
    v.add_argument("--step-counts", type=int, nargs="+", help="with --checkpoint: the app's step counts (1: σ 1; "
                                                              "2: σ 1, 0.5), one result per set and count")
    v.add_argument("--spread", nargs="+", metavar="DIR", help="the seed spread of outputs made elsewhere: one "
                                                              "folder per seed, same file names")
    v.set_defaults(fn=_cmd_evaluate)

    d = sub.add_parser("make-eval-set", help="a fixed, seeded degraded copy of an HR set: OUT/HR and OUT/LR_x<scale>")
    d.add_argument("--hr-dir", required=True, help="HR images, e.g. ../shared/data/eval/BSD100/HR")
    d.add_argument("--degradation", choices=["realesrgan", "bicubic", "jpeg"], default="realesrgan",
                   help="jpeg: the set's given LR (--lr-dir) at JPEG --quality")
    d.add_argument("--lr-dir", help="with --degradation jpeg: the set's LR images, e.g. .../BSD100/LR_x4")
    d.add_argument("--quality", type=int, default=20, help="with --degradation jpeg: JPEG quality (default 20)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--scale", type=int, default=4)
    d.add_argument("--max-images", type=int, default=0, help="only the first N images (by name)")
    d.add_argument("--skip", type=int, default=0, help="leave out the first N images (by name), e.g. the scored ones")
    d.add_argument("--out", required=True, help="output folder")
    d.set_defaults(fn=_cmd_make_eval_set)

    s = sub.add_parser("slim", help="weights-only float16 copy of a checkpoint (EMA), small enough to commit")
    s.add_argument("--checkpoint", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=_cmd_slim)

    b = sub.add_parser("blend", help="network interpolation: (1 - alpha)·A + alpha·B of two checkpoints' EMA weights")
    b.add_argument("--a", required=True, help="checkpoint A (alpha = 0), e.g. the warm start")
    b.add_argument("--b", required=True, help="checkpoint B (alpha = 1), e.g. its CT descendant")
    b.add_argument("--alpha", type=float, required=True)
    b.add_argument("--out", required=True)
    b.set_defaults(fn=_cmd_blend)

    m = sub.add_parser("make-test-model", help="small random-weight model + manifest for the app's tests")
    m.add_argument("--kind", choices=["ctmsr", "feedforward"], required=True)
    m.add_argument("--scale", type=int, default=4)
    m.add_argument("--out", required=True, help="DIR/ID.onnx")
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--checkpoint", action="store_true", help="also write its weights as <id>.pt (a fine-tuning base)")
    m.set_defaults(fn=_cmd_make_test_model)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        rc = args.fn(args)
    except KeyboardInterrupt:
        protocol.stopped(reason="interrupted")
        return 0
    except Exception as exc:  # the app shows this line to the user; the traceback goes to stderr
        import traceback
        traceback.print_exc(file=sys.stderr)
        protocol.error(f"{type(exc).__name__}: {exc}")
        return 1
    return rc or 0


if __name__ == "__main__":
    sys.exit(main())
