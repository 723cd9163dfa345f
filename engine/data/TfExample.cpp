#include "engine/data/TfExample.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>

#include "engine/core/Error.h"
#include "engine/io/proto/tessel_example.pb.h"

namespace tessel {

namespace pb = tessel::tfexample;

TfFeatureValue TfFeatureValue::ofBytes(std::vector<std::string> v) {
  TfFeatureValue f;
  f.kind = Kind::Bytes;
  f.bytes = std::move(v);
  return f;
}

TfFeatureValue TfFeatureValue::ofFloats(std::vector<float> v) {
  TfFeatureValue f;
  f.kind = Kind::Float;
  f.floats = std::move(v);
  return f;
}

TfFeatureValue TfFeatureValue::ofInts(std::vector<std::int64_t> v) {
  TfFeatureValue f;
  f.kind = Kind::Int64;
  f.ints = std::move(v);
  return f;
}

std::size_t TfFeatureValue::size() const {
  switch (kind) {
    case Kind::Bytes:
      return bytes.size();
    case Kind::Float:
      return floats.size();
    case Kind::Int64:
      return ints.size();
    case Kind::None:
      break;
  }
  return 0;
}

const char* TfFeatureValue::kindName(Kind k) {
  switch (k) {
    case Kind::Bytes:
      return "string";
    case Kind::Float:
      return "float32";
    case Kind::Int64:
      return "int64";
    case Kind::None:
      break;
  }
  return "none";
}

namespace {

TfFeatureValue fromProto(const pb::Feature& f) {
  TfFeatureValue v;
  switch (f.kind_case()) {
    case pb::Feature::kBytesList:
      v.kind = TfFeatureValue::Kind::Bytes;
      v.bytes.assign(f.bytes_list().value().begin(), f.bytes_list().value().end());
      break;
    case pb::Feature::kFloatList:
      v.kind = TfFeatureValue::Kind::Float;
      v.floats.assign(f.float_list().value().begin(), f.float_list().value().end());
      break;
    case pb::Feature::kInt64List:
      v.kind = TfFeatureValue::Kind::Int64;
      v.ints.assign(f.int64_list().value().begin(), f.int64_list().value().end());
      break;
    default:
      break;
  }
  return v;
}

void toProto(const TfFeatureValue& v, pb::Feature& f) {
  switch (v.kind) {
    case TfFeatureValue::Kind::Bytes:
      for (const auto& b : v.bytes) f.mutable_bytes_list()->add_value(b);
      if (v.bytes.empty()) f.mutable_bytes_list();
      break;
    case TfFeatureValue::Kind::Float:
      f.mutable_float_list()->mutable_value()->Add(v.floats.begin(), v.floats.end());
      break;
    case TfFeatureValue::Kind::Int64:
      f.mutable_int64_list()->mutable_value()->Add(v.ints.begin(), v.ints.end());
      break;
    case TfFeatureValue::Kind::None:
      break;
  }
}

}  // namespace

TfExample TfExample::parse(const std::string& bytes, const std::string& where) {
  pb::SequenceExample m;
  if (!m.ParseFromString(bytes))
    throw Error(where + ": not a tf.train.Example or SequenceExample (protobuf parse failed)");
  TfExample e;
  for (const auto& [name, f] : m.context().feature()) e.features.emplace(name, fromProto(f));
  for (const auto& [name, list] : m.feature_lists().feature_list()) {
    auto& steps = e.featureLists[name];
    for (const auto& f : list.feature()) steps.push_back(fromProto(f));
  }
  e.sequence = m.has_feature_lists();
  return e;
}

namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

constexpr std::uint32_t kLengthDelimited = WireFormatLite::WIRETYPE_LENGTH_DELIMITED;

bool wanted(const std::vector<std::string>& only, const std::string& key) {
  return std::find(only.begin(), only.end(), key) != only.end();
}

// A length prefix that fits in what is left of the bytes (a lying length fails here).
bool readLength(CodedInputStream& in, int total, int& n) {
  std::uint32_t v = 0;
  if (!in.ReadVarint32(&v) || v > std::uint32_t(total - in.CurrentPosition())) return false;
  n = int(v);
  return true;
}

// One map entry (key = 1, value = 2) of `limit` bytes: the key, and where the value's bytes are.
bool readEntry(CodedInputStream& in, int total, int limit, std::string& key, int& valueAt,
               int& valueSize) {
  const auto old = in.PushLimit(limit);
  valueAt = -1, valueSize = 0;
  while (std::uint32_t tag = in.ReadTag()) {
    int n = 0;
    if (tag == (1u << 3 | kLengthDelimited)) {
      key.clear();
      if (!readLength(in, total, n) || !in.ReadString(&key, n)) return false;
    } else if (tag == (2u << 3 | kLengthDelimited)) {
      if (!readLength(in, total, n)) return false;
      valueAt = in.CurrentPosition(), valueSize = n;
      if (!in.Skip(n)) return false;
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  if (!in.ConsumedEntireMessage()) return false;
  in.PopLimit(old);
  return true;
}

// Walks a serialized Example / SequenceExample, parsing only the wanted features.
bool parseOnly(const std::string& bytes, const std::vector<std::string>& only, TfExample& e) {
  if (bytes.size() > std::size_t(1) << 30) return false;  // (the full parse decides)
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const int total = int(bytes.size());
  CodedInputStream in(data, total);
  while (std::uint32_t tag = in.ReadTag()) {
    const int field = int(WireFormatLite::GetTagFieldNumber(tag));
    if ((field != 1 && field != 2) || WireFormatLite::GetTagWireType(tag) != kLengthDelimited) {
      if (!WireFormatLite::SkipField(&in, tag)) return false;
      continue;
    }
    int n = 0;
    if (!readLength(in, total, n)) return false;
    if (field == 2) e.sequence = true;
    // Features (context) / FeatureLists: a map whose entries are field 1.
    const auto outer = in.PushLimit(n);
    while (std::uint32_t t = in.ReadTag()) {
      if (t != (1u << 3 | kLengthDelimited)) {
        if (!WireFormatLite::SkipField(&in, t)) return false;
        continue;
      }
      int len = 0, at = -1, size = 0;
      std::string key;
      if (!readLength(in, total, len) || !readEntry(in, total, len, key, at, size)) return false;
      if (!wanted(only, key)) continue;
      if (field == 1) {
        pb::Feature f;
        if (at >= 0 && !f.ParseFromArray(data + at, size)) return false;
        e.features[key] = fromProto(f);
      } else {
        pb::FeatureList list;
        if (at >= 0 && !list.ParseFromArray(data + at, size)) return false;
        auto& steps = e.featureLists[key];
        steps.clear();
        for (const auto& f : list.feature()) steps.push_back(fromProto(f));
      }
    }
    if (!in.ConsumedEntireMessage()) return false;
    in.PopLimit(outer);
  }
  return in.ConsumedEntireMessage();
}

}  // namespace

TfExample TfExample::parse(const std::string& bytes, const std::string& where,
                           const std::vector<std::string>& only) {
  TfExample e;
  if (!parseOnly(bytes, only, e)) return parse(bytes, where);  // throws the parse error
  return e;
}

std::string TfExample::serialize() const {
  std::string out;
  if (!sequence) {
    pb::Example m;
    auto* map = m.mutable_features()->mutable_feature();
    for (const auto& [name, v] : features) toProto(v, (*map)[name]);
    m.SerializeToString(&out);
    return out;
  }
  pb::SequenceExample m;
  auto* ctx = m.mutable_context()->mutable_feature();
  for (const auto& [name, v] : features) toProto(v, (*ctx)[name]);
  auto* lists = m.mutable_feature_lists()->mutable_feature_list();
  for (const auto& [name, steps] : featureLists) {
    pb::FeatureList& fl = (*lists)[name];
    for (const auto& v : steps) toProto(v, *fl.add_feature());
  }
  m.SerializeToString(&out);
  return out;
}

}  // namespace tessel
