#!/usr/bin/env python3
"""An independent TFRecord writer/reader in Python for Tessel's cross-checks.

Framing (length, masked CRC32C of the length, data, masked CRC32C of the data) is written here
by hand; tf.train.Example / SequenceExample are python3-protobuf messages built from the
official message layout (package "tensorflow", the field numbers of
tensorflow/core/example/{feature,example}.proto).

  tfrecord_python.py write DIR        writes DIR/plain.tfrecord, DIR/gzip.tfrecord.gz,
                                      DIR/zlib.tfrecord.zz (the same 5 Examples) and
                                      DIR/sequence.tfrecord (2 SequenceExamples)
  tfrecord_python.py read FILE COMP   reads FILE (COMP: none|gzip|zlib), checks every CRC,
                                      prints each Example's features as one JSON line
"""
import gzip
import json
import struct
import sys
import zlib

from google.protobuf import descriptor_pb2, descriptor_pool

try:
    from google.protobuf import message_factory

    def _message_class(desc):
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(desc)
        return message_factory.MessageFactory().GetPrototype(desc)
except ImportError:  # pragma: no cover
    raise


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _build_messages():
    f = descriptor_pb2.FileDescriptorProto()
    f.name = "tensorflow/core/example/example_for_tessel_check.proto"
    f.package = "tensorflow"
    f.syntax = "proto3"
    L = descriptor_pb2.FieldDescriptorProto

    def msg(name, fields, nested=()):
        m = f.message_type.add()
        m.name = name
        for n in nested:
            m.nested_type.add().CopyFrom(n)
        for (fname, num, ftype, label, type_name, oneof) in fields:
            fd = m.field.add()
            fd.name, fd.number, fd.type, fd.label = fname, num, ftype, label
            if type_name:
                fd.type_name = type_name
            if oneof is not None:
                if not m.oneof_decl:
                    m.oneof_decl.add().name = "kind"
                fd.oneof_index = 0
        return m

    rep, opt = L.LABEL_REPEATED, L.LABEL_OPTIONAL
    msg("BytesList", [("value", 1, L.TYPE_BYTES, rep, None, None)])
    fl = msg("FloatList", [("value", 1, L.TYPE_FLOAT, rep, None, None)])
    fl.field[0].options.packed = True
    il = msg("Int64List", [("value", 1, L.TYPE_INT64, rep, None, None)])
    il.field[0].options.packed = True
    msg("Feature", [("bytes_list", 1, L.TYPE_MESSAGE, opt, ".tensorflow.BytesList", 0),
                    ("float_list", 2, L.TYPE_MESSAGE, opt, ".tensorflow.FloatList", 0),
                    ("int64_list", 3, L.TYPE_MESSAGE, opt, ".tensorflow.Int64List", 0)])

    def map_entry(name, value_type):
        e = descriptor_pb2.DescriptorProto()
        e.name = name
        e.options.map_entry = True
        k = e.field.add()
        k.name, k.number, k.type, k.label = "key", 1, L.TYPE_STRING, opt
        v = e.field.add()
        v.name, v.number, v.type, v.label, v.type_name = "value", 2, L.TYPE_MESSAGE, opt, value_type
        return e

    msg("Features", [("feature", 1, L.TYPE_MESSAGE, rep, ".tensorflow.Features.FeatureEntry", None)],
        [map_entry("FeatureEntry", ".tensorflow.Feature")])
    msg("FeatureList", [("feature", 1, L.TYPE_MESSAGE, rep, ".tensorflow.Feature", None)])
    msg("FeatureLists",
        [("feature_list", 1, L.TYPE_MESSAGE, rep, ".tensorflow.FeatureLists.FeatureListEntry", None)],
        [map_entry("FeatureListEntry", ".tensorflow.FeatureList")])
    msg("Example", [("features", 1, L.TYPE_MESSAGE, opt, ".tensorflow.Features", None)])
    msg("SequenceExample", [("context", 1, L.TYPE_MESSAGE, opt, ".tensorflow.Features", None),
                            ("feature_lists", 2, L.TYPE_MESSAGE, opt, ".tensorflow.FeatureLists", None)])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return (_message_class(pool.FindMessageTypeByName("tensorflow.Example")),
            _message_class(pool.FindMessageTypeByName("tensorflow.SequenceExample")))


Example, SequenceExample = _build_messages()


def png_gray(width, height, pixels):
    """A minimal 8-bit grayscale PNG (no PIL needed)."""
    raw = b"".join(b"\x00" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def frame(data):
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked(length)) + data + struct.pack("<I", masked(data))


def examples():
    out = []
    for i in range(5):
        e = Example()
        feat = e.features.feature
        feat["age"].int64_list.value.append(40 + i)
        feat["hours"].float_list.value.extend([15.5 + i, 9.5, 7.0, 8.0])
        feat["favorite_books"].bytes_list.value.extend([b"machine learning", b"cc150"])
        feat["image"].bytes_list.value.append(png_gray(3, 2, [i, 10, 20, 30, 40, 250]))
        feat["label"].int64_list.value.append(i % 3)
        out.append(e.SerializeToString())
    return out


def sequences():
    out = []
    for i in range(2):
        s = SequenceExample()
        s.context.feature["label"].int64_list.value.append(i)
        steps = s.feature_lists.feature_list["frames"].feature
        for t in range(i + 2):
            steps.add().float_list.value.extend([float(t), float(10 * i + t)])
        out.append(s.SerializeToString())
    return out


def write(folder):
    data = b"".join(frame(r) for r in examples())
    with open(folder + "/plain.tfrecord", "wb") as f:
        f.write(data)
    with gzip.open(folder + "/gzip.tfrecord.gz", "wb") as f:
        f.write(data)
    with open(folder + "/zlib.tfrecord.zz", "wb") as f:
        f.write(zlib.compress(data))
    with open(folder + "/sequence.tfrecord", "wb") as f:
        f.write(b"".join(frame(r) for r in sequences()))


def read(path, compression):
    with open(path, "rb") as f:
        data = f.read()
    if compression == "gzip":
        data = gzip.decompress(data)
    elif compression == "zlib":
        data = zlib.decompress(data)
    pos, index = 0, 0
    while pos < len(data):
        length_bytes = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", length_bytes)
        (lcrc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked(length_bytes) != lcrc:
            raise SystemExit(f"record {index}: length CRC mismatch")
        body = data[pos + 12:pos + 12 + length]
        (dcrc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if masked(body) != dcrc:
            raise SystemExit(f"record {index}: data CRC mismatch")
        e = Example()
        e.ParseFromString(body)
        row = {}
        for key, feat in e.features.feature.items():
            kind = feat.WhichOneof("kind")
            if kind == "bytes_list":
                row[key] = {"bytes": [len(v) for v in feat.bytes_list.value],
                            "head": [v[:8].hex() for v in feat.bytes_list.value]}
            elif kind == "float_list":
                row[key] = {"float": list(feat.float_list.value)}
            elif kind == "int64_list":
                row[key] = {"int64": list(feat.int64_list.value)}
        print(json.dumps(row, sort_keys=True))
        pos += 16 + length
        index += 1


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        read(sys.argv[2], sys.argv[3])
