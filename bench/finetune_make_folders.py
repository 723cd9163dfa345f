#!/usr/bin/env python3
"""Writes class-per-subfolder PNG image folders from Debian's dataset-fashion-mnist (IDX .gz),
for bench/finetune_example.sh. Nothing is downloaded; PNGs are written with zlib (no PIL).

usage: finetune_make_folders.py OUT PRE_PER_CLASS FT_PER_CLASS TEST_PER_CLASS
  OUT/pretrain/<c>_<name>/   classes 0-4, PRE_PER_CLASS training images each
  OUT/finetune/<c>_<name>/   classes 5-9, FT_PER_CLASS training images each (the small set)
  OUT/test/<c>_<name>/       classes 5-9, TEST_PER_CLASS images of the t10k test set each
  OUT/pretest/<c>_<name>/    classes 0-4, TEST_PER_CLASS images of the t10k test set each
"""
import gzip, os, struct, sys, zlib

SRC = "/usr/share/datasets/fashion-mnist"
NAMES = ["tshirt", "trouser", "pullover", "dress", "coat",
         "sandal", "shirt", "sneaker", "bag", "ankle_boot"]


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def png(path, w, h, pixels):
    def chunk(kind, body):
        c = struct.pack(">I", len(body)) + kind + body
        return c + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + pixels[y * w:(y + 1) * w] for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def write(out, images, labels, classes, per_class):
    (n, h, w), pix = images
    _, lab = labels
    seen = {c: 0 for c in classes}
    written = 0
    for i in range(n):
        c = lab[i]
        if c not in seen or seen[c] >= per_class:
            continue
        seen[c] += 1
        d = os.path.join(out, "%d_%s" % (c, NAMES[c]))
        os.makedirs(d, exist_ok=True)
        png(os.path.join(d, "%05d.png" % i), w, h, pix[i * h * w:(i + 1) * h * w])
        written += 1
    return written


def main():
    out, pre, ft, test = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    tr = idx(SRC + "/train-images-idx3-ubyte.gz"), idx(SRC + "/train-labels-idx1-ubyte.gz")
    te = idx(SRC + "/t10k-images-idx3-ubyte.gz"), idx(SRC + "/t10k-labels-idx1-ubyte.gz")
    counts = (write(out + "/pretrain", *tr, range(0, 5), pre),
              write(out + "/finetune", *tr, range(5, 10), ft),
              write(out + "/test", *te, range(5, 10), test),
              write(out + "/pretest", *te, range(0, 5), test))
    print("image folders: pretrain %d (classes 0-4), finetune %d, test %d (classes 5-9), "
          "pretest %d (classes 0-4)" % counts)


if __name__ == "__main__":
    main()
