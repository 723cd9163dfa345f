#!/usr/bin/env python3
"""GPU speed peer for `tessel-gpu-bench bench`: the same models in PyTorch on a CUDA GPU, eager
(and with --compile, torch.compile), FP32 with TF32 off (cuBLAS and cuDNN), same optimizer (SGD
0.01), batch sizes and synthetic Fashion-MNIST-shaped data (55000 x 28 x 28, 10 classes) as the
engine's bench. The data lives on the GPU; each step indexes a shuffled batch there, as a PyTorch
user would. Times the training loop of the last epoch (the first warms up), synchronised.
Models: mlp (Flatten, 20 x Dense(100, selu), AlphaDropout(0.5), Dense(10)); cnn (Conv 32 3x3
relu, MaxPool 2, Conv 64 3x3 relu, MaxPool 2, Flatten, Dense 128 relu, Dense 10); seed-cnn (six
3x3 same relu convolutions 32-32-64-64-128-128, a max pool after each pair, Dense 128, Dense 10);
separable (the same with Keras's SeparableConv2D after the first convolution: a depthwise 3x3
convolution, groups = channels, no bias, then a 1x1 convolution with bias, relu).
The CNNs run in each memory format of --formats (NCHW and channels_last); compare.py takes the
faster. cuDNN autotuning (benchmark=True) is on, as a PyTorch user wanting speed would set it.
usage: peer_torch_gpu.py [--samples N] [--epochs E] [--batches 32,256] [--models mlp,cnn,seed-cnn,lstm-text] [--amp float16|bfloat16]
                         [--formats nchw,cl] [--compile]
prints: RESULT engine=torch-eager model=M batch=B samples_per_s=S step_ms=T format=F"""
import argparse, time
import torch, torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--samples", type=int, default=55000)
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--batches", default="32,256")
p.add_argument("--models", default="mlp,cnn,seed-cnn,separable,lstm-text")
p.add_argument("--formats", default="nchw,cl")
p.add_argument("--compile", action="store_true")
p.add_argument("--tf32", action="store_true", help="allow TF32 (engine name torch-eager-tf32)")
p.add_argument("--amp", choices=["float16", "bfloat16"],
               help="torch.autocast mixed precision (float16 with a GradScaler), the peer of "
                    "tessel-gpu-bench --dtype-policy mixed_float16 / mixed_bfloat16 "
                    "(engine name torch-eager-amp16 / -ampbf16)")
a = p.parse_args()

torch.backends.cuda.matmul.allow_tf32 = a.tf32  # Keras numerics: FP32, no TF32 unless --tf32
torch.backends.cudnn.allow_tf32 = a.tf32
torch.backends.cudnn.benchmark = True
torch.set_float32_matmul_precision("highest")
dev = torch.device("cuda")
torch.manual_seed(0)
x2 = torch.randn(a.samples, 28, 28, device=dev)
y = (x2.reshape(a.samples, -1) @ torch.randn(784, 10, device=dev)).argmax(1)

xt = torch.randint(0, 10000, (a.samples, 64), device=dev)  # lstm-text: 64 token ids
yt = torch.randint(0, 5, (a.samples,), device=dev)

def init(m):
    for l in m.modules():
        if isinstance(l, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(l.weight)
            if l.bias is not None: nn.init.zeros_(l.bias)
    return m.to(dev)

def mlp():  # Flatten, 20 x Dense(100, selu), AlphaDropout(0.5), Dense(10) (softmax in the loss)
    layers = [nn.Flatten()]; w = 784
    for _ in range(20): layers += [nn.Linear(w, 100), nn.SELU()]; w = 100
    layers += [nn.AlphaDropout(0.5), nn.Linear(100, 10)]
    return init(nn.Sequential(*layers))

def cnn():
    return init(nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10)))

def seed_cnn():
    layers = []; c = 1
    for f in (32, 64, 128):
        layers += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU(), nn.Conv2d(f, f, 3, padding=1), nn.ReLU(),
                   nn.MaxPool2d(2)]; c = f
    layers += [nn.Flatten(), nn.Linear(1152, 128), nn.ReLU(), nn.Linear(128, 10)]
    return init(nn.Sequential(*layers))

def separable():
    def sep(c, f):  # Keras SeparableConv2D(f, 3, padding="same", activation="relu")
        return [nn.Conv2d(c, c, 3, padding=1, groups=c, bias=False), nn.Conv2d(c, f, 1), nn.ReLU()]
    layers = [nn.Conv2d(1, 32, 3, padding=1), nn.ReLU()] + sep(32, 32) + [nn.MaxPool2d(2)]
    layers += sep(32, 64) + sep(64, 64) + [nn.MaxPool2d(2)]
    layers += sep(64, 128) + sep(128, 128) + [nn.MaxPool2d(2)]
    layers += [nn.Flatten(), nn.Linear(1152, 128), nn.ReLU(), nn.Linear(128, 10)]
    return init(nn.Sequential(*layers))

class LstmText(nn.Module):  # Embedding(10000, 64), LSTM(64) (last state), Dense(5) (cuDNN's LSTM)
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10000, 64); self.lstm = nn.LSTM(64, 64, batch_first=True)
        self.out = nn.Linear(64, 5)
    def forward(self, x):
        _, (h, _) = self.lstm(self.emb(x)); return self.out(h[-1])

def lstm_text(): return init(LstmText())

print(f"device {torch.cuda.get_device_name(0)}; torch {torch.__version__}; cuDNN "
      f"{torch.backends.cudnn.version()}; FP32, TF32 off", flush=True)
for name in a.models.split(","):
    formats = ["-"] if name in ("mlp", "lstm-text") else a.formats.split(",")
    for fmt in formats:
        if name == "mlp": x = x2
        elif name == "lstm-text": x = xt
        else:
            x = x2.reshape(a.samples, 1, 28, 28)
            if fmt == "cl": x = x.contiguous(memory_format=torch.channels_last)
        for bs in [int(b) for b in a.batches.split(",")]:
            model = {"mlp": mlp, "cnn": cnn, "seed-cnn": seed_cnn, "separable": separable,
                     "lstm-text": lstm_text}[name]()
            labels = yt if name == "lstm-text" else y
            if fmt == "cl": model = model.to(memory_format=torch.channels_last)
            opt = torch.optim.SGD(model.parameters(), lr=0.01); lossf = nn.CrossEntropyLoss()
            amp = {"float16": torch.float16, "bfloat16": torch.bfloat16}.get(a.amp)
            scaler = torch.amp.GradScaler("cuda", enabled=a.amp == "float16")
            def step(xb, yb):
                opt.zero_grad(); l = lossf(model(xb), yb); l.backward(); opt.step(); return l
            def amp_step(xb, yb):
                opt.zero_grad()
                with torch.autocast("cuda", dtype=amp):
                    l = lossf(model(xb), yb)
                scaler.scale(l).backward(); scaler.step(opt); scaler.update(); return l
            if amp is not None: step = amp_step
            fn = torch.compile(step) if a.compile else step
            for ep in range(a.epochs):
                model.train(); perm = torch.randperm(a.samples, device=dev)
                torch.cuda.synchronize(); t = time.perf_counter()
                for i in range(0, a.samples, bs):
                    b = perm[i:i + bs]; l = fn(x[b], labels[b])
                torch.cuda.synchronize(); dt = time.perf_counter() - t
            steps = (a.samples + bs - 1) // bs
            print(f"RESULT engine=torch-{'compile' if a.compile else 'eager'}{'-tf32' if a.tf32 else ''}{'-amp' + ('16' if a.amp == 'float16' else 'bf16') if a.amp else ''} model={name} batch={bs} "
                  f"samples_per_s={a.samples / dt:.0f} step_ms={1e3 * dt / steps:.4f} loss={l.item():.4f} "
                  f"format={fmt}", flush=True)
