#pragma once
// Keras's text preprocessing layers in the graph: TextVectorization, StringLookup (both
// "host-side") and IntegerLookup (in-graph). Registered in the catalog (group "Preprocessing") by
// registerTextLayers (TextLayers.cpp), with Keras's config keys; the vocabulary lives IN THE
// CONFIG ("vocabulary", the full list with the mask/OOV tokens, plus "idf_weights" for tf_idf),
// as Keras 3 serializes a layer built with a vocabulary, so model.json holds it.
//
// How a graph with strings gets its ids. Engine tensors are float, so strings never enter the
// graph: the string -> id step runs in the DATA STAGE (DataSettings kind "text",
// engine/data/TextDataset.h), whose "vectorization" options ARE this layer's config. A graph
// reads text as
//     Input(shape=(L,)) -> TextVectorization(output_sequence_length=L, ...) -> Embedding ...
// where the Input receives the ids the data stage computed with the same config, and the layer
// passes them through (checking, when it has a vocabulary, that every id is an integer in
// [0, vocabulary size)). With output_mode multi_hot / count / tf_idf the Input is (depth,). The
// data stage adapts the vocabulary on the training split only (Keras's adapt()); copying it into
// the model (storeTextVocabulary) makes the saved model.json carry it, and
// textVectorizationConfig reads a model's layer config back so the data stage vectorizes with the
// model's own vocabulary (no second adapt). A Keras model whose string Input is (None, 1) keeps
// that shape in the file; feeding it in the studio needs the (L,) Input above (forward() says so).
// StringLookup works the same way (the data stage's ids pass through).
//
// IntegerLookup runs in the graph on numeric input (integer values held in floats): int mode
// gives indices (same shape), one_hot (..., depth) (a trailing axis of 1 is replaced), multi_hot /
// count / tf_idf (N, depth) per row. It has no gradient (dx = 0). It is Adaptable (Adaptable.h):
// adapt() learns the vocabulary from data, as Keras's layer.adapt.
#include <memory>
#include <optional>

#include "engine/data/TextLookup.h"
#include "engine/graph/ModelSpec.h"
#include "engine/layers/Adaptable.h"
#include "engine/layers/Layer.h"

namespace tessel {

// TextVectorization and StringLookup: ids computed in the data stage pass through.
class HostTextLayer : public Layer {
 public:
  HostTextLayer(const std::string& className, const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;
  // The vocabulary size from the config (with special tokens), -1 when unknown.
  std::int64_t vocabularySize() const { return vocabSize_; }

 private:
  std::int64_t outputWidth(std::int64_t inputWidth) const;
  std::string mode_;
  std::optional<std::int64_t> sequenceLength_, maxTokens_;
  bool padToMaxTokens_ = false;
  std::int64_t vocabSize_ = -1;
};

class IntegerLookupLayer : public Layer, public Adaptable {
 public:
  explicit IntegerLookupLayer(const json& config);
  Shape outputShape(const std::vector<Shape>& inputs) const override;
  void forward(const std::vector<const Tensor*>& x, Tensor& y, RunContext& ctx) override;
  void backward(const std::vector<const Tensor*>& x, const Tensor& y, const Tensor& dy,
                const std::vector<Tensor*>& dx, RunContext& ctx) override;

  bool adapted() const override { return lookup_->hasVocabulary(); }
  void resetState() override { lookup_->resetState(); }
  void updateState(const Tensor& batch) override;
  void finalizeState() override;
  const TextLookup& lookup() const { return *lookup_; }

 private:
  std::unique_ptr<TextLookup> lookup_;
};

// Options of a StringLookup / IntegerLookup from its completed Keras config.
LookupOptions lookupOptionsFromConfig(const json& config, bool integer);

// The config of the TextVectorization node fed by model input `inputIndex` (nullopt when there is
// none): the data stage's "vectorization" options.
std::optional<json> textVectorizationConfig(const ModelSpec& spec, size_t inputIndex = 0);
// Writes an adapted TextVectorization config (TextVectorization::config(): vocabulary,
// idf_weights, vocabulary_size) into the TextVectorization node fed by model input
// `inputIndex`; keeps the node's name. Returns the node's name ("" when there is none).
std::string storeTextVocabulary(ModelSpec& spec, const json& adaptedConfig, size_t inputIndex = 0);

}  // namespace tessel
