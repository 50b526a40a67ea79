"""GPU lease 1 of 2026-11-26 (H100, PyTorch 2.11, 530 s): the clean warm start continued (C.1 at lr 2e-4, then C.2
resumed at 5e-5); the real chain: warm start (R1) -> CT (R2) -> CT-only (A) | CT + DTM (Bd), both from R2.

    python3 trainer-recipes/make_lease_pack.py --out .gpupack     # here, once
    device run (carry .gpupack):  python3 trainer-recipes/h100_lease_1.py 530 | tee $OUT/driver.log

It started from the session-1 checkpoints ctmsr-s-x4-clean-warm6000.pt and ctmsr-s-x4-real-warm1422.pt (in git
history; superseded by its own outputs). As it ran, its stop() could signal a run twice: arm A, stopped first,
exited non-zero at shutdown and the driver ended everything early, so Bd ran 872 iterations where A ran 1,284
(lease.py now signals once; lease 2 repeated the ablation at equal iterations).
"""
import sys

from lease import Lease

L = Lease(sys.argv[1], hr_dirs=("T91/HR", "BSDS500/train", "ElementaryWallpapers/HR"))
L.exports = [("C", "clean"), ("R1", "real-warm"), ("R2", "real-ct"), ("A", "real-abl-ct"), ("Bd", "real-abl-dtm")]
B = L.budget
CLEAN, REAL = "trainer/configs/ctmsr-s-x4-clean.yaml", "trainer/configs/ctmsr-s-x4-real.yaml"
CLEAN_INIT = "init_from=trainer/checkpoints/ctmsr-s-x4-clean-warm6000.pt"
L.torch_line()
L.start("C.1", CLEAN, [CLEAN_INIT, "warmup_iterations=1000000", "ct_iterations=0", "data.batch=32",
                       "warmup.lr=0.0002"], 3)
L.start("R1", REAL, ["init_from=trainer/checkpoints/ctmsr-s-x4-real-warm1422.pt", "warmup_iterations=1000000",
                     "ct_iterations=0", "dtm_iterations=0"], 6)

# the real chain's warm start until 0.3 B, then CT sized to end near 0.62 B
L.sleep_until(0.3 * B)
r_warm = L.step_of("R1")[1] or 5.0
L.stop("R1")
n_ct = max(200, int(r_warm / 2.2 * 0.3 * B))
L.start("R2", REAL, [f"init_from={L.folder('R1')}/checkpoint.pt", "warmup_iterations=0", f"ct_iterations={n_ct}",
                     "dtm_iterations=0"], 6)
while L.now() < 0.62 * B and L.procs["R2"].poll() is None:
    L.sleep_until(L.now() + 1)
L.stop("R2")

# ablation from the same CT checkpoint, same data and lr, three grid intervals fixed (s0 = s1 = 3)
abl = [f"init_from={L.folder('R2')}/checkpoint.pt", "warmup_iterations=0", "schedule.s0=3", "preview_every=250"]
L.start("A", REAL, abl + ["ct_iterations=1000000", "dtm_iterations=0"], 4)
L.start("Bd", REAL, abl + ["ct_iterations=0", "dtm_iterations=1000000"], 4)


def switch_clean_lr():
    # the clean run's last stretch at a quarter of the learning rate
    if L.now() >= 0.72 * B and "C.2" not in L.procs:
        L.stop("C.1")
        L.start("C.2", CLEAN, [CLEAN_INIT, "warmup_iterations=1000000", "ct_iterations=0", "data.batch=32",
                               "warmup.lr=0.00005"], 3, resume=True)


L.stop_at_equal_steps(["A", "Bd"], slowest="Bd", margin=0.9, tick=switch_clean_lr)
L.sleep_until(B)
L.finish(0)
