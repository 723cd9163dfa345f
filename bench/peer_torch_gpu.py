#!/usr/bin/env python3
"""GPU speed peer for `tessel-gpu-bench bench`: the seed's Fashion-MNIST MLP in PyTorch on a CUDA
GPU, eager (and with --compile, torch.compile), FP32 with TF32 off, same model, optimizer, batch
sizes and synthetic Fashion-MNIST-shaped data (55000 x 28 x 28, 10 classes) as the engine's
bench. The data lives on the GPU; each step indexes a shuffled batch there, as a PyTorch user
would. Times the training loop of the last epoch (the first warms up), synchronised.
usage: peer_torch_gpu.py [--samples N] [--epochs E] [--batches 32,256] [--compile]
prints: RESULT engine=torch-eager model=mlp batch=B samples_per_s=S step_ms=T"""
import argparse, time
import torch, torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--samples", type=int, default=55000)
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--batches", default="32,256")
p.add_argument("--compile", action="store_true")
a = p.parse_args()

torch.backends.cuda.matmul.allow_tf32 = False  # Keras numerics: FP32, no TF32
torch.backends.cudnn.allow_tf32 = False
torch.set_float32_matmul_precision("highest")
dev = torch.device("cuda")
torch.manual_seed(0)
x = torch.randn(a.samples, 28, 28, device=dev)
y = (x.reshape(a.samples, -1) @ torch.randn(784, 10, device=dev)).argmax(1)

def mlp():  # Flatten, 20 x Dense(100, selu), AlphaDropout(0.5), Dense(10) (softmax in the loss)
    layers = [nn.Flatten()]; w = 784
    for _ in range(20): layers += [nn.Linear(w, 100), nn.SELU()]; w = 100
    layers += [nn.AlphaDropout(0.5), nn.Linear(100, 10)]
    m = nn.Sequential(*layers)
    for l in m:
        if isinstance(l, nn.Linear): nn.init.xavier_uniform_(l.weight); nn.init.zeros_(l.bias)
    return m.to(dev)

print(f"device {torch.cuda.get_device_name(0)}; torch {torch.__version__}; FP32, TF32 off", flush=True)
for bs in [int(b) for b in a.batches.split(",")]:
    model = mlp(); opt = torch.optim.SGD(model.parameters(), lr=0.01); lossf = nn.CrossEntropyLoss()
    def step(xb, yb):
        opt.zero_grad(); l = lossf(model(xb), yb); l.backward(); opt.step(); return l
    fn = torch.compile(step) if a.compile else step
    for ep in range(a.epochs):
        model.train(); perm = torch.randperm(a.samples, device=dev)
        torch.cuda.synchronize(); t = time.perf_counter()
        for i in range(0, a.samples, bs):
            b = perm[i:i + bs]; l = fn(x[b], y[b])
        torch.cuda.synchronize(); dt = time.perf_counter() - t
    steps = (a.samples + bs - 1) // bs
    print(f"RESULT engine=torch-{'compile' if a.compile else 'eager'} model=mlp batch={bs} "
          f"samples_per_s={a.samples / dt:.0f} step_ms={1e3 * dt / steps:.4f} loss={l.item():.4f}", flush=True)
