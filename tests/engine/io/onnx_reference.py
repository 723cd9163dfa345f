"""Checks an ONNX model written by Tessel and evaluates it with a small numpy reference
evaluator (only the ops Tessel's exporter writes), comparing with the engine's outputs.

usage: onnx_reference.py MODEL.onnx DIR   (DIR holds x0.npy, x1.npy, ... and y0.npy, y1.npy, ...)
Prints "ok max_abs_diff=..." or raises."""
import functools
import math
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def pads_split(pads, n):
    return pads[:n], pads[n:]


def conv(x, w, b, a):
    n_sp = x.ndim - 2
    strides = a.get("strides", [1] * n_sp)
    dil = a.get("dilations", [1] * n_sp)
    pb, pe = pads_split(a.get("pads", [0] * 2 * n_sp), n_sp)
    group = a.get("group", 1)
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pb[i], pe[i]) for i in range(n_sp)])
    k = w.shape[2:]
    out_sp = [(xp.shape[2 + i] - (k[i] - 1) * dil[i] - 1) // strides[i] + 1 for i in range(n_sp)]
    out = np.zeros((x.shape[0], w.shape[0]) + tuple(out_sp), dtype=np.float64)
    cg, og = x.shape[1] // group, w.shape[0] // group
    for idx in np.ndindex(*k):
        sl = tuple(slice(idx[i] * dil[i], idx[i] * dil[i] + strides[i] * (out_sp[i] - 1) + 1,
                         strides[i]) for i in range(n_sp))
        xs = xp[(slice(None), slice(None)) + sl]
        for g in range(group):
            wk = w[(slice(g * og, (g + 1) * og), slice(None)) + idx]
            out[:, g * og:(g + 1) * og] += np.einsum("nc...,oc->no...",
                                                     xs[:, g * cg:(g + 1) * cg], wk)
    if b is not None:
        out += b.reshape((1, -1) + (1,) * n_sp)
    return out


def conv_transpose(x, w, b, a):  # 2-D, group 1, dilation 1
    s = a.get("strides", [1, 1])
    pads = a.get("pads", [0, 0, 0, 0])
    opad = a.get("output_padding", [0, 0])
    n, c, h, wd = x.shape
    co, kh, kw = w.shape[1], w.shape[2], w.shape[3]
    full = np.zeros((n, co, (h - 1) * s[0] + kh + opad[0], (wd - 1) * s[1] + kw + opad[1]))
    for i in range(h):
        for j in range(wd):
            full[:, :, i * s[0]:i * s[0] + kh, j * s[1]:j * s[1] + kw] += np.einsum(
                "nc,cokl->nokl", x[:, :, i, j], w)
    out = full[:, :, pads[0]:full.shape[2] - pads[2], pads[1]:full.shape[3] - pads[3]]
    if b is not None:
        out = out + b.reshape(1, -1, 1, 1)
    return out


def pool(x, a, kind):
    n_sp = x.ndim - 2
    k = a["kernel_shape"]
    strides = a.get("strides", [1] * n_sp)
    pb, pe = pads_split(a.get("pads", [0] * 2 * n_sp), n_sp)
    widths = [(0, 0), (0, 0)] + [(pb[i], pe[i]) for i in range(n_sp)]
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, widths, constant_values=fill)
    ones = np.pad(np.ones_like(x), widths)
    out_sp = [(xp.shape[2 + i] - k[i]) // strides[i] + 1 for i in range(n_sp)]
    acc = np.full(x.shape[:2] + tuple(out_sp), fill)
    cnt = np.zeros_like(acc)
    for idx in np.ndindex(*k):
        sl = (slice(None), slice(None)) + tuple(
            slice(idx[i], idx[i] + strides[i] * (out_sp[i] - 1) + 1, strides[i])
            for i in range(n_sp))
        if kind == "max":
            acc = np.maximum(acc, xp[sl])
        else:
            acc = acc + xp[sl]
            cnt = cnt + ones[sl]
    return acc if kind == "max" else acc / cnt


ACTS = {"Sigmoid": lambda v: 1 / (1 + np.exp(-v)), "Tanh": np.tanh,
        "Relu": lambda v: np.maximum(v, 0), "HardSigmoid": lambda v: np.clip(0.2 * v + 0.5, 0, 1),
        "Elu": lambda v: np.where(v > 0, v, np.exp(v) - 1), "Softsign": lambda v: v / (1 + np.abs(v)),
        "Softplus": lambda v: np.log1p(np.exp(v))}


def recurrent(op, i, a):
    """ONNX RNN / GRU / LSTM (layout 0: X (T, N, F)), forward or bidirectional; Y, Y_h, Y_c."""
    x, w, r = i[0], i[1], i[2]
    b = i[3] if len(i) > 3 and i[3] is not None else np.zeros((w.shape[0], 2 * w.shape[1]))
    hsz = a["hidden_size"]
    dirs = w.shape[0]
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[op]
    per = {"RNN": 1, "GRU": 2, "LSTM": 3}[op]
    acts = a.get("activations", {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"],
                                 "LSTM": ["Sigmoid", "Tanh", "Tanh"]}[op] * dirs)
    T, n = x.shape[0], x.shape[1]
    ys, yhs, ycs = [], [], []
    for d in range(dirs):
        f = [ACTS[s] for s in acts[d * per:(d + 1) * per]]
        h = i[5][d] if len(i) > 5 and i[5] is not None else np.zeros((n, hsz))
        c = i[6][d] if len(i) > 6 and i[6] is not None else np.zeros((n, hsz))
        wb, rb = b[d][:gates * hsz], b[d][gates * hsz:]
        out = [None] * T
        steps = range(T) if d == 0 else range(T - 1, -1, -1)
        for t in steps:
            xw = x[t] @ w[d].T + wb
            if op == "RNN":
                h = f[0](xw + h @ r[d].T + rb)
            elif op == "LSTM":
                z = xw + h @ r[d].T + rb
                ig, og, fg, cg = [z[:, k * hsz:(k + 1) * hsz] for k in range(4)]
                c = f[0](fg) * c + f[0](ig) * f[1](cg)
                h = f[0](og) * f[2](c)
            else:
                rz = xw[:, :2 * hsz] + h @ r[d][:2 * hsz].T + rb[:2 * hsz]
                zg, rg = f[0](rz[:, :hsz]), f[0](rz[:, hsz:])
                if a.get("linear_before_reset", 0):
                    hh = f[1](xw[:, 2 * hsz:] + rg * (h @ r[d][2 * hsz:].T + rb[2 * hsz:]))
                else:
                    hh = f[1](xw[:, 2 * hsz:] + (rg * h) @ r[d][2 * hsz:].T + rb[2 * hsz:])
                h = zg * h + (1 - zg) * hh
            out[t] = h
        ys.append(np.stack(out))
        yhs.append(h)
        ycs.append(c)
    return np.stack(ys, 1), np.stack(yhs), np.stack(ycs)


def run(model, feeds):
    env = dict(feeds)
    for init in model.graph.initializer:
        env[init.name] = numpy_helper.to_array(init).astype(np.float64) \
            if init.data_type == onnx.TensorProto.FLOAT else numpy_helper.to_array(init)
    erf = np.vectorize(math.erf)
    for node in model.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}
        a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in a.items()}
        i = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Identity":
            y = i[0]
        elif op == "Relu":
            y = np.maximum(i[0], 0)
        elif op == "Sigmoid":
            y = 1 / (1 + np.exp(-i[0]))
        elif op == "Tanh":
            y = np.tanh(i[0])
        elif op == "Exp":
            y = np.exp(i[0])
        elif op == "Softplus":
            y = np.log1p(np.exp(i[0]))
        elif op == "Softsign":
            y = i[0] / (1 + np.abs(i[0]))
        elif op == "Elu":
            y = np.where(i[0] > 0, i[0], a.get("alpha", 1.0) * (np.exp(i[0]) - 1))
        elif op == "Selu":
            y = a["gamma"] * np.where(i[0] > 0, i[0], a["alpha"] * (np.exp(i[0]) - 1))
        elif op == "HardSigmoid":
            y = np.clip(a["alpha"] * i[0] + a["beta"], 0, 1)
        elif op == "Clip":
            y = np.clip(i[0], i[1], i[2])
        elif op == "LeakyRelu":
            y = np.where(i[0] >= 0, i[0], a.get("alpha", 0.01) * i[0])
        elif op == "Erf":
            y = erf(i[0])
        elif op == "Softmax":
            z = i[0] - i[0].max(axis=a.get("axis", -1), keepdims=True)
            e = np.exp(z)
            y = e / e.sum(axis=a.get("axis", -1), keepdims=True)
        elif op == "Gemm":
            y = i[0] @ i[1] + (i[2] if len(i) > 2 else 0)
        elif op == "MatMul":
            y = i[0] @ i[1]
        elif op in ("Add", "Sub", "Mul", "Div"):
            y = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op](
                i[0], i[1])
        elif op == "Sqrt":
            y = np.sqrt(i[0])
        elif op == "Mean":
            y = sum(i) / len(i)
        elif op == "Max":
            y = functools.reduce(np.maximum, i)
        elif op == "Min":
            y = functools.reduce(np.minimum, i)
        elif op == "Concat":
            y = np.concatenate(i, axis=a["axis"])
        elif op == "Flatten":
            y = i[0].reshape(i[0].shape[0], -1)
        elif op == "Reshape":
            shape = [i[0].shape[k] if d == 0 else d for k, d in enumerate(i[1].tolist())]
            y = i[0].reshape(shape)
        elif op == "Transpose":
            y = np.transpose(i[0], a["perm"])
        elif op == "Conv":
            y = conv(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif op == "ConvTranspose":
            y = conv_transpose(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif op == "MaxPool":
            y = pool(i[0], a, "max")
        elif op == "AveragePool":
            y = pool(i[0], a, "avg")
        elif op in ("ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum"):
            f = {"ReduceMean": np.mean, "ReduceMax": np.max, "ReduceMin": np.min,
                 "ReduceSum": np.sum}[op]
            axes = a.get("axes") if op != "ReduceSum" else (
                i[1].tolist() if len(i) > 1 and i[1] is not None else None)
            y = f(i[0], axis=None if axes is None else tuple(axes),
                  keepdims=bool(a.get("keepdims", 1)))
        elif op == "BatchNormalization":
            shape = (1, -1) + (1,) * (i[0].ndim - 2)
            y = (i[0] - i[3].reshape(shape)) / np.sqrt(i[4].reshape(shape) + a["epsilon"]) \
                * i[1].reshape(shape) + i[2].reshape(shape)
        elif op == "Pad":
            p = i[1].tolist()
            r = i[0].ndim
            y = np.pad(i[0], [(p[k], p[k + r]) for k in range(r)])
        elif op == "Slice":
            sl = [slice(None)] * i[0].ndim
            steps = i[4].tolist() if len(i) > 4 else [1] * len(i[1])
            for s, e, ax, st in zip(i[1].tolist(), i[2].tolist(), i[3].tolist(), steps):
                sl[ax] = slice(None if abs(s) >= 2**62 else s,
                               None if abs(e) >= 2**62 else e, st)
            y = i[0][tuple(sl)]
        elif op == "Resize":
            assert a["mode"] == "nearest" and a["coordinate_transformation_mode"] == "asymmetric"
            y = i[0]
            for ax, s in enumerate(i[2].tolist()):
                if s != 1:
                    y = np.repeat(y, int(s), axis=ax)
        elif op in ("Neg", "Log", "Abs", "Sign", "Not"):
            y = {"Neg": np.negative, "Log": np.log, "Abs": np.abs, "Sign": np.sign,
                 "Not": np.logical_not}[op](i[0])
        elif op == "Pow":
            y = np.power(i[0], i[1])
        elif op in ("Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Equal"):
            y = {"Less": np.less, "LessOrEqual": np.less_equal, "Greater": np.greater,
                 "GreaterOrEqual": np.greater_equal, "Equal": np.equal}[op](i[0], i[1])
        elif op == "Cast":
            y = {onnx.TensorProto.FLOAT: lambda v: v.astype(np.float64),
                 onnx.TensorProto.INT32: lambda v: np.trunc(v).astype(np.int32),
                 onnx.TensorProto.INT64: lambda v: np.trunc(v).astype(np.int64),
                 onnx.TensorProto.BOOL: lambda v: v != 0}[a["to"]](i[0])
        elif op == "Where":
            y = np.where(i[0], i[1], i[2])
        elif op == "OneHot":
            depth = int(i[1].reshape(-1)[0])
            idx = i[0].astype(np.int64)
            y = np.full(idx.shape + (depth,), i[2][0])
            for pos in np.ndindex(*idx.shape):
                if 0 <= idx[pos] < depth:
                    y[pos + (idx[pos],)] = i[2][1]
        elif op == "Tile":
            y = np.tile(i[0], i[1].tolist())
        elif op == "Squeeze":
            y = np.squeeze(i[0], axis=tuple(i[1].tolist()))
        elif op == "Gather":
            y = np.take(i[0], i[1].astype(np.int64), axis=a.get("axis", 0))
        elif op in ("RNN", "GRU", "LSTM"):
            y, yh, yc = recurrent(op, i, a)
            if len(node.output) > 1 and node.output[1]:
                env[node.output[1]] = yh
            if len(node.output) > 2 and node.output[2]:
                env[node.output[2]] = yc
        else:
            raise SystemExit("reference evaluator: no op " + op)
        env[node.output[0]] = y
    return [env[o.name] for o in model.graph.output]


def main():
    path, data = sys.argv[1], sys.argv[2]
    model = onnx.load(path)
    onnx.checker.check_model(model)
    onnx.shape_inference.infer_shapes(model, strict_mode=True)
    assert model.opset_import[0].version >= 13
    feeds = {}
    for k, inp in enumerate(model.graph.input):
        feeds[inp.name] = np.load(os.path.join(data, "x%d.npy" % k)).astype(np.float64)
    outs = run(model, feeds)
    worst = 0.0
    for k, y in enumerate(outs):
        want = np.load(os.path.join(data, "y%d.npy" % k)).astype(np.float64)
        if y.shape != want.shape:
            raise SystemExit("output %d: shape %s, engine %s" % (k, y.shape, want.shape))
        diff = float(np.max(np.abs(y - want) / (1 + np.abs(want))))
        worst = max(worst, diff)
    if worst > 2e-4:
        raise SystemExit("outputs differ from the engine: max relative diff %g" % worst)
    print("ok max_abs_diff=%g" % worst)


main()
