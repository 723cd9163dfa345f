#pragma once
// Transfer learning on a ModelSpec, shared by the CLI and the studio: freezing layers, and
// replacing a classifier head.
//
// Freezing is Keras's `layer.trainable = False`, kept in the layer config ("trainable": false) so
// it travels with model.json, the Python export and the project file. Followed: TF 2.x tf.keras
// (Keras 2.3+ / TF 2.0+) and Keras 3, which agree: a frozen layer's weights are
// non-trainable (summary counts them as such; the optimizer skips them), and a frozen
// BatchNormalization runs in inference mode even inside fit() (it normalises with its moving
// statistics and does not update them), as the Keras fine-tuning guide relies on. (Keras 1.x and
// 2.0-2.2 standalone Keras kept updating a frozen BN's statistics; we do not.)
// BatchNormalization's moving mean / variance are always non-trainable.
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"

namespace tessel {

// Keras's model.layers order: inputs first, every layer after what feeds it (the order the
// summary lists). Throws SpecError for a cycle / dangling edge.
std::vector<std::string> kerasLayerOrder(const ModelSpec& spec);

// config "trainable" (absent: true). InputLayers are always reported trainable.
bool isTrainable(const NodeSpec& node);
// Sets config "trainable" on a layer (InputLayers hold no weights and are left alone). Throws
// Error for an unknown node.
void setTrainable(ModelSpec& spec, const std::string& node, bool trainable);
// "Freeze everything up to here": every layer before `node` in Keras order, and `node` itself,
// gets trainable = false; later layers are left as they are. Returns how many changed.
int freezeUpTo(ModelSpec& spec, const std::string& node);
// The seed's `for layer in base.layers[:-n]: layer.trainable = False`, with the last n made
// trainable: all layers frozen, then the last n (InputLayers count, as in model.layers) unfrozen.
// n larger than the model unfreezes everything. Returns the names of the unfrozen layers.
std::vector<std::string> unfreezeLast(ModelSpec& spec, int n);
// Every layer trainable again.
void unfreezeAll(ModelSpec& spec);

struct ParamCounts {
  Index total = 0, trainable = 0, nonTrainable = 0;
};
// What model.summary() prints at its foot (builds each layer once, with a throwaway Rng).
// Throws the first SpecError when the graph is invalid.
ParamCounts countParameters(const ModelSpec& spec);

// "Replace head": keeps `cutAfter` and what feeds it (everything downstream of it, and branches
// that do not lead to it, are dropped), then appends
//   GlobalAveragePooling2D (only when the cut tensor is 4-D: (N, H, W, C); 3-D gets
//   GlobalAveragePooling1D, other ranks above 2 a Flatten) -> Dropout(dropout) ->
//   Dense(classes, activation)
// as the model's only output, named as Keras auto-names them. Layer configs (trainable flags
// included) of the kept part are unchanged. Throws Error for an unknown node, classes < 1, or a
// cut whose shape cannot be inferred.
struct HeadOptions {
  Index classes = 2;
  double dropout = 0.2;  // 0: no Dropout layer
  std::string activation = "softmax";
};
// `added` (optional) receives the new layers' names, in order.
ModelSpec replaceHead(const ModelSpec& spec, const std::string& cutAfter,
                      const HeadOptions& options, std::vector<std::string>* added = nullptr);

}  // namespace tessel
