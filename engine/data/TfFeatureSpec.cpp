#include "engine/data/TfFeatureSpec.h"

#include <stb_image.h>

#include <algorithm>
#include <cstring>

#include "engine/core/Error.h"
#include "engine/data/ImageDecode.h"

namespace tessel {

using json = nlohmann::json;
using Kind = TfFeatureValue::Kind;
using Type = TfFeatureSpec::Feature::Type;

Shape TfFeatureSpec::Feature::rowShape() const {
  if (image) return {height, width, channels};
  if (type == Type::VarLen) return {length};
  Shape s;
  if (type == Type::FixedLenSequence) s.push_back(length);
  for (Index d : shape) s.push_back(d);
  return s;
}

Index TfFeatureSpec::Feature::rowSize() const {
  Index n = 1;
  for (Index d : rowShape()) n *= d;
  return n;
}

DType TfFeatureSpec::Feature::arrayDType() const {
  if (image) return DType::UInt8;
  return dtype == "int64" ? DType::Int64 : DType::Float32;
}

std::string TfFeatureSpec::Feature::typeName() const {
  switch (type) {
    case Type::VarLen:
      return "VarLenFeature";
    case Type::FixedLenSequence:
      return "FixedLenSequenceFeature";
    case Type::FixedLen:
      break;
  }
  return "FixedLenFeature";
}

namespace {

Kind kindOf(const std::string& dtype) {
  if (dtype == "string") return Kind::Bytes;
  if (dtype == "int64") return Kind::Int64;
  return Kind::Float;
}

std::string shapeText(const std::vector<Index>& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

Index product(const std::vector<Index>& s) {
  Index n = 1;
  for (Index d : s) n *= d;
  return n;
}

}  // namespace

json TfFeatureSpec::toJson() const {
  json fs = json::array();
  for (const Feature& f : features) {
    json j = {{"name", f.name}, {"type", f.typeName()}, {"dtype", f.dtype}, {"shape", f.shape}};
    j["default_value"] = f.defaultValue ? json(*f.defaultValue) : json(nullptr);
    if (f.type != Type::FixedLen) j["length"] = f.length;
    if (f.image) j["image"] = {{"height", f.height}, {"width", f.width}, {"channels", f.channels}};
    fs.push_back(j);
  }
  return {{"features", fs}, {"labels", labels}, {"inputs", inputs}};
}

TfFeatureSpec TfFeatureSpec::fromJson(const json& j) {
  TfFeatureSpec s;
  try {
    for (const json& fj : j.value("features", json::array())) {
      Feature f;
      f.name = fj.at("name").get<std::string>();
      const std::string type = fj.value("type", std::string("FixedLenFeature"));
      if (type == "FixedLenFeature")
        f.type = Type::FixedLen;
      else if (type == "VarLenFeature")
        f.type = Type::VarLen;
      else if (type == "FixedLenSequenceFeature")
        f.type = Type::FixedLenSequence;
      else
        throw Error("feature '" + f.name + "': unknown type '" + type +
                    "' (FixedLenFeature, VarLenFeature, FixedLenSequenceFeature)");
      f.dtype = fj.value("dtype", std::string("float32"));
      if (f.dtype == "float") f.dtype = "float32";
      if (f.dtype != "float32" && f.dtype != "int64" && f.dtype != "string")
        throw Error("feature '" + f.name + "': unknown dtype '" + f.dtype +
                    "' (float32, int64, string)");
      f.shape = fj.value("shape", std::vector<Index>{});
      for (Index d : f.shape)
        if (d <= 0) throw Error("feature '" + f.name + "': shape " + shapeText(f.shape));
      if (fj.contains("default_value") && !fj["default_value"].is_null()) {
        const json& d = fj["default_value"];
        f.defaultValue = d.is_array() ? d.get<std::vector<double>>() : std::vector<double>{d};
      }
      f.length = fj.value("length", Index(0));
      if (fj.contains("image") && fj["image"].is_object()) {
        f.image = true;
        f.height = fj["image"].value("height", 0);
        f.width = fj["image"].value("width", 0);
        f.channels = fj["image"].value("channels", 1);
      }
      if (f.dtype == "string" && !f.image)
        throw Error("feature '" + f.name +
                    "': a string feature is read only as an encoded image (give \"image\": "
                    "{height, width, channels}) or left out of the specification");
      if (f.image && (f.type != Type::FixedLen || !f.shape.empty() || f.dtype != "string"))
        throw Error("feature '" + f.name + "': an image is a FixedLenFeature([], tf.string)");
      if (f.image && (f.height <= 0 || f.width <= 0 || (f.channels != 1 && f.channels != 3)))
        throw Error("feature '" + f.name +
                    "': image height and width must be positive and channels 1 or 3");
      if (f.type != Type::FixedLen && f.length <= 0)
        throw Error("feature '" + f.name + "': a " + f.typeName() +
                    " needs a positive \"length\" (values or steps kept per sample)");
      if (f.defaultValue && f.defaultValue->size() != 1 &&
          Index(f.defaultValue->size()) != product(f.shape))
        throw Error("feature '" + f.name + "': default_value has " +
                    std::to_string(f.defaultValue->size()) + " values, the shape " +
                    shapeText(f.shape) + " needs " + std::to_string(product(f.shape)));
      s.features.push_back(std::move(f));
    }
    s.labels = j.value("labels", std::vector<std::string>{});
    s.inputs = j.value("inputs", std::vector<std::string>{});
  } catch (const json::exception& e) {
    throw Error(std::string("TFRecord feature specification: malformed JSON (") + e.what() + ")");
  }
  if (s.features.empty()) throw Error("TFRecord feature specification: no features");
  for (const auto& list : {s.labels, s.inputs})
    for (const auto& name : list)
      if (!s.find(name))
        throw Error("TFRecord feature specification: '" + name + "' is not one of its features");
  if (s.inputIndices().empty())
    throw Error("TFRecord feature specification: no input features (every feature is a label)");
  return s;
}

const TfFeatureSpec::Feature* TfFeatureSpec::find(const std::string& name) const {
  for (const Feature& f : features)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<size_t> TfFeatureSpec::inputIndices() const {
  std::vector<size_t> out;
  auto indexOf = [&](const std::string& n) { return size_t(find(n) - features.data()); };
  if (!inputs.empty()) {
    for (const auto& n : inputs) out.push_back(indexOf(n));
    return out;
  }
  for (size_t i = 0; i < features.size(); ++i)
    if (std::find(labels.begin(), labels.end(), features[i].name) == labels.end()) out.push_back(i);
  return out;
}

std::vector<size_t> TfFeatureSpec::labelIndices() const {
  std::vector<size_t> out;
  for (const auto& n : labels) out.push_back(size_t(find(n) - features.data()));
  return out;
}

TfFeatureSpec TfFeatureSpec::infer(const std::vector<TfExample>& examples,
                                   std::vector<std::string>* skipped) {
  if (examples.empty()) throw Error("TFRecord: no records to propose a feature specification from");
  TfFeatureSpec s;
  const TfExample& first = examples.front();
  for (const auto& [name, v] : first.features) {
    Feature f;
    f.name = name;
    f.dtype = TfFeatureValue::kindName(v.kind);
    if (v.kind == Kind::None) continue;
    if (v.kind == Kind::Bytes) {
      int w = 0, h = 0, c = 0;
      const bool img = v.bytes.size() == 1 &&
                       stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(v.bytes[0].data()),
                                             static_cast<int>(v.bytes[0].size()), &w, &h, &c) == 1;
      if (!img) {
        if (skipped) skipped->push_back(name);
        continue;
      }
      f.image = true;
      f.height = h, f.width = w, f.channels = (c == 1 || c == 2) ? 1 : 3;
      s.features.push_back(f);
      continue;
    }
    size_t lo = v.size(), hi = v.size();
    for (const TfExample& e : examples) {
      auto it = e.features.find(name);
      const size_t n = it == e.features.end() ? 0 : it->second.size();
      lo = std::min(lo, n), hi = std::max(hi, n);
    }
    if (lo == hi && hi > 0) {
      if (hi > 1) f.shape = {Index(hi)};
    } else {
      f.type = Type::VarLen;
      f.length = Index(std::max<size_t>(hi, 1));
    }
    s.features.push_back(f);
  }
  for (const auto& [name, steps] : first.featureLists) {
    if (steps.empty() || steps[0].kind == Kind::Bytes || steps[0].kind == Kind::None) {
      if (skipped) skipped->push_back(name);
      continue;
    }
    Feature f;
    f.name = name;
    f.type = Type::FixedLenSequence;
    f.dtype = TfFeatureValue::kindName(steps[0].kind);
    if (steps[0].size() > 1) f.shape = {Index(steps[0].size())};
    size_t longest = 0;
    for (const TfExample& e : examples) {
      auto it = e.featureLists.find(name);
      if (it != e.featureLists.end()) longest = std::max(longest, it->second.size());
    }
    f.length = Index(longest);
    s.features.push_back(f);
  }
  for (const char* key : {"label", "labels", "class", "target", "y"}) {
    const Feature* f = s.find(key);
    if (f && !f->image && f->type == Type::FixedLen) {
      s.labels = {key};
      break;
    }
  }
  if (s.inputIndices().empty())
    throw Error("TFRecord: the records hold no numeric or image feature to train on");
  return s;
}

namespace {

// The feature's value in e (FixedLen / VarLen), or null when missing.
const TfFeatureValue* valueOf(const TfExample& e, const TfFeatureSpec::Feature& f) {
  auto it = e.features.find(f.name);
  return it == e.features.end() || it->second.kind == Kind::None ? nullptr : &it->second;
}

void checkKind(const TfFeatureValue& v, const TfFeatureSpec::Feature& f, const std::string& where) {
  if (v.kind != kindOf(f.dtype))
    throw Error(where + ": feature '" + f.name + "' is " + TfFeatureValue::kindName(v.kind) +
                " in the record but " + f.dtype + " in the specification");
}

}  // namespace

void TfFeatureSpec::check(const TfExample& e, const std::string& where) const {
  for (const Feature& f : features) {
    if (f.type == Type::FixedLenSequence) {
      auto it = e.featureLists.find(f.name);
      if (it == e.featureLists.end()) continue;  // zero steps: padded
      for (const TfFeatureValue& step : it->second) {
        checkKind(step, f, where);
        if (Index(step.size()) != product(f.shape))
          throw Error(where + ": feature list '" + f.name + "' has a step of " +
                      std::to_string(step.size()) + " values; the shape " + shapeText(f.shape) +
                      " needs " + std::to_string(product(f.shape)));
      }
      continue;
    }
    const TfFeatureValue* v = valueOf(e, f);
    if (!v) {
      if (f.type == Type::FixedLen && !f.defaultValue)
        throw Error(where + ": feature '" + f.name +
                    "' is missing and the specification gives no default_value");
      continue;
    }
    checkKind(*v, f, where);
    if (f.image) {
      int w = 0, h = 0, c = 0;
      if (v->bytes.size() != 1)
        throw Error(where + ": feature '" + f.name + "' holds " + std::to_string(v->bytes.size()) +
                    " byte strings; an image feature holds one");
      if (stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(v->bytes[0].data()),
                                static_cast<int>(v->bytes[0].size()), &w, &h, &c) != 1)
        throw Error(
            where + ": feature '" + f.name + "' is not an encoded image (PNG, JPEG, BMP, " +
            "GIF): " + std::to_string(v->bytes[0].size()) + " bytes starting " +
            (v->bytes[0].empty() ? std::string("(empty)") : "'" + v->bytes[0].substr(0, 8) + "'"));
    } else if (f.type == Type::FixedLen && Index(v->size()) != product(f.shape)) {
      throw Error(where + ": feature '" + f.name + "' has " + std::to_string(v->size()) +
                  " values but its FixedLenFeature shape " + shapeText(f.shape) + " needs " +
                  std::to_string(product(f.shape)) +
                  " (the records have mixed shapes: use a VarLenFeature with a length)");
    }
  }
}

namespace {

// Writes up to `n` values of v into out (as float), returns how many were written.
Index copyValues(const TfFeatureValue& v, float* out, Index n) {
  const Index k = std::min<Index>(n, Index(v.size()));
  if (v.kind == Kind::Float)
    std::memcpy(out, v.floats.data(), size_t(k) * sizeof(float));
  else
    for (Index i = 0; i < k; ++i) out[i] = static_cast<float>(v.ints[size_t(i)]);
  return k;
}

}  // namespace

void TfFeatureSpec::decode(const TfExample& e, size_t fi, float* out,
                           const std::string& where) const {
  const Feature& f = features[fi];
  const Index size = f.rowSize();
  if (f.type == Type::FixedLenSequence) {
    std::fill(out, out + size, 0.0f);
    auto it = e.featureLists.find(f.name);
    if (it == e.featureLists.end()) return;
    const Index per = product(f.shape);
    for (Index s = 0; s < f.length && s < Index(it->second.size()); ++s) {
      checkKind(it->second[size_t(s)], f, where);
      copyValues(it->second[size_t(s)], out + s * per, per);
    }
    return;
  }
  const TfFeatureValue* v = valueOf(e, f);
  if (!v) {
    if (f.type == Type::VarLen) return std::fill(out, out + size, 0.0f);
    if (!f.defaultValue)
      throw Error(where + ": feature '" + f.name +
                  "' is missing and the specification gives no default_value");
    const auto& d = *f.defaultValue;
    for (Index i = 0; i < size; ++i) out[i] = float(d.size() == 1 ? d[0] : d[size_t(i)]);
    return;
  }
  checkKind(*v, f, where);
  if (f.image) {
    if (v->bytes.size() != 1)
      throw Error(where + ": feature '" + f.name + "' holds " + std::to_string(v->bytes.size()) +
                  " byte strings; an image feature holds one");
    const std::string& b = v->bytes[0];
    DecodedImage img =
        decodeImage(reinterpret_cast<const std::uint8_t*>(b.data()), b.size(),
                    where + ": feature '" + f.name + "'", f.channels, f.height, f.width);
    for (Index i = 0; i < size; ++i) out[i] = img.pixels[size_t(i)];
    return;
  }
  if (f.type == Type::FixedLen && Index(v->size()) != size)
    throw Error(where + ": feature '" + f.name + "' has " + std::to_string(v->size()) +
                " values but its FixedLenFeature shape " + shapeText(f.shape) + " needs " +
                std::to_string(size) +
                " (the records have mixed shapes: use a VarLenFeature with a length)");
  const Index k = copyValues(*v, out, size);
  std::fill(out + k, out + size, 0.0f);
}

}  // namespace tessel
