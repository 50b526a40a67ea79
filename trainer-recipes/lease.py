"""Driving time-boxed training processes on a GPU lease: start runs, read their JSON progress, stop each with one
SIGTERM (the trainer checkpoints and exits 0), and at the end put slim checkpoints and the logs in $OUT.

Used by h100_lease_1.py and h100_lease_2.py (the schedules); run from the repository root.
"""
import glob
import json
import os
import signal
import subprocess
import sys
import tarfile
import time


class Lease:
    def __init__(self, budget_s, pack=".gpupack", runs="/tmp/runs", hr_dirs=("T91/HR", "ElementaryWallpapers/HR")):
        self.t0, self.budget = time.time(), float(budget_s)
        self.out = os.environ.get("OUT", "/tmp/out")
        self.pack, self.runs = os.path.abspath(pack), runs
        os.makedirs(self.runs, exist_ok=True)
        os.makedirs(self.out, exist_ok=True)
        dirs = ", ".join(f"{self.pack}/data/train/{d}" for d in hr_dirs)
        self.common = [f"lpips.dir={self.pack}/weights/lpips-squeeze", f"val.root={self.pack}/data/eval",
                       "threads=2", "log_every=20", "export.enabled=false", "checkpoint_every=1000",
                       "preview_every=500", f"data.hr_dirs=[{dirs}]"]
        self.procs, self.stopped, self.seen = {}, set(), set()
        self.exports = []  # (run folder, label) slimmed into $OUT at the end

    def now(self):
        return time.time() - self.t0

    def say(self, *a):
        print(f"[{self.now():6.1f}s]", *a, flush=True)

    def start(self, name, config, sets, workers, resume=False):
        """A run named `name` writes to <runs>/<name before any '.'> (C.1 and C.2 share the folder C)."""
        args = [sys.executable, "-m", "trainer", "train", "--config", config, "--out", self.folder(name)]
        if resume:
            args.append("--resume")
        for s in self.common + [f"data.workers={workers}"] + sets:
            args += ["--set", s]
        log = open(f"{self.runs}/{name}.log", "w")
        self.procs[name] = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.say("start", name, " ".join(sets))

    def folder(self, name):
        return f"{self.runs}/{name.split('.')[0]}"

    def step_of(self, name):
        """(last step, itPerSec) from the run's JSON progress lines; previews are printed once."""
        step, rate = 0, None
        try:
            lines = open(f"{self.runs}/{name}.log").read().splitlines()
        except FileNotFoundError:
            return step, rate
        for line in lines:
            try:
                j = json.loads(line) if line.startswith("{") else {}
            except ValueError:
                continue
            if j.get("type") == "progress":
                step, rate = j["step"], j["itPerSec"]
            if j.get("type") == "preview" and (name, j["step"]) not in self.seen:
                self.seen.add((name, j["step"]))
                self.say(name, "preview", j["step"], j.get("metrics"))
        return step, rate

    def stop(self, name, wait=True):
        p = self.procs[name]
        if p.poll() is None and name not in self.stopped:
            self.stopped.add(name)  # one SIGTERM only: a second one can land while the interpreter shuts down
            p.send_signal(signal.SIGTERM)
        if wait:
            p.wait(timeout=120)
            self.say("stopped", name, "rc", p.returncode, "step", self.step_of(name))

    def check_alive(self):
        bad = [n for n, p in self.procs.items() if p.poll() not in (None, 0) and n not in self.stopped]
        if bad:
            self.say("FAILED", bad)
            self.finish(1)

    def sleep_until(self, t):
        while self.now() < t:
            self.check_alive()
            time.sleep(1)

    def stop_at_equal_steps(self, names, slowest, margin=0.92, tick=None):
        """Stop the runs `names` at the same iteration N, chosen once the slowest one's rate is known so that
        it reaches N before the budget ends. `tick()` runs on every poll (other schedule events)."""
        t_start, n = self.now(), None
        while self.now() < self.budget:
            self.check_alive()
            if tick:
                tick()
            steps = {k: self.step_of(k) for k in names}
            s, rate = steps[slowest]
            if n is None and self.now() - t_start > 40 and rate:
                n = max(100, int(s + rate * (self.budget - self.now()) * margin))
                self.say("equal-steps target N =", n, {k: v[1] for k, v in steps.items()})
            if n is not None:
                for k, (step, _) in steps.items():
                    if step >= n and k not in self.stopped:
                        self.stop(k, wait=False)
                        self.say("target reached", k, step)
                if set(names) <= self.stopped:
                    return
            time.sleep(0.5)

    def finish(self, rc):
        for n, p in self.procs.items():
            if p.poll() is None and n not in self.stopped:
                self.stopped.add(n)
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(timeout=90)
            except subprocess.TimeoutExpired:
                p.kill()
        made = []
        for run, label in self.exports:
            ck = f"{self.runs}/{run}/checkpoint.pt"
            if os.path.isfile(ck):
                dst = f"{self.out}/{label}.pt"
                subprocess.run([sys.executable, "-m", "trainer", "slim", "--checkpoint", ck, "--out", dst])
                made.append(dst)
        with tarfile.open(f"{self.out}/logs.tar.gz", "w:gz") as t:
            for f in glob.glob(f"{self.runs}/*.log") + glob.glob(f"{self.runs}/*/previews/*.png")[-12:]:
                t.add(f, arcname=os.path.relpath(f, self.runs))
        self.say("done rc", rc, made)
        sys.exit(rc)

    def torch_line(self):
        code = "import torch; print(torch.__version__, torch.cuda.get_device_name())"
        self.say("torch", subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip())
