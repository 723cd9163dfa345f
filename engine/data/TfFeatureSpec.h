#pragma once
// The feature specification of TFRecord Examples, as Keras users write it for
// tf.io.parse_single_example:
//   {"image": tf.io.FixedLenFeature([], tf.string),          # an encoded PNG/JPEG
//    "pixels": tf.io.FixedLenFeature([28, 28], tf.float32, default_value=...),
//    "tokens": tf.io.VarLenFeature(tf.int64),                 # densified to `length`
//    "label": tf.io.FixedLenFeature([], tf.int64)}
// plus which keys are labels (y, one array per label in order) and which are model inputs (x, one
// array per input; default: every feature that is not a label). A string feature is usable only
// as an encoded image: it is decoded through ImageDecode (stb) to (height, width, channels) and
// resized as image folders are. A VarLenFeature becomes a dense (length,) row padded with 0 (its
// default) or truncated, as tf.sparse.to_dense + a fixed length. A "sequence" feature is a
// FixedLenSequenceFeature of a SequenceExample's feature_lists: (length steps, shape...) padded
// with 0 steps.
//
// JSON form (DataSettings options "features"): [{"name", "type": "FixedLenFeature" |
// "VarLenFeature" | "FixedLenSequenceFeature", "dtype": "float32" | "int64" | "string",
// "shape": [...], "default_value": number | [numbers] | null, "length": n, "image": {"height",
// "width", "channels"}}], "labels": [keys], "inputs": [keys].
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/Array.h"
#include "engine/data/TfExample.h"

namespace tessel {

class TfFeatureSpec {
 public:
  struct Feature {
    std::string name;
    enum class Type { FixedLen, VarLen, FixedLenSequence } type = Type::FixedLen;
    std::string dtype = "float32";  // "float32", "int64", "string"
    std::vector<Index> shape;       // FixedLen / per step of FixedLenSequence; [] = scalar
    std::optional<std::vector<double>> defaultValue;  // FixedLen numeric; 1 value broadcasts
    Index length = 0;  // VarLen: values kept; FixedLenSequence: steps kept
    bool image = false;
    int height = 0, width = 0, channels = 1;  // image: decoded size (0: as the first image)

    Shape rowShape() const;  // the shape of one sample of this feature's array
    Index rowSize() const;
    DType arrayDType() const;      // UInt8 for images, Float32 / Int64 otherwise
    std::string typeName() const;  // "FixedLenFeature", ...
  };

  std::vector<Feature> features;
  std::vector<std::string> labels;  // y arrays, in output order
  std::vector<std::string> inputs;  // x arrays, in input order (empty: all non-label features)

  nlohmann::json toJson() const;
  // Throws Error for unknown types/dtypes, a string feature that is not an image, a label or
  // input naming no feature, a VarLen/sequence feature without a positive length.
  static TfFeatureSpec fromJson(const nlohmann::json& j);
  // The features the x arrays come from, in order, then the y features (indices into features).
  std::vector<size_t> inputIndices() const;
  std::vector<size_t> labelIndices() const;
  const Feature* find(const std::string& name) const;

  // Proposes a specification from the first examples (as the CSV preview proposes columns): a
  // single-value bytes feature whose bytes are an image -> FixedLen string image (its size and
  // channels, 3 for colour); float/int64 lists of one length in every example -> FixedLen of that
  // shape ([] for one value), of varying length -> VarLen with the longest length; feature lists
  // -> FixedLenSequence; other bytes features are left out (listed in `skipped`). The label is
  // the first of "label", "labels", "class", "target", "y" present as int64/float. Throws Error
  // when there are no examples.
  static TfFeatureSpec infer(const std::vector<TfExample>& examples,
                             std::vector<std::string>* skipped = nullptr);

  // Checks one example against the spec without decoding images (a missing feature without a
  // default, a wrong dtype, a length that does not fit a FixedLenFeature, bytes that are not an
  // image header); throws Error "<where>: feature '<name>' ...".
  void check(const TfExample& e, const std::string& where) const;
  // The raw values of feature `f` of example `e` (check()ed or not) into out (rowSize floats).
  void decode(const TfExample& e, size_t f, float* out, const std::string& where) const;
};

}  // namespace tessel
