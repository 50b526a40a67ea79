"""GPU lease 1 of 2026-11-26 (H100, PyTorch 2.11), exactly as it ran: the clean warm start continued (C.1 at lr 2e-4,
then C.2 resumed at 5e-5); the real chain warm start (R1) -> CT (R2) -> CT-only (A) | CT + DTM (Bd) from R2.

    python3 trainer/recipes/make_lease_pack.py --out .gpupack     # here, once
    device run (carry .gpupack):  python3 trainer/recipes/h100_lease_1.py 530 | tee $OUT/driver.log

Every process is time-boxed (SIGTERM -> checkpoint -> exit 0); slim checkpoints + logs land in $OUT. Known flaw of
this run: the ablation arm that reached its iteration target first was signalled twice, exited non-zero at
shutdown, and the driver then stopped everything early, so Bd ran 872 iterations where A ran 1,284 (lease 2 fixes it).
"""
import glob, json, os, signal, subprocess, sys, tarfile, time

T0 = time.time()
B = float(sys.argv[1])
OUT = os.environ.get("OUT", "/tmp/out")
PK = os.path.abspath(".gpupack")
R = "/tmp/runs"
os.makedirs(R, exist_ok=True)
os.makedirs(OUT, exist_ok=True)
SEEN = set()
PY = sys.executable
COMMON = [f"lpips.dir={PK}/weights/lpips-squeeze", f"val.root={PK}/data/eval", "threads=2", "log_every=20",
          "export.enabled=false", "checkpoint_every=1000", "preview_every=500",
          f"data.hr_dirs=[{PK}/data/train/T91/HR, {PK}/data/train/BSDS500/train, "
          f"{PK}/data/train/ElementaryWallpapers/HR]"]
procs = {}


def now():
    return time.time() - T0


def say(*a):
    print(f"[{now():6.1f}s]", *a, flush=True)


def start(name, config, sets, workers, resume=False):
    out = f"{R}/{name.split('.')[0]}"
    args = [PY, "-m", "trainer", "train", "--config", config, "--out", out]
    if resume:
        args.append("--resume")
    for s in COMMON + [f"data.workers={workers}"] + sets:
        args += ["--set", s]
    log = open(f"{R}/{name}.log", "w")
    procs[name] = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    say("start", name, " ".join(sets))


def step_of(name):
    """(last step, itPerSec) from the run's JSON progress lines."""
    st, rate = 0, None
    try:
        for line in open(f"{R}/{name}.log"):
            if line.startswith("{"):
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                if j.get("type") == "progress":
                    st, rate = j["step"], j["itPerSec"]
                if j.get("type") == "preview" and (name, j["step"]) not in SEEN:
                    SEEN.add((name, j["step"]))
                    say(name, "preview", j["step"], j.get("metrics"))
    except FileNotFoundError:
        pass
    return st, rate


def stop(name, wait=True):
    p = procs[name]
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
    if wait:
        p.wait(timeout=120)
        say("stopped", name, "rc", p.returncode, "step", step_of(name))


def check_alive():
    bad = [n for n, p in procs.items() if p.poll() not in (None, 0)]
    if bad:
        say("FAILED", bad)
        finish(1)


def sleep_until(t):
    while now() < t:
        check_alive()
        time.sleep(1)


def finish(rc):
    for n, p in procs.items():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for n, p in procs.items():
        try:
            p.wait(timeout=90)
        except subprocess.TimeoutExpired:
            p.kill()
    made = []
    for run, label in [("C", "clean"), ("R1", "real-warm"), ("R2", "real-ct"), ("A", "real-abl-ct"),
                       ("Bd", "real-abl-dtm")]:
        ck = f"{R}/{run}/checkpoint.pt"
        if os.path.isfile(ck):
            dst = f"{OUT}/{label}.pt"
            subprocess.run([PY, "-m", "trainer", "slim", "--checkpoint", ck, "--out", dst])
            made.append(dst)
    with tarfile.open(f"{OUT}/logs.tar.gz", "w:gz") as t:
        for f in glob.glob(f"{R}/*.log") + glob.glob(f"{R}/*/previews/*.png")[-12:]:
            t.add(f, arcname=os.path.relpath(f, R))
    say("done rc", rc, made)
    sys.exit(rc)


say("torch", subprocess.run([PY, "-c", "import torch;print(torch.__version__, torch.cuda.get_device_name())"],
                            capture_output=True, text=True).stdout.strip())
CLEAN, REAL = "trainer/configs/ctmsr-s-x4-clean.yaml", "trainer/configs/ctmsr-s-x4-real.yaml"
start("C.1", CLEAN, ["init_from=trainer/checkpoints/ctmsr-s-x4-clean-warm6000.pt", "warmup_iterations=1000000",
                     "ct_iterations=0", "data.batch=32", "warmup.lr=0.0002"], 3)
start("R1", REAL, ["init_from=trainer/checkpoints/ctmsr-s-x4-real-warm1422.pt", "warmup_iterations=1000000",
                   "ct_iterations=0", "dtm_iterations=0"], 6)

# stage 1 of the real chain: warm start until 0.3 B
sleep_until(0.3 * B)
r_warm = step_of("R1")[1] or 5.0
stop("R1")
n_ct = max(200, int(r_warm / 2.2 * 0.3 * B))
start("R2", REAL, [f"init_from={R}/R1/checkpoint.pt", "warmup_iterations=0", f"ct_iterations={n_ct}",
                   "dtm_iterations=0"], 6)
t_ct_end = 0.62 * B
while now() < t_ct_end and procs["R2"].poll() is None:
    check_alive()
    time.sleep(1)
stop("R2")

# ablation from the same CT checkpoint, same data, same lr, three grid intervals fixed (s0 = s1 = 3):
# A = CT only, Bd = CT + DTM; both stopped at the same iteration count N
abl = [f"init_from={R}/R2/checkpoint.pt", "warmup_iterations=0", "schedule.s0=3", "preview_every=250"]
start("A", REAL, abl + ["ct_iterations=1000000", "dtm_iterations=0"], 4)
start("Bd", REAL, abl + ["ct_iterations=0", "dtm_iterations=1000000"], 4)
t_abl = now()
t_c2 = 0.72 * B
N = None
switched = False
while True:
    check_alive()
    if not switched and now() >= t_c2:
        stop("C.1")
        start("C.2", CLEAN, ["init_from=trainer/checkpoints/ctmsr-s-x4-clean-warm6000.pt",
                             "warmup_iterations=1000000", "ct_iterations=0", "data.batch=32",
                             "warmup.lr=0.00005"], 3, resume=True)
        switched = True
    sa, ra = step_of("A")
    sb, rb = step_of("Bd")
    if N is None and now() - t_abl > 45 and rb:
        N = max(100, int(sb + rb * (B - now()) * 0.9))
        say("ablation N =", N, "rates A", ra, "B", rb)
    if N is not None:
        for name, s in (("A", sa), ("Bd", sb)):
            if s >= N and procs[name].poll() is None:
                stop(name, wait=False)
                say("target reached", name, s)
    if now() >= B:
        break
    time.sleep(0.5)
say("budget reached; A", step_of("A"), "Bd", step_of("Bd"), "C", step_of("C.2"))
finish(0)
