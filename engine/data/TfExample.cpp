#include "engine/data/TfExample.h"

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
