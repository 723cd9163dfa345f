#!/usr/bin/python3
"""Writes the small seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Rerun after changing it: python3 tests/fuzz/make_seeds.py (needs python3-numpy; the JPEG seed
needs ImageMagick's `convert`, the Keras seeds with optimizer state python3-h5py, each kept as
committed when it is missing). Every file stays tiny (< 64 KiB, run_all.sh's -max_len).
"""
import gzip
import io
import json
import os
import shutil
import struct
import subprocess
import zipfile
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def dense_model(keras3=False):
    if keras3:
        return {
            "module": "keras", "class_name": "Functional", "registered_name": "Functional",
            "config": {
                "name": "m", "trainable": True,
                "layers": [
                    {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                     "name": "x", "config": {"batch_shape": [None, 4], "dtype": "float32",
                                             "sparse": False, "name": "x"},
                     "inbound_nodes": []},
                    {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
                     "name": "d", "config": {"name": "d", "units": 3, "activation": "relu"},
                     "build_config": {"input_shape": [None, 4]},
                     "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
                         "shape": [None, 4], "dtype": "float32",
                         "keras_history": ["x", 0, 0]}}], "kwargs": {}}]},
                ],
                "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]],
            },
            "compile_config": {
                "optimizer": {"module": "keras.optimizers", "class_name": "Adam",
                              "config": {"learning_rate": 0.001}, "registered_name": None},
                "loss": "mse", "metrics": ["mae"], "loss_weights": None,
                "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
                "jit_compile": False},
        }
    return {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 3, "activation": "relu",
                                           "batch_input_shape": [None, 4]}},
        {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.5}},
        {"class_name": "Dense", "config": {"name": "out", "units": 2,
                                           "activation": "softmax"}}]}}


def functional_conv():
    def layer(cls, name, config, inbound):
        return {"class_name": cls, "name": name, "config": dict(config, name=name),
                "inbound_nodes": [[[i, 0, 0, {}] for i in inbound]] if inbound else []}
    return {"class_name": "Functional", "config": {"name": "f", "layers": [
        layer("InputLayer", "img", {"batch_input_shape": [None, 8, 8, 1]}, []),
        layer("Conv2D", "c", {"filters": 2, "kernel_size": [3, 3], "padding": "same"}, ["img"]),
        layer("MaxPooling2D", "p", {"pool_size": [2, 2]}, ["c"]),
        layer("Reshape", "r", {"target_shape": [-1]}, ["p"]),
        layer("InputLayer", "wide", {"batch_input_shape": [None, 5]}, []),
        layer("Concatenate", "cat", {"axis": -1}, ["r", "wide"]),
        layer("BatchNormalization", "bn", {}, ["cat"]),
        layer("Dense", "out", {"units": 1}, ["bn"])],
        "input_layers": [["img", 0, 0], ["wide", 0, 0]], "output_layers": [["out", 0, 0]]}}


def model_json_seeds():
    put("fuzz_model_json", "sequential.json", json.dumps(dense_model()))
    put("fuzz_model_json", "functional.json", json.dumps(functional_conv()))
    tfjs = {"format": "layers-model", "modelTopology": {"model_config": dense_model(),
            "training_config": {"loss": "mse", "optimizer_config": {
                "class_name": "Adam", "config": {"learningRate": 0.01}}}},
            "weightsManifest": [{"paths": ["missing.bin"], "weights": [
                {"name": "d/kernel", "shape": [4, 3], "dtype": "float32"}]}]}
    put("fuzz_model_json", "tfjs.json", json.dumps(tfjs))
    example = os.path.join(ROOT, "resources", "examples", "wide_deep", "model.json")
    if os.path.exists(example):
        shutil.copy(example, os.path.join(CORPUS, "fuzz_model_json", "wide_deep.json"))
    put("fuzz_keras3_json", "functional.json", json.dumps(dense_model(keras3=True)))
    put("fuzz_keras3_json", "keras2.json", json.dumps(dense_model()))


def weights_seeds():
    manifest = {"weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": [
        {"name": "d/kernel", "shape": [2, 3], "dtype": "float32"},
        {"name": "d/bias", "shape": [3], "dtype": "float32"},
        {"name": "iter", "shape": [], "dtype": "int32", "group": "optimizer"}]}]}
    shard = np.arange(9, dtype="<f4").tobytes() + struct.pack("<i", 7)
    put("fuzz_weights", "manifest.bin", json.dumps(manifest).encode() + b"\0" + shard)
    bare = [{"paths": ["group1-shard1of1.bin"], "weights": [
        {"name": "k", "shape": [4], "dtype": "float32"}]}]
    put("fuzz_weights", "bare_list.bin", json.dumps(bare).encode() + b"\0" +
        np.ones(4, dtype="<f4").tobytes())


def npy_bytes(a):
    import io
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue()


def array_seeds():
    put("fuzz_npy", "f4.npy", npy_bytes(np.arange(6, dtype="<f4").reshape(2, 3)))
    put("fuzz_npy", "u1.npy", npy_bytes(np.arange(4, dtype="u1")))
    put("fuzz_npy", "be_i2.npy", npy_bytes(np.arange(3, dtype=">i2")))
    put("fuzz_npy", "scalar_f8.npy", npy_bytes(np.float64(2.5)))
    put("fuzz_npy", "b1.npy", npy_bytes(np.array([True, False])))
    idx = bytes([0, 0, 0x08, 3]) + struct.pack(">III", 2, 2, 2) + bytes(range(8))
    put("fuzz_idx", "u1.idx", idx)
    put("fuzz_idx", "labels.idx", bytes([0, 0, 0x08, 1]) + struct.pack(">I", 3) + b"\1\2\3")
    put("fuzz_idx", "f4.idx", bytes([0, 0, 0x0D, 1]) + struct.pack(">I", 2) +
        struct.pack(">ff", 1.5, -2.0))
    put("fuzz_idx", "u1.idx.gz", gzip.compress(idx, mtime=0))


def csv_seeds():
    put("fuzz_csv", "numeric.csv", "a,b,label\n1,2.5,0\n3,4,1\n5,,1\n")
    put("fuzz_csv", "sklearn.csv", "3,2,setosa,versicolor\n5.1,3.5,0\n4.9,3.0,1\n6.2,2.9,1\n")
    put("fuzz_csv", "quoted.tsv", 'name\tcolor\tv\n"a ""b"""\tred\t1\n"multi\nline"\tblue\t2\n')
    spec = {"columns": [
        {"name": "age", "role": "feature", "type": "numeric", "default_value": 0},
        {"name": "color", "role": "feature", "type": "categorical", "vocabulary": ["red", "blue"],
         "num_oov_buckets": 2},
        {"name": "label", "role": "label", "type": "categorical"}],
        "crossed": [{"keys": ["age", "color"], "hash_bucket_size": 8, "encoding": "index"}],
        "fractions": [0.6, 0.2, 0.2], "seed": 1, "bad_rows": "skip"}
    put("fuzz_csv", "spec_crossed.bin", json.dumps(spec).encode() + b"\0" +
        b"age,color,label\n30,red,yes\n40,green,no\n,blue,yes\n25,red,no\n33,blue,yes\n")
    put("fuzz_box_csv", "boxes.csv",
        "filename,y_min,x_min,y_max,x_max,label\na.png,0.1,0.2,0.5,0.6,cat\n"
        "a.png,0,0,1,1,dog\nb.png,0.25,0.25,0.75,0.75,cat\n")
    put("fuzz_box_csv", "no_header.csv", "x.jpg,0.0,0.0,0.5,0.5,shoe\n")
    put("fuzz_voc_xml", "voc.xml",
        "<annotation><filename>a.jpg</filename><size><width>64</width><height>48</height>"
        "<depth>3</depth></size><object><name>cat</name><bndbox><xmin>4</xmin><ymin>5</ymin>"
        "<xmax>30</xmax><ymax>40</ymax></bndbox></object><object><name>dog</name><bndbox>"
        "<xmin>0</xmin><ymin>0</ymin><xmax>64</xmax><ymax>48</ymax></bndbox></object>"
        "</annotation>\n")


def png(width, height, color_type, rows):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def bmp(width, height):
    row = bytes([10, 200, 30] * width)
    row += b"\0" * ((4 - len(row) % 4) % 4)
    pixels = row * height
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels


def image_seeds():
    # The first byte picks channels and resize (see fuzz_image_decode.cpp): 0 gray, 1 RGB,
    # 1 | (8 << 1) RGB resized to 8x8.
    gray = png(3, 2, 0, [bytes([0, 128, 255]), bytes([10, 20, 30])])
    rgb = png(2, 2, 2, [bytes([255, 0, 0, 0, 255, 0]), bytes([0, 0, 255, 9, 9, 9])])
    put("fuzz_image_decode", "gray.png", b"\0" + gray)
    put("fuzz_image_decode", "rgb_resized.png", bytes([1 | (8 << 1)]) + rgb)
    put("fuzz_image_decode", "rgb.bmp", b"\1" + bmp(3, 2))
    # GIF89a 1x1, one colour.
    gif = (b"GIF89a\1\0\1\0\x80\0\0\xff\0\0\0\0\0,\0\0\0\0\1\0\1\0\0\2\2D\1\0;")
    put("fuzz_image_decode", "pixel.gif", b"\0" + gif)
    if shutil.which("convert"):
        src = os.path.join(CORPUS, "fuzz_image_decode", "tmp.bmp")
        with open(src, "wb") as f:
            f.write(bmp(4, 4))
        out = subprocess.run(["convert", src, "-quality", "50", "jpg:-"], capture_output=True)
        os.remove(src)
        if out.returncode == 0 and out.stdout:
            put("fuzz_image_decode", "small.jpg", b"\1" + out.stdout)


def onnx_seeds():
    # The ONNX importer's small fixtures (tests/fixtures/onnx/make_fixtures.py).
    # torch_lstm: an LSTM with PyTorch's batch_first patterns (make_recurrent_fixtures.py).
    for name in ["torch_mlp", "torch_dwcnn", "torch_view", "two_inputs", "foreign_transpose",
                 "torch_lstm"]:
        with open(os.path.join(ROOT, "tests", "fixtures", "onnx", name + ".onnx"), "rb") as f:
            put("fuzz_onnx_import", name + ".onnx", f.read())


def keras_seeds():
    # The Keras HDF5 reader: the h5py-written fixtures of tests/fixtures/h5/ (make_fixtures.py):
    # a Keras 2 full model with Adam state, weights-only files in the Keras 2 (by order, by name)
    # and Keras 3 layouts, a recurrent/wrapper model, and a file whose layer lacks a weight.
    h5dir = os.path.join(ROOT, "tests", "fixtures", "h5")

    def fixture(name):
        with open(os.path.join(h5dir, name), "rb") as f:
            return f.read()

    for name in ["mlp_keras2.h5", "mlp_weights_keras2.h5", "mlp_weights_byname.h5",
                 "cnn.weights.h5", "bidir_td_keras2.h5", "bad_count.h5"]:
        put("fuzz_keras_h5", name, fixture(name))
    # The .keras archive reader: the fixture (stored members, as Keras writes them), the same
    # archive deflated, one without config.json, and one with Adam's state under
    # optimizer/vars as Keras 3 (and our writer, KerasH5.h keras3WeightsImage) keeps it.
    mlp = fixture("mlp.keras")
    put("fuzz_keras_archive", "mlp.keras", mlp)
    put("fuzz_keras_archive", "no_config.keras", fixture("no_config.keras"))
    with zipfile.ZipFile(io.BytesIO(mlp)) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]

    def archive(files, compression):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for name, data in files:  # a fixed date: the seeds do not change on every rerun
                z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compression)
        return out.getvalue()

    put("fuzz_keras_archive", "mlp_deflated.keras", archive(members, zipfile.ZIP_DEFLATED))
    weights = dict(members)["model.weights.h5"]
    # Keras 3 weights alone (model.weights.h5 of the archive) for the HDF5 target too.
    put("fuzz_keras_h5", "mlp.weights.h5", weights)
    try:
        import h5py
    except ImportError:
        return
    buf = io.BytesIO(weights)
    with h5py.File(buf, "r+") as f:
        shapes = [f[f"layers/{l}/vars/{i}"].shape for l in ("dense", "dense_1") for i in (0, 1)]
        g = f.require_group("optimizer").require_group("vars")
        g.create_dataset("0", data=np.int64(3))
        g.create_dataset("1", data=np.float32(0.001))
        k = 2
        for shape in shapes:
            for slot in range(2):  # momentum, velocity
                g.create_dataset(str(k), data=np.full(shape, 0.01 * (slot + 1), np.float32))
                k += 1
    members = [(n, buf.getvalue() if n == "model.weights.h5" else d) for n, d in members]
    put("fuzz_keras_archive", "mlp_adam.keras", archive(members, zipfile.ZIP_STORED))


def text_seeds():
    # The text data sets: first byte 0 a CSV of text and label, 1 sentence pairs, 2 a vocabulary.
    put("fuzz_text_data", "reviews.csv",
        b"\0text,label\n\"A fine film, really.\",pos\nawful plot,neg\nit was ok,pos\n"
        b"\"dull, long\",neg\n\xc3\xa9t\xc3\xa9 au cin\xc3\xa9ma,pos\n")
    put("fuzz_text_data", "pairs.tsv", b"\1go.\tva !\nhi.\tsalut.\nrun!\tcours !\tCC-BY\n"
                                        b"\r\nwho?\tqui ?\r\n")
    put("fuzz_text_data", "vocab.txt", b"\2a\nb\nc\nd\n\xc3\xa9\n\n")


if __name__ == "__main__":
    model_json_seeds()
    weights_seeds()
    array_seeds()
    csv_seeds()
    image_seeds()
    onnx_seeds()
    keras_seeds()
    text_seeds()
