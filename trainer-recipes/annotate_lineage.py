"""Write a run's lineage into a slim checkpoint before it is committed, so its export's manifest says how it was made.

    /usr/bin/python3 trainer-recipes/annotate_lineage.py SRC.pt DST.pt LINEAGE.json [KEY=VALUE ...]

LINEAGE.json is a list of segments ({machine, stage, iterations, batch, lr, data, degradation, ...}); it becomes
`history.lineage`. Planned stage lengths of time-boxed runs (≥ 100,000: "until stopped") are set to the steps done;
KEY=VALUE pairs override config entries as `train --set` does (e.g. 'export.trained_on="..."').
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from trainer import config  # noqa: E402
from trainer.checkpoint import load, save  # noqa: E402


def main(src, dst, lineage_path, *overrides):
    ck = load(src)
    with open(lineage_path) as f:
        ck["history"]["lineage"] = json.load(f)
    cfg = config.merge(ck["config"], config.parse_set(overrides))
    for key in ("warmup_iterations", "ct_iterations", "dtm_iterations"):
        if cfg[key] >= 100000:
            cfg[key] = ck["step"]
    ck["config"] = cfg
    save(dst, ck)
    print(dst, ck["step"], {k: cfg[k] for k in ("warmup_iterations", "ct_iterations", "dtm_iterations")})


if __name__ == "__main__":
    main(*sys.argv[1:])
