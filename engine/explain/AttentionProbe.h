#pragma once
// Attention weights of a Model's attention layers (Attention, AdditiveAttention,
// MultiHeadAttention), for previews: Keras's `return_attention_scores=True` read from the outside.
// Each of those layers keeps the softmax weights of its last forward (before dropout, causal mask
// applied: lastAttentionScores()); the probe copies them when asked, right after a forward pass of
// the rows of interest, so later passes (training steps, other rows) do not overwrite them.
//
//   AttentionProbe probe(model);                   // finds the attention layers
//   probe.predict({&encoderIds, &decoderIds});     // forward (training = false), then capture()
//   AttentionMatrix m = probe.matrix("attention", 0);  // sample 0: (Tq, Tv), rows sum to 1
//
// Shapes: Attention / AdditiveAttention give (N, Tq, Tv), MultiHeadAttention (N, heads, Tq, Tv)
// (rank > 3 inputs attend over their flattened axes). Rows are query steps, columns key steps.
// Masks: with Keras masks on the layer's inputs (Embedding(mask_zero=True) upstream) the probe
// also copies the masks the layer saw: the query's (N, Tq) and the keys' (N, Tv) (the value's
// mask, ANDed with the key's for MultiHeadAttention, as the layer uses them), so a heat map can
// show the real steps only.
#include <string>
#include <vector>

#include "engine/tensor/Tensor.h"

namespace tessel {

class Layer;
class Model;
class ModelSpec;

// One sample's (and head's) attention weights, row-major rows x cols.
struct AttentionMatrix {
  Index rows = 0, cols = 0;
  std::vector<float> values;
  float at(Index i, Index j) const { return values[static_cast<size_t>(i * cols + j)]; }
  bool empty() const { return values.empty(); }
  // The masks the layer saw for this sample: rowMask (rows) for the query steps, colMask (cols)
  // for the key steps, 1 real, 0 padding; empty when that input carried no mask.
  std::vector<char> rowMask, colMask;
  // The real steps: the last unmasked step + 1 (rows / cols without a mask).
  Index realRows() const;
  Index realCols() const;
};

class AttentionProbe {
 public:
  // Keras class names the probe reads.
  static bool isAttentionClass(const std::string& className);
  // Names of the spec's attention nodes, in spec order (no model built).
  static std::vector<std::string> attentionLayers(const ModelSpec& spec);

  explicit AttentionProbe(Model& model);

  bool empty() const { return layers_.empty(); }
  const std::vector<std::string>& layers() const { return names_; }
  // Copies every attention layer's weights of the last forward (call it right after one).
  void capture();
  // model.forward(x, training = false), then capture().
  void predict(const std::vector<const Tensor*>& x);
  // The captured weights of `layer`: (N, Tq, Tv) or (N, heads, Tq, Tv); nullptr when unknown or
  // not captured yet.
  const Tensor* scores(const std::string& layer) const;
  // Heads of a captured layer (1 for Attention / AdditiveAttention; 0 when unknown).
  Index heads(const std::string& layer) const;
  // The masks captured with the weights: query (N, Tq), keys (N, Tv); nullptr when none.
  const Tensor* queryMask(const std::string& layer) const;
  const Tensor* keyMask(const std::string& layer) const;
  // One sample of a captured layer: head `head`, or with head -1 the mean over the heads, with
  // its masks. Empty when the layer, sample or head is unknown.
  AttentionMatrix matrix(const std::string& layer, Index sample, int head = -1) const;
  // The same from a captured tensor (rank 3 or 4) and optional masks (N, Tq) / (N, Tv).
  static AttentionMatrix matrix(const Tensor& scores, Index sample, int head = -1,
                                const Tensor* queryMask = nullptr, const Tensor* keyMask = nullptr);

 private:
  Model& model_;
  std::vector<Layer*> layers_;
  std::vector<std::string> names_;
  std::vector<Tensor> captured_;  // per layer; empty before capture()
  // Per layer: where its query, value and key come from ((node, output); key empty: the value).
  struct Feeds {
    std::pair<std::string, int> query, value, key;
  };
  std::vector<Feeds> feeds_;
  std::vector<Tensor> queryMasks_, keyMasks_;  // per layer; size 0: no mask
};

}  // namespace tessel
