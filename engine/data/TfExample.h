#pragma once
// A tf.train.Example or tf.train.SequenceExample in plain C++ (the protobuf messages of
// engine/io/proto/tessel_example.proto stay inside TfExample.cpp): named features, each a
// BytesList, FloatList or Int64List, and for a SequenceExample named feature lists (one Feature
// per step).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tessel {

struct TfFeatureValue {
  enum class Kind { None, Bytes, Float, Int64 };
  Kind kind = Kind::None;  // None: a Feature with no list set
  std::vector<std::string> bytes;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;

  static TfFeatureValue ofBytes(std::vector<std::string> v);
  static TfFeatureValue ofFloats(std::vector<float> v);
  static TfFeatureValue ofInts(std::vector<std::int64_t> v);
  std::size_t size() const;  // number of values in the list
  // TF's dtype names for the kinds: "string", "float32", "int64" ("none").
  static const char* kindName(Kind k);
};

class TfExample {
 public:
  std::map<std::string, TfFeatureValue> features;  // Example.features / SequenceExample.context
  std::map<std::string, std::vector<TfFeatureValue>> featureLists;  // SequenceExample only
  bool sequence = false;  // serialize as a SequenceExample

  // Parses a serialized Example or SequenceExample (the same bytes parse as both: field 1 is
  // the features / context; feature lists make it a SequenceExample). Throws Error "<where>: not
  // a tf.train.Example ..." when the bytes are not one.
  static TfExample parse(const std::string& bytes, const std::string& where);
  // The same with only the features named in `only` (context features and feature lists): the
  // others are skipped on the wire, never copied (a label-only pass does not copy the images'
  // bytes). Bytes that do not parse throw parse()'s error.
  static TfExample parse(const std::string& bytes, const std::string& where,
                         const std::vector<std::string>& only);
  std::string serialize() const;
};

}  // namespace tessel
