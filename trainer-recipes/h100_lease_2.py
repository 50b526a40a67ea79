"""GPU lease 2 of 2026-11-26 (H100, PyTorch 2.11, 230 s): the real model's warm start continued from lease 1's R1
with a share of clean (bicubic-only) samples, 0.3 (R3) and 0.5 (S3); then from R3, CT-only (R4) and CT + DTM (B4)
stopped at the same iteration (the DTM ablation on the shipped data mix), and from S3, CT (S4).

    pack as for lease 1, minus data/train/BSDS500 (room for the checkpoint), plus lease 1's R1 as .gpupack/real-warm.pt
    device run (carry .gpupack):  python3 trainer-recipes/h100_lease_2.py 230 | tee $OUT/driver.log
"""
import sys

from lease import Lease

L = Lease(sys.argv[1])
L.exports = [("R3", "real2-warm"), ("R4", "real2-ct"), ("B4", "real2-dtm"), ("S3", "real3-warm"), ("S4", "real3-ct")]
REAL = "trainer/configs/ctmsr-s-x4-real.yaml"
MIX3, MIX5 = "data.degradation_opts={clean_prob: 0.3}", "data.degradation_opts={clean_prob: 0.5}"
warm = [f"init_from={L.pack}/real-warm.pt", "warmup_iterations=1000000", "ct_iterations=0", "dtm_iterations=0"]
L.torch_line()
L.start("R3", REAL, warm + [MIX3], 6)
L.start("S3", REAL, warm + [MIX5], 6)
L.sleep_until(0.4 * L.budget)
L.stop("R3", wait=False)
L.stop("S3")
L.procs["R3"].wait(timeout=120)

ct = ["warmup_iterations=0", "schedule.s0=3", "preview_every=250"]
L.start("S4", REAL, [f"init_from={L.folder('S3')}/checkpoint.pt", MIX5, "ct_iterations=1000000",
                     "dtm_iterations=0"] + ct, 4)
# the shipped chain's ablation: both from the same warm start, same data and lr, stopped at the same iteration
abl = [f"init_from={L.folder('R3')}/checkpoint.pt", MIX3] + ct
L.start("R4", REAL, abl + ["ct_iterations=1000000", "dtm_iterations=0"], 5)
L.start("B4", REAL, abl + ["ct_iterations=0", "dtm_iterations=1000000"], 5)
L.stop_at_equal_steps(["R4", "B4"], slowest="B4")
L.say("end", {k: L.step_of(k) for k in ("R4", "B4", "S4")})
L.finish(0)
