#!/usr/bin/python3
"""Peer baseline for `tessel-bench fortunes-text`: the fortunes text classifier of
resources/examples/fortunes_text written in PyTorch (Debian python3-torch) and trained on the SAME
int sequences: tessel-bench vectorizes the Debian fortunes categories (TextVectorization adapted on
the training split) and writes them to DIR (x_train.npy, y_train.npy, x_val.npy, y_val.npy int32,
vocabulary.txt, meta.json); this script only reads them.

Model (the Keras example's): Embedding(vocab, E) -> bidirectional LSTM(U) over each sequence's
real tokens (pack_padded_sequence = Keras's mask_zero: padded steps are skipped in both
directions) -> concat of the two final states -> Linear(2U, classes) -> softmax cross-entropy.
Keras initialisers: embeddings uniform +-0.05, kernels glorot_uniform, recurrent kernels
orthogonal, biases zero with the forget gate's at 1 (unit_forget_bias); one bias per direction
(PyTorch's bias_hh is frozen at 0). Adam(lr 1e-3, eps 1e-7), batch 32, shuffled each epoch.

With PEER_NO_PACK=1 in the environment the LSTM runs over all L steps, padding included (no
pack_padded_sequence): cheaper for torch but NOT the same model (Keras without mask_zero); for
reference only.

usage: peer_torch_text.py DIR [epochs] [threads] [train_limit]
Prints one line per epoch and, last, `RESULT ... samples_per_s=N val_acc=A`."""
import json, os, sys, time
import numpy as np, torch, torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence

NO_PACK = os.environ.get("PEER_NO_PACK") == "1"
d = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
limit = int(sys.argv[4]) if len(sys.argv) > 4 else None
meta = json.load(open(d + "/meta.json"))
V, L, E, U, C, bs = (meta[k] for k in ("vocabulary_size", "sequence_length", "embedding_dim", "units",
                                       "classes", "batch_size"))
torch.manual_seed(0); np.random.seed(0)
load = lambda n: torch.from_numpy(np.load(d + "/" + n).astype(np.int64))
xt, yt, xv, yv = load("x_train.npy"), load("y_train.npy"), load("x_val.npy"), load("y_val.npy")
if limit: xt, yt = xt[:limit], yt[:limit]
assert xt.shape[1] == L and int(xt.max()) < V
with open(d + "/vocabulary.txt", encoding="utf-8") as f:
    assert sum(1 for _ in f) == V  # the same vocabulary as ours


def lengths(x):  # post-padded ids: the real tokens end at the last non-zero id
    nz = (x != 0).int()
    idx = torch.arange(1, x.shape[1] + 1).expand_as(x)
    return (nz * idx).max(1).values.clamp(min=1)


class TextClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.lstm = nn.LSTM(E, U, batch_first=True, bidirectional=True)
        self.dense = nn.Linear(2 * U, C)
        nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        for name, p in self.lstm.named_parameters():
            if name.startswith("weight_ih"):  # (4U, E), gates i f g o = Keras's i f c o
                nn.init.xavier_uniform_(p)
            elif name.startswith("weight_hh"):  # Keras: orthogonal on (U, 4U)
                with torch.no_grad():
                    w = torch.empty(U, 4 * U); nn.init.orthogonal_(w); p.copy_(w.t())
            elif name.startswith("bias_ih"):
                with torch.no_grad(): p.zero_(); p[U:2 * U] = 1.0
            else:  # bias_hh: Keras has one bias
                with torch.no_grad(): p.zero_()
                p.requires_grad_(False)
        nn.init.xavier_uniform_(self.dense.weight); nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        if NO_PACK:
            _, (h, _) = self.lstm(self.embedding(x))
            return self.dense(torch.cat([h[0], h[1]], 1))
        packed = pack_padded_sequence(self.embedding(x), lengths(x), batch_first=True,
                                      enforce_sorted=False)
        _, (h, _) = self.lstm(packed)  # h: (2, N, U), forward then backward
        return self.dense(torch.cat([h[0], h[1]], 1))


model = TextClassifier()
opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3, eps=1e-7)
lossf = nn.CrossEntropyLoss()


def acc(x, y):
    model.eval()
    with torch.no_grad(): return (model(x).argmax(1) == y).float().mean().item()


total = 0.0
for ep in range(epochs):
    model.train(); perm = torch.randperm(len(xt)); t = time.perf_counter()
    for i in range(0, len(xt), bs):
        b = perm[i:i + bs]; opt.zero_grad(); l = lossf(model(xt[b]), yt[b]); l.backward(); opt.step()
    dt = time.perf_counter() - t; total += dt
    print(f"epoch {ep+1} train_samples_per_s {len(xt)/dt:.0f} loss {l.item():.4f} val_acc {acc(xv, yv):.4f}",
          flush=True)
print(f"RESULT kind=fortunes_text{'_nopack' if NO_PACK else ''} threads={torch.get_num_threads()} samples_per_s={epochs*len(xt)/total:.0f} "
      f"val_acc={acc(xv, yv):.4f}")
