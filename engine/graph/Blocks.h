#pragma once
// Composite blocks (group nodes): named groups of a ModelSpec's nodes, kept as metadata beside
// the flat graph (ModelSpec::groups). Training and every engine consumer see the flat graph; a
// block is a way to read and reuse it, and a way to write it as Keras writes a model used as a
// layer (a nested Functional):
//
//   outer "layers": [..., {"class_name": "Functional", "name": "conv2_block1",
//                          "config": {"name": "conv2_block1", "layers": [InputLayer
//                                     "conv2_block1_input", members...], "input_layers":
//                                     [["conv2_block1_input", 0, 0]], "output_layers":
//                                     [["conv2_block1_out", 0, 0]]},
//                          "inbound_nodes": [[["pool1_pool", 0, 0, {}]]]}, ...]
//
// (Keras 2 functional.py get_config / from_config; the same shape TF.js writes). Reading such a
// topology (ModelSpec::fromKerasJson calls expandNestedModels) inlines every nested Functional,
// Model or Sequential layer into the outer graph and records it as a block, so
//   fromKerasJson(toNestedKerasJson(spec)) has the same nodes, edges, inputs and outputs as spec.
// Weights keep their layer names: in a Keras 2 .h5 a block's weights are listed under the block's
// name, `model_weights/<block>/<layer>/<var>:0`, trainable ones first as Keras's
// `_legacy_weights(layer)` orders them (KerasH5 uses blockWeightOrder).
//
// A block must be a sub-model: at least one node, no InputLayer, its members convex (no path
// leaves the block and comes back into it), at least one output tensor (a member's output read
// outside the block or listed as a model output; several make a nested model with several
// outputs, read outside as ["block", node, k]). Blocks nest: a block's `parent` names the block
// that contains it, whose node list includes the child's nodes.
#include <map>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"

namespace tessel {

struct BlockPorts {
  std::vector<std::string> inputs;  // producers outside the block, in first-use order
  std::vector<int> inputTensors;    // which output of each producer (parallel to inputs)
  std::string output;               // the member of the first output (outputs[0].first)
  // Every tensor leaving the block (read outside it or a model output): (member, which of its
  // outputs), members in spec order, then by output index. The nested Functional returns them
  // in this order; output k is ["block", node, k] outside.
  std::vector<std::pair<std::string, int>> outputs;
};

// The block's ports in `spec`. Throws SpecError(BadValue) naming the block when it is not a
// valid sub-model (see above).
BlockPorts blockPorts(const ModelSpec& spec, const BlockSpec& block);
// Empty when `block` may be added to `spec` (names free and valid, members exist, sub-model,
// nesting consistent with the existing blocks), else a one-line reason.
std::string checkNewBlock(const ModelSpec& spec, const BlockSpec& block);
// The block named `name` (nullptr if none).
const BlockSpec* findBlock(const ModelSpec& spec, const std::string& name);
// The innermost block holding `node` (nullptr if none).
const BlockSpec* blockOfNode(const ModelSpec& spec, const std::string& node);
// Blocks whose parent is `parent` ("" = the top level), in spec.groups order.
std::vector<const BlockSpec*> childBlocks(const ModelSpec& spec, const std::string& parent);
// Adds a block (checkNewBlock first; throws Error with its reason). Its parent is set to the
// smallest existing block containing all its nodes; existing blocks entirely inside it become
// its children.
void addBlock(ModelSpec& spec, BlockSpec block);
// Removes a block; its children move to its parent. Returns false when there is none.
bool removeBlock(ModelSpec& spec, const std::string& name);
// Renames a block (its children follow). Empty when done, else why not (the name is not a layer
// name, or a layer or another block has it); nothing changes then.
std::string renameBlock(ModelSpec& spec, const std::string& from, const std::string& to);
// Drops a node from every block (a removed layer); blocks left empty are removed.
void forgetNodeInBlocks(ModelSpec& spec, const std::string& node);
// A renamed layer stays in its blocks.
void renameNodeInBlocks(ModelSpec& spec, const std::string& oldName, const std::string& newName);

// --- Keras JSON ---
// The whole model with every top-level block written as a nested Functional layer (blocks inside
// blocks nest again). Without blocks it equals spec.toKerasJson() minus "tessel_groups".
// Throws SpecError when a block is not a valid sub-model or a block input's shape is unknown.
json toNestedKerasJson(const ModelSpec& spec);
// Inlines nested Functional / Model / Sequential layers of `spec` (read by fromKerasJson as nodes
// of that class with the model's config) into the flat graph, each one becoming a collapsed
// block of the same name; a nested model's "trainable": false freezes its layers. Throws Error
// when a nested model's input count does not match its call, or its layer names clash with
// the outer model's.
ModelSpec expandNestedModels(ModelSpec spec);
// True for the class names Keras uses for a model ("Functional", "Model", "Sequential").
bool isModelClass(const std::string& className);

// The "tessel_groups" metadata (a list of {"name", "nodes", "collapsed", "parent"}).
json blocksToJson(const std::vector<BlockSpec>& blocks);
std::vector<BlockSpec> blocksFromJson(const json& v);  // throws Error on a malformed entry
// Appends saved blocks leniently (a saved project must open even when an edit since made a block
// no longer a sub-model; toNestedKerasJson reports that): unknown node names are dropped, so are
// blocks left empty, blocks whose name is taken and parents that do not exist.
void restoreBlocks(ModelSpec& spec, std::vector<BlockSpec> blocks);

// Layer order of a Keras 2 nested save: the top-level entries of toNestedKerasJson in Keras
// model.layers order, each either a layer (entry.block empty) or a block with its layers in the
// order Keras lists that block's weights (trainable variables of every nested layer first, then
// the non-trainable ones: `_legacy_weights`).
struct NestedLayerEntry {
  std::string name;                 // layer or block name
  std::string block;                // == name for a block, empty for a plain layer
  std::vector<std::string> layers;  // a block's flat layers in nested model.layers order
};
std::vector<NestedLayerEntry> nestedLayerOrder(const ModelSpec& spec);
// One level of the nesting in Keras model.layers order: the layers and child blocks directly in
// `block` ("" = the whole model), InputLayers left out; a child block's entry has `block` set
// (and no `layers`). Keras 3 weight paths follow it (layers/functional/layers/dense/vars).
std::vector<NestedLayerEntry> blockLevelOrder(const ModelSpec& spec, const std::string& block);

// --- grouping helpers ---
// "Group by name prefix": every run of layers whose names share their first `tokens`
// '_'-separated parts ("conv2_block1_1_conv" -> "conv2_block1" with tokens = 2) becomes a block
// named after the prefix when it is a valid sub-model of at least `minSize` layers and the name
// is free. Returns the blocks added (spec order). keras.applications ResNet50's residual blocks
// are conv2_block1 ... conv5_block3 with tokens = 2; its stages conv2 ... conv5 with tokens = 1.
std::vector<std::string> groupByNamePrefix(ModelSpec& spec, int tokens, int minSize = 2);

// One level of the nesting as a model of its own: the whole model (block "") or a block, each
// child block standing as one "Functional" placeholder node named after it, a block's inputs as
// InputLayers "<block>_input", "<block>_input_1", ... (with the producers' shapes from `report`;
// without a report the shapes are placeholders). Throws SpecError as toNestedKerasJson.
ModelSpec blockLevelSpec(const ModelSpec& spec, const std::string& block,
                         const ShapeReport* report);

// Keras numbers the calls of a nested model from 1 in a saved config (its node 0 is the one made
// when the model was built: Keras 2 functional.py get_network_config's _should_skip_first_node,
// Keras 3 get_config's node_reindexing_map), so a tensor a nested model returns is
// ["block", 1, 0] in Keras 2 inbound_nodes and in both versions' output_layers (Keras 3's call
// arguments keep ["block", 0, 0]). `functionalConfig` with those references to a Functional /
// Model / Sequential layer of its "layers" set to call `call` (0: as Tessel reads them; 1: as
// Keras 2 writes inbound_nodes and output_layers). Keras 3 {"args"} keras_history is left as it is.
json nestedModelCallIndices(json functionalConfig, int call);

// The block as a self-contained model (its inputs become InputLayers named "<block>_input",
// "<block>_input_1", ... with the producers' inferred shapes), for saving to a palette and
// dropping again. Throws SpecError as toNestedKerasJson.
ModelSpec blockAsModel(const ModelSpec& spec, const std::string& block);

}  // namespace tessel
