"""GPU lease 2 of 2026-11-26 (H100, PyTorch 2.11), exactly as it ran: the real model's warm start continued from
lease 1's R1 with a share of clean (bicubic-only) samples, 0.3 (R3) and 0.5 (S3); then from R3, CT-only (R4) and
CT + DTM (B4) stopped at the same iteration (the DTM ablation on the shipped data mix), and from S3, CT (S4).

    pack as for lease 1, minus data/train/BSDS500 (room for the checkpoint), plus lease 1's R1 as .gpupack/real-warm.pt
    device run (carry .gpupack):  python3 trainer/recipes/h100_lease_2.py 230 | tee $OUT/driver.log
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
          f"data.hr_dirs=[{PK}/data/train/T91/HR, "
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


STOPPED = set()


def stop(name, wait=True):
    p = procs[name]
    if p.poll() is None and name not in STOPPED:
        STOPPED.add(name)  # one SIGTERM only: a second one can land while the interpreter shuts down
        p.send_signal(signal.SIGTERM)
    if wait:
        p.wait(timeout=120)
        say("stopped", name, "rc", p.returncode, "step", step_of(name))


def check_alive():
    bad = [n for n, p in procs.items() if p.poll() not in (None, 0) and n not in STOPPED]
    if bad:
        say("FAILED", bad)
        finish(1)


def sleep_until(t):
    while now() < t:
        check_alive()
        time.sleep(1)


def finish(rc):
    for n, p in procs.items():
        if p.poll() is None and n not in STOPPED:
            STOPPED.add(n)
            p.send_signal(signal.SIGTERM)
    for n, p in procs.items():
        try:
            p.wait(timeout=90)
        except subprocess.TimeoutExpired:
            p.kill()
    made = []
    for run, label in [("R3", "real2-warm"), ("R4", "real2-ct"), ("B4", "real2-dtm"),
                       ("S3", "real3-warm"), ("S4", "real3-ct")]:
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
REAL = "trainer/configs/ctmsr-s-x4-real.yaml"
MIX = "data.degradation_opts={clean_prob: 0.3}"
start("R3", REAL, [f"init_from={PK}/real-warm.pt", "warmup_iterations=1000000", "ct_iterations=0",
                   "dtm_iterations=0", MIX], 6)
MIX5 = "data.degradation_opts={clean_prob: 0.5}"
start("S3", REAL, [f"init_from={PK}/real-warm.pt", "warmup_iterations=1000000", "ct_iterations=0",
                   "dtm_iterations=0", MIX5], 6)
sleep_until(0.4 * B)
stop("R3", wait=False)
stop("S3")
procs["R3"].wait(timeout=120)
start("S4", REAL, [f"init_from={R}/S3/checkpoint.pt", "warmup_iterations=0", "schedule.s0=3", "preview_every=250",
                   MIX5, "ct_iterations=1000000", "dtm_iterations=0"], 4)
# the shipped chain's ablation: both from the same warm start, same data and lr, stopped at the same iteration
abl = [f"init_from={R}/R3/checkpoint.pt", "warmup_iterations=0", "schedule.s0=3", "preview_every=250", MIX]
start("R4", REAL, abl + ["ct_iterations=1000000", "dtm_iterations=0"], 5)
start("B4", REAL, abl + ["ct_iterations=0", "dtm_iterations=1000000"], 5)
t_abl, N = now(), None
while now() < B:
    check_alive()
    sa, ra = step_of("R4")
    sb, rb = step_of("B4")
    if N is None and now() - t_abl > 40 and rb:
        N = max(100, int(sb + rb * (B - now()) * 0.92))
        say("ablation N =", N, "rates CT", ra, "CT+DTM", rb)
    if N is not None:
        for name, s in (("R4", sa), ("B4", sb)):
            if s >= N and name not in STOPPED:
                stop(name, wait=False)
                say("target reached", name, s)
        if {"R4", "B4"} <= STOPPED:
            break
    time.sleep(0.5)
say("end; R4", step_of("R4"), "B4", step_of("B4"), "S4", step_of("S4"))
finish(0)
