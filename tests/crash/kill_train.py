#!/usr/bin/python3
"""Crash test at scale: `tessel train PROJECT` killed with SIGKILL at random moments.

    tests/crash/kill_train.py [--kills 50] [--tessel build/app/tessel] [--resumes 3] [--seed 7]

One uninterrupted reference run is trained first (same model, data and seed). Then, KILLS times,
a new `tessel train` of the same project is started and killed with SIGKILL after a random delay
within the reference run's duration. After each kill:
  - the project opens (`tessel runs PROJECT`, which marks dead runs interrupted),
  - PRAGMA integrity_check says ok,
  - the killed run is `interrupted`,
  - batch metrics lost: a reader polls the project every 20 ms for the last committed batch
    row; the loss is the time between the last commit it saw and the kill (plus the polling
    interval, so it is an upper bound).
Finally RESUMES of the interrupted runs (those that reached a checkpoint, spread over the
kills) are continued with `tessel resume` and their final weights compared byte for byte with
the reference run's (one thread: the data order and dropout are seeded per epoch).
Prints one line per kill and a summary; exits 1 when any check failed. Needs only Python 3.
"""
import argparse
import os
import random
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POLL_S = 0.02


def write_npy(path, rows, cols, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%df" % len(values), *values))


def make_data(folder, n=4000, seed=1):
    rng = random.Random(seed)
    xs, ys = [], []
    for _ in range(n):
        row = [rng.uniform(-1, 1) for _ in range(8)]
        xs += row
        ys.append(sum(v * (j - 3) for j, v in enumerate(row)) / 8 + rng.gauss(0, 0.05))
    write_npy(os.path.join(folder, "x.npy"), n, 8, xs)
    write_npy(os.path.join(folder, "y.npy"), n, 1, ys)


class CommitWatcher(threading.Thread):
    """Polls the newest run's last committed batch step; remembers when it last changed."""

    def __init__(self, project, min_run):
        super().__init__(daemon=True)
        self.project, self.min_run = project, min_run
        self.last_change = None  # monotonic time the last committed step was first seen
        self.stop = threading.Event()

    def run(self):
        seen = None
        while not self.stop.is_set():
            try:
                db = sqlite3.connect("file:%s?mode=ro" % self.project, uri=True, timeout=0.5)
                row = db.execute("SELECT max(step) FROM batch_metrics WHERE run_id = "
                                 "(SELECT max(id) FROM runs WHERE id > ?)",
                                 (self.min_run,)).fetchone()
                db.close()
                if row and row[0] is not None and row[0] != seen:
                    seen, self.last_change = row[0], time.monotonic()
            except sqlite3.Error:
                pass
            time.sleep(POLL_S)


def tessel(args, exe, check=True):
    p = subprocess.run([exe] + args, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise SystemExit("kill_train: %s failed: %s" % (" ".join(args), p.stderr.strip()))
    return p


def last_weights(exe, project, run, folder):
    out = os.path.join(folder, "export-%d" % run, "model.json")
    tessel(["export", project, "--run", str(run), "--checkpoint", "last", "--out", out], exe)
    data = b""
    for name in sorted(os.listdir(os.path.dirname(out))):
        if name.endswith(".bin"):
            with open(os.path.join(os.path.dirname(out), name), "rb") as f:
                data += f.read()
    return data


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--resumes", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--samples", type=int, default=1000000,
                    help="rows of the generated regression data (epochs last over a second, so "
                    "the once-a-second commits of batch rows are what a kill can lose)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tessel", default=os.path.join(ROOT, "build", "app", "tessel"))
    ap.add_argument("--keep", help="work in this folder and keep it")
    a = ap.parse_args()
    exe = os.path.abspath(a.tessel)
    folder = a.keep or tempfile.mkdtemp(prefix="tessel-kill-")
    os.makedirs(folder, exist_ok=True)
    make_data(folder, a.samples)
    model = os.path.join(ROOT, "resources", "examples", "wide_deep", "model.json")
    train = ["--x", os.path.join(folder, "x.npy"), "--y", os.path.join(folder, "y.npy"),
             "--epochs", str(a.epochs), "--validation-split", "0.1", "--threads", "1",
             "--verbose", "0", "--loss", "mse", "--seed", str(a.seed)]

    ref = os.path.join(folder, "reference.tessel")
    project = os.path.join(folder, "killed.tessel")
    for p in (ref, project):
        for suffix in ("", "-wal", "-shm", ".lock"):
            if os.path.exists(p + suffix):
                os.remove(p + suffix)
        tessel(["new", p], exe)
        tessel(["import", p, model, "--name", "wd"], exe)
    t0 = time.monotonic()
    tessel(["train", ref] + train, exe)
    duration = time.monotonic() - t0
    ref_weights = last_weights(exe, ref, 1, folder)
    print("reference run: %d epochs in %.1f s, %d weight bytes" %
          (a.epochs, duration, len(ref_weights)))

    rng = random.Random(a.seed)
    opened = intact = interrupted = 0
    losses, failures, resumable, killed_runs = [], [], [], []
    for k in range(a.kills):
        db = sqlite3.connect(project)
        min_run = db.execute("SELECT coalesce(max(id), 0) FROM runs").fetchone()[0]
        db.close()
        watcher = CommitWatcher(project, min_run)
        watcher.start()
        proc = subprocess.Popen([exe, "train", project] + train, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        started = time.monotonic()
        time.sleep(rng.uniform(0.05, duration * 0.95))
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        proc.wait()
        watcher.stop.set()
        watcher.join()

        # `tessel runs` opens read-only and reports a dead run as interrupted; the next
        # read-write open (the next `tessel train`, a resume) records it (checked at the end).
        listed = tessel(["runs", project], exe, check=False)
        ok_open = listed.returncode == 0
        opened += ok_open
        db = sqlite3.connect(project)
        ok_integrity = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        intact += ok_integrity
        row = db.execute("SELECT id, epochs_done FROM runs WHERE id > ? ORDER BY id DESC",
                         (min_run,)).fetchone()
        has_checkpoint = row is not None and db.execute(
            "SELECT count(*) FROM checkpoints WHERE run_id = ? AND kind = 'last'",
            (row[0],)).fetchone()[0] > 0
        db.close()
        status = "no run yet"
        if row:
            for line in listed.stdout.splitlines():
                fields = line.split()
                if len(fields) > 2 and fields[0] == str(row[0]):
                    status = fields[2]
        # A run that reached its last epoch while the process was still ending is finished.
        if status == "finished" and row[1] == a.epochs:
            running = False
        if row and running:
            killed_runs.append(row[0])
            interrupted += status == "interrupted"
        loss = None
        if row and running and watcher.last_change is not None:
            loss = killed_at - watcher.last_change + POLL_S
            losses.append(loss)
        if row and running and has_checkpoint and row[1] < a.epochs:
            resumable.append(row[0])
        if not ok_open or not ok_integrity or (row and running and status != "interrupted"):
            failures.append(k)
        print("kill %2d after %5.2f s: run %s %-11s epochs %3s  open %s  integrity %s  "
              "metrics lost %s" %
              (k + 1, killed_at - started, row[0] if row else "-", status,
               row[1] if row else "-", "ok" if ok_open else "FAILED",
               "ok" if ok_integrity else "FAILED", "%.3f s" % loss if loss is not None else "-"))

    equal = 0
    chosen = resumable[:: max(1, len(resumable) // max(1, a.resumes))][: a.resumes]
    for run in chosen:
        tessel(["resume", project, str(run), "--threads", "1"], exe)
        same = last_weights(exe, project, run, folder) == ref_weights
        equal += same
        print("resume of run %d: final weights %s the uninterrupted run's" %
              (run, "equal (bit for bit) to" if same else "DIFFER from"))

    # Every killed run is now recorded as interrupted (or finished, when it was resumed).
    db = sqlite3.connect(project)
    stored = dict(db.execute("SELECT id, status FROM runs").fetchall())
    db.close()
    recorded = sum(stored.get(r) == ("finished" if r in chosen else "interrupted")
                   for r in killed_runs)
    print("summary: %d kills (%d while training); project opened %d/%d, integrity_check ok "
          "%d/%d, killed run reported interrupted %d/%d and recorded so %d/%d; worst batch "
          "metrics lost %.3f s (%d measured); resumed runs equal to the uninterrupted run %d/%d" %
          (a.kills, len(killed_runs), opened, a.kills, intact, a.kills, interrupted,
           len(killed_runs), recorded, len(killed_runs), max(losses) if losses else 0.0,
           len(losses), equal, len(chosen)))
    ok = (not failures and recorded == len(killed_runs) and chosen and equal == len(chosen)
          and (not losses or max(losses) <= 1.0))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
