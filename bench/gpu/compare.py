#!/usr/bin/env python3
"""Reads RESULT lines (tessel-gpu-bench bench, bench/peer_torch_gpu.py) from stdin and prints the
engine's samples/s next to PyTorch's, as ratios, per model and batch size. Where PyTorch ran in
several memory formats (NCHW, channels_last), the faster one is taken and named. "tessel" is the
default (cuDNN's fastest algorithms, as Keras); "determ." the run with deterministic algorithms
only (run_on_device.sh detbench)."""
import sys
rows = {}
for line in sys.stdin:
    if not line.startswith("RESULT "): continue
    kv = dict(f.split("=", 1) for f in line.split()[1:])
    key = (kv.get("model", "mlp"), int(kv["batch"]))
    r = rows.setdefault(key, {})
    old = r.get(kv["engine"])
    if old is None or float(kv["samples_per_s"]) > float(old["samples_per_s"]):
        r[kv["engine"]] = kv
print(f"{'model':>9} {'batch':>5} {'tessel/s':>10} {'torch-eager/s':>14} {'ratio':>6} {'torch-compile/s':>16} {'ratio':>6} {'gpu ms/step':>11} {'launches':>8} {'nodes':>5} {'TFLOP/s':>7} {'determ./s':>10} {'ratio':>6} torch formats")
for (m, b) in sorted(rows):
    r = rows[(m, b)]; t = r.get("tessel", {}); e = r.get("torch-eager", {}); c = r.get("torch-compile", {})
    an = float(r.get("tessel-det", {}).get("samples_per_s", "nan"))  # deterministic algorithms
    ts = float(t.get("samples_per_s", "nan"))
    es = float(e.get("samples_per_s", "nan")); cs = float(c.get("samples_per_s", "nan"))
    print(f"{m:>9} {b:>5} {ts:>10.0f} {es:>14.0f} {ts / es:>6.2f} {cs:>16.0f} {ts / cs:>6.2f} "
          f"{t.get('gpu_ms_per_step', '-'):>11} {t.get('launches_per_step', '-'):>8} {t.get('graph_nodes', '-'):>5} {t.get('tflops', '-'):>7} "
          f"{an:>10.0f} {an / es:>6.2f} "
          f"{e.get('format', '-')}/{c.get('format', '-')}")
# TF32 (run_on_device.sh tf32bench): ours and PyTorch's, both with TF32 allowed.
tf = [(k, r) for k, r in sorted(rows.items()) if "tessel-tf32" in r or "torch-eager-tf32" in r]
if tf:
    print(f"\n{'model':>9} {'batch':>5} {'tessel-tf32/s':>13} {'torch-tf32/s':>13} {'ratio':>6} {'vs our FP32':>11}")
    for (m, b), r in tf:
        t = float(r.get("tessel-tf32", {}).get("samples_per_s", "nan"))
        e = float(r.get("torch-eager-tf32", {}).get("samples_per_s", "nan"))
        f = float(r.get("tessel", {}).get("samples_per_s", "nan"))
        print(f"{m:>9} {b:>5} {t:>13.0f} {e:>13.0f} {t / e:>6.2f} {t / f:>11.2f}")
