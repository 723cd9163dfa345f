#include "engine/train/Model.h"

#include <algorithm>
#include <map>

#include "engine/core/Error.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/layers/ParameterBudget.h"
#include "engine/train/StatefulRnn.h"

namespace tessel {

// One layer call: y = act_[slot] = layer(x = act of slots `in`). A layer with several outputs
// (Layer::outputNames) writes output k into slot + k.
struct Model::Step {
  Layer* layer = nullptr;
  int slot = -1;
  int outputs = 1;                       // slots slot .. slot + outputs - 1
  std::vector<Tensor*> extraOut;         // outputs 1..: act_[slot + k]
  std::vector<const Tensor*> extraGrad;  // outputs 1..: grad_[slot + k], or null (no gradient)
  std::vector<MaskOut> extraMaskOut;     // outputs 1..: Layer::maskOutOf
  bool zeroGrad = false;                 // output 0 gets no gradient: backward reads zeros
  Shape outShape;                        // batch kNone
  std::vector<int> in;                   // input slots, port order
  std::vector<const Tensor*> x;          // refreshed every forward
  std::vector<Tensor*> dx;               // per port: grad_ of the input slot, a scratch, or nullptr
  std::vector<char> accumulate;     // per port: dx is scratch[p], to be added into grad_[in[p]]
  std::vector<Tensor> scratch;      // per port (only used where accumulate)
  bool doBackward = false;          // some trainable variable is at or before this layer
  MaskOut maskOut = MaskOut::None;  // what the output carries (Layer::maskOut)
  bool maskedInput = false;         // some input carries a mask
  std::vector<const Tensor*> inputMasks;  // per port, refreshed every forward / backward
};

Model::Model(ModelSpec spec, std::uint64_t seed) : spec_(std::move(spec)), rng_(seed) {
  ShapeReport report = inferShapes(spec_);
  if (!report.ok()) throw report.errors.front();
  std::vector<std::string> order = topologicalOrder(spec_);

  // One slot per tensor: a node's outputs take consecutive slots from slotOf[node].
  std::map<std::string, int> slotOf;
  size_t numSlots = 0;
  for (const std::string& name : order) {
    slotOf[name] = static_cast<int>(numSlots);
    const NodeShapes* ns = report.find(name);
    outputCountOf_[name] = ns ? static_cast<int>(ns->outputCount()) : 1;
    numSlots += size_t(outputCountOf_[name]);
  }
  act_.resize(numSlots);
  grad_.resize(numSlots);
  maskBuf_.resize(numSlots);
  maskPtr_.assign(numSlots, nullptr);
  actPtr_.assign(numSlots, nullptr);
  for (int s = 0; s < static_cast<int>(numSlots); ++s) actPtr_[s] = &act_[s];

  auto shapeOf = [&](const std::string& node, size_t k = 0) -> Shape {
    const NodeShapes* ns = report.find(node);
    std::optional<Shape> s = ns ? ns->outputAt(k) : std::nullopt;
    if (!s) throw SpecError(SpecErrorKind::Other, node, "output shape unknown");
    return *s;
  };

  // Create and build the layers in Keras layer order (the spec's node order), so that the
  // initializers draw from the seeded stream in a stable order.
  std::map<std::string, Layer*> layerOf;
  ParameterBudget budget;  // the whole model within kMaxModelParameters, checked before allocating
  for (const NodeSpec& node : spec_.nodes) {
    if (node.isInput()) continue;
    auto layer = LayerRegistry::instance().create(node.className, node.config, node.name);
    std::vector<Shape> inShapes;
    for (size_t p = 0; p < node.inputs.size(); ++p)
      inShapes.push_back(shapeOf(node.inputs[p], size_t(node.inputTensor(p))));
    layer->build(inShapes, rng_);
    fixStatefulBatch(spec_, node.name, *layer);  // stateful RNNs: the inputs' fixed batch size
    layerOf[node.name] = layer.get();
    owned_.push_back(std::move(layer));
  }

  // Plan in topological order.
  std::vector<char> upstreamTrainable(numSlots, 0);
  for (const std::string& name : order) {
    const NodeSpec* node = spec_.find(name);
    if (node->isInput()) continue;
    Step st;
    st.layer = layerOf.at(name);
    st.slot = slotOf.at(name);
    st.outShape = shapeOf(name);
    bool up = false;
    for (const auto& v : st.layer->variables()) up |= v.trainable;
    std::vector<bool> inMasked;
    for (size_t p = 0; p < node->inputs.size(); ++p) {
      const int k = node->inputTensor(p);
      int s = slotOf.at(node->inputs[p]) + k;
      st.in.push_back(s);
      up |= upstreamTrainable[s] != 0;
      inMasked.push_back(report.find(node->inputs[p])->maskedAt(size_t(k)));
      st.maskedInput |= inMasked.back();
    }
    st.maskOut = st.layer->maskOut(inMasked);
    st.outputs = static_cast<int>(report.find(name)->outputCount());
    for (int k = 1; k < st.outputs; ++k) {
      st.extraOut.push_back(&act_[size_t(st.slot + k)]);
      st.extraMaskOut.push_back(st.layer->maskOutOf(size_t(k), inMasked));
    }
    st.extraGrad.assign(size_t(st.outputs - 1), nullptr);
    st.inputMasks.assign(st.in.size(), nullptr);
    for (int k = 0; k < st.outputs; ++k) upstreamTrainable[size_t(st.slot + k)] = up;
    st.doBackward = up;
    st.x.assign(st.in.size(), nullptr);
    st.dx.assign(st.in.size(), nullptr);
    st.accumulate.assign(st.in.size(), 0);
    st.scratch.resize(st.in.size());
    steps_.push_back(std::move(st));
  }
  needGrad_ = upstreamTrainable;

  for (const auto& in : spec_.inputs) {
    inputs_.push_back(in);
    inputSlot_.push_back(slotOf.at(in));
    inputShapes_.push_back(shapeOf(in));
  }
  for (size_t i = 0; i < spec_.outputs.size(); ++i) {
    const std::string& out = spec_.outputs[i];
    const int k = spec_.outputTensor(i);
    outputs_.push_back(out);
    outputSlot_.push_back(slotOf.at(out) + k);
    outputShapes_.push_back(shapeOf(out, size_t(k)));
  }

  upstream_ = needGrad_;
  slotOf_ = slotOf;
  routeGradients();
}

Model::~Model() = default;

void Model::routeGradients() {
  const size_t numSlots = act_.size();
  for (Step& st : steps_) {
    st.dx.assign(st.in.size(), nullptr);
    st.accumulate.assign(st.in.size(), 0);
  }
  // Gradient routing. Backward runs in reverse topological order; the first writer of a slot's
  // gradient overwrites it, later writers go through a scratch buffer that is added. A model
  // output's gradient is first set from dOut, so every consumer of an output slot accumulates.
  std::vector<char> written(numSlots, 0);
  for (int s : outputSlot_) written[s] = 1;
  for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
    Step& st = *it;
    if (!st.doBackward) continue;
    // Every consumer of this step's outputs came later in the order, so `written` is final here.
    st.zeroGrad = !written[size_t(st.slot)];
    for (int k = 1; k < st.outputs; ++k)
      st.extraGrad[size_t(k - 1)] =
          written[size_t(st.slot + k)] ? &grad_[size_t(st.slot + k)] : nullptr;
    for (size_t p = 0; p < st.in.size(); ++p) {
      int s = st.in[p];
      if (!needGrad_[s]) continue;  // model inputs and frozen prefixes: dx = nullptr
      if (written[s]) {
        st.accumulate[p] = 1;
        st.dx[p] = &st.scratch[p];
      } else {
        st.dx[p] = &grad_[s];
        written[s] = 1;
      }
    }
  }
}

void Model::setAllGradients(bool on) {
  needGrad_ = upstream_;
  if (on) needGrad_.assign(needGrad_.size(), 1);
  for (Step& st : steps_) st.doBackward = needGrad_[st.slot] != 0;
  routeGradients();
}

int Model::slotOf(const std::string& node, int output) const {
  auto it = slotOf_.find(node);
  if (it == slotOf_.end() || output < 0 || output >= outputCountOf_.at(node)) return -1;
  return it->second + output;
}

const Tensor* Model::activationOf(const std::string& node, int output) const {
  const int s = slotOf(node, output);
  return s < 0 ? nullptr : actPtr_[size_t(s)];
}

const Tensor* Model::gradientOf(const std::string& node, int output) const {
  const int s = slotOf(node, output);
  if (s < 0 || !needGrad_[size_t(s)]) return nullptr;
  return &grad_[size_t(s)];
}

const Shape& Model::inputShape(size_t i) const {
  return inputShapes_.at(i);
}
const Shape& Model::outputShape(size_t i) const {
  return outputShapes_.at(i);
}
const std::string& Model::inputName(size_t i) const {
  return inputs_.at(i);
}
const std::string& Model::outputName(size_t i) const {
  return outputs_.at(i);
}

Layer* Model::layer(const std::string& name) {
  for (auto& l : owned_)
    if (l->name() == name) return l.get();
  return nullptr;
}

std::vector<Layer*> Model::layers() {
  std::vector<Layer*> out;
  for (auto& l : owned_) out.push_back(l.get());
  return out;
}

std::vector<std::pair<std::string, Variable*>> Model::namedWeights() {
  std::vector<std::pair<std::string, Variable*>> out;
  for (auto& l : owned_)
    for (auto& v : l->variables()) out.emplace_back(l->name() + "/" + v.name, &v);
  return out;
}

std::vector<Variable*> Model::trainableWeights() {
  std::vector<Variable*> out;
  for (auto& l : owned_)
    for (auto& v : l->variables())
      if (v.trainable) out.push_back(&v);
  return out;
}

std::vector<Variable*> Model::allWeights() {
  std::vector<Variable*> out;
  for (auto& l : owned_)
    for (auto& v : l->variables()) out.push_back(&v);
  return out;
}

Index Model::parameterCount() const {
  Index n = 0;
  for (const auto& l : owned_) n += l->parameterCount();
  return n;
}

void Model::allocate(Index batch) {
  // Sizes the activation buffers whose shapes are fully known; layers resize the rest. Tensor
  // keeps its capacity, so later batch sizes up to the largest seen never reallocate.
  for (Step& st : steps_) {
    bool known = true;
    for (size_t d = 1; d < st.outShape.size(); ++d) known &= st.outShape[d] != kNone;
    if (!known) continue;
    scratchShape_.assign(st.outShape.begin(), st.outShape.end());  // no allocation once sized
    scratchShape_[0] = batch;
    act_[st.slot].resize(scratchShape_);
  }
  batch_ = batch;
}

void Model::forward(const std::vector<const Tensor*>& x, bool training, RunContext& ctx) {
  if (x.size() != inputs_.size())
    throw Error("model '" + spec_.name + "' expects " + std::to_string(inputs_.size()) +
                " input(s), got " + std::to_string(x.size()));
  const Index n = x.empty() || x[0]->rank() == 0 ? 0 : x[0]->dim(0);
  for (size_t i = 0; i < x.size(); ++i) {
    const Shape& want = inputShapes_[i];
    const Shape& got = x[i]->shape();
    bool ok = got.size() == want.size() && !got.empty() && got[0] == n;
    for (size_t d = 1; ok && d < want.size(); ++d) ok = want[d] == kNone || want[d] == got[d];
    if (!ok)
      throw Error("input '" + inputs_[i] + "' expects shape " + shapeToString(want) + ", got " +
                  shapeToString(got));
    actPtr_[inputSlot_[i]] = x[i];
  }
  if (n != batch_) allocate(n);
  ctx.training = training;
  if (!ctx.rng) ctx.rng = &rng_;
  for (Step& st : steps_) {
    for (size_t p = 0; p < st.in.size(); ++p) st.x[p] = actPtr_[st.in[p]];
    setMasks(st, ctx);
    ctx.outputMask = st.maskOut == MaskOut::Own ? &maskBuf_[st.slot] : nullptr;
    ctx.extraOutputs = st.outputs > 1 ? &st.extraOut : nullptr;
    st.layer->forward(st.x, act_[st.slot], ctx);
    maskPtr_[st.slot] = st.maskOut == MaskOut::Own         ? &maskBuf_[st.slot]
                        : st.maskOut == MaskOut::PassFirst ? maskPtr_[st.in[0]]
                                                           : nullptr;
    for (int k = 1; k < st.outputs; ++k)
      maskPtr_[size_t(st.slot + k)] =
          st.extraMaskOut[size_t(k - 1)] == MaskOut::PassFirst && !st.in.empty()
              ? maskPtr_[st.in[0]]
              : nullptr;
  }
  ctx.inputMasks = nullptr;
  ctx.outputMask = nullptr;
  ctx.extraOutputs = nullptr;
}

void Model::setMasks(Step& st, RunContext& ctx) {
  ctx.inputMasks = nullptr;
  if (!st.maskedInput) return;
  for (size_t p = 0; p < st.in.size(); ++p) st.inputMasks[p] = maskPtr_[st.in[p]];
  ctx.inputMasks = &st.inputMasks;
}

const Tensor* Model::maskOf(const std::string& node, int output) const {
  const int s = slotOf(node, output);
  return s < 0 ? nullptr : maskPtr_[size_t(s)];
}

const Tensor& Model::output(size_t i) const {
  return *actPtr_[outputSlot_.at(i)];
}

void Model::backward(const std::vector<const Tensor*>& dOut, RunContext& ctx) {
  if (dOut.size() != outputs_.size())
    throw Error("backward: expected " + std::to_string(outputs_.size()) + " output gradient(s)");
  for (size_t i = 0; i < dOut.size(); ++i) {
    int s = outputSlot_[i];
    if (!needGrad_[s]) continue;
    if (dOut[i]->shape() != actPtr_[s]->shape())
      throw Error("backward: gradient of output '" + outputs_[i] + "' has shape " +
                  shapeToString(dOut[i]->shape()) + ", output is " +
                  shapeToString(actPtr_[s]->shape()));
    bool first = true;
    for (size_t j = 0; j < i; ++j) first &= outputSlot_[j] != s;
    if (first)
      grad_[s].copyFrom(*dOut[i]);
    else
      grad_[s].array() += dOut[i]->array();
  }
  for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
    Step& st = *it;
    if (!st.doBackward) continue;
    for (size_t p = 0; p < st.in.size(); ++p) {
      st.x[p] = actPtr_[st.in[p]];
      if (st.dx[p]) st.dx[p]->resize(actPtr_[st.in[p]]->shape());
    }
    setMasks(st, ctx);
    ctx.outputMask = nullptr;
    ctx.extraOutputGrads = st.outputs > 1 ? &st.extraGrad : nullptr;
    if (st.zeroGrad) {  // only another output of this layer leads to the loss
      grad_[st.slot].resize(act_[st.slot].shape());
      grad_[st.slot].setZero();
    }
    st.layer->backward(st.x, act_[st.slot], grad_[st.slot], st.dx, ctx);
    for (size_t p = 0; p < st.in.size(); ++p)
      if (st.accumulate[p]) grad_[st.in[p]].array() += st.scratch[p].array();
  }
  ctx.inputMasks = nullptr;
  ctx.extraOutputGrads = nullptr;
}

double Model::regularization(bool addGrads) {
  double total = 0;
  for (auto& l : owned_) total += l->regularization(addGrads);
  return total;
}

std::vector<Tensor> Model::getWeights() const {
  std::vector<Tensor> out;
  for (const auto& l : owned_)
    for (const auto& v : l->variables()) out.push_back(v.value);
  return out;
}

void Model::copyWeightsTo(std::vector<Tensor>& dst) const {
  size_t count = 0;
  for (const auto& l : owned_) count += l->variables().size();
  if (dst.size() != count) dst.resize(count);
  size_t k = 0;
  for (const auto& l : owned_)
    for (const auto& v : l->variables()) dst[k++].copyFrom(v.value);
}

void Model::setWeights(const std::vector<Tensor>& weights) {
  auto named = namedWeights();
  if (weights.size() != named.size())
    throw Error("setWeights: model '" + spec_.name + "' has " + std::to_string(named.size()) +
                " weights, got " + std::to_string(weights.size()));
  for (size_t i = 0; i < named.size(); ++i)
    if (weights[i].shape() != named[i].second->value.shape())
      throw Error("setWeights: weight '" + named[i].first + "' has shape " +
                  shapeToString(named[i].second->value.shape()) + ", got " +
                  shapeToString(weights[i].shape()));
  for (size_t i = 0; i < named.size(); ++i) named[i].second->value.copyFrom(weights[i]);
}

void Model::loadNamedWeights(const std::vector<std::pair<std::string, Tensor>>& weights) {
  std::map<std::string, const Tensor*> given;
  for (const auto& [name, t] : weights) given[name] = &t;
  auto named = namedWeights();
  for (const auto& [name, var] : named) {
    auto it = given.find(name);
    if (it == given.end()) throw Error("weights: '" + name + "' is missing");
    if (it->second->shape() != var->value.shape())
      throw Error("weights: '" + name + "' has shape " + shapeToString(it->second->shape()) +
                  ", the model expects " + shapeToString(var->value.shape()));
  }
  for (auto& [name, var] : named) var->value.copyFrom(*given[name]);
}

}  // namespace tessel
