#include "engine/explain/AttentionProbe.h"

#include "engine/graph/ModelSpec.h"
#include "engine/layers/Attention.h"
#include "engine/layers/MultiHeadAttention.h"
#include "engine/train/Model.h"

namespace tessel {

namespace {

// The layer's weights of its last forward (nullptr for another kind of layer).
const Tensor* lastScores(Layer* layer) {
  if (auto* a = dynamic_cast<Attention*>(layer)) return &a->lastAttentionScores();
  if (auto* m = dynamic_cast<MultiHeadAttention*>(layer)) return &m->lastAttentionScores();
  return nullptr;
}

}  // namespace

bool AttentionProbe::isAttentionClass(const std::string& className) {
  return className == "Attention" || className == "AdditiveAttention" ||
         className == "MultiHeadAttention";
}

std::vector<std::string> AttentionProbe::attentionLayers(const ModelSpec& spec) {
  std::vector<std::string> out;
  for (const auto& n : spec.nodes)
    if (isAttentionClass(n.className)) out.push_back(n.name);
  return out;
}

AttentionProbe::AttentionProbe(Model& model) : model_(model) {
  for (Layer* l : model.layers())
    if (lastScores(l)) {
      layers_.push_back(l);
      names_.push_back(l->name());
    }
  captured_.resize(layers_.size());
}

void AttentionProbe::capture() {
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Tensor* s = lastScores(layers_[i]);
    captured_[i].resize(s->shape());
    std::copy(s->data(), s->data() + s->size(), captured_[i].data());
  }
}

void AttentionProbe::predict(const std::vector<const Tensor*>& x) {
  RunContext ctx;
  ctx.training = false;
  model_.forward(x, false, ctx);
  capture();
}

const Tensor* AttentionProbe::scores(const std::string& layer) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == layer) return captured_[i].size() > 0 ? &captured_[i] : nullptr;
  return nullptr;
}

Index AttentionProbe::heads(const std::string& layer) const {
  const Tensor* s = scores(layer);
  if (!s) return 0;
  return s->rank() == 4 ? s->dim(1) : 1;
}

AttentionMatrix AttentionProbe::matrix(const std::string& layer, Index sample, int head) const {
  const Tensor* s = scores(layer);
  return s ? matrix(*s, sample, head) : AttentionMatrix{};
}

AttentionMatrix AttentionProbe::matrix(const Tensor& s, Index sample, int head) {
  AttentionMatrix m;
  if (s.rank() != 3 && s.rank() != 4) return m;
  const Index n = s.dim(0);
  const Index h = s.rank() == 4 ? s.dim(1) : 1;
  const Index tq = s.dim(s.rank() - 2), tv = s.dim(s.rank() - 1);
  if (sample < 0 || sample >= n || head < -1 || head >= h) return m;
  m.rows = tq;
  m.cols = tv;
  m.values.assign(static_cast<size_t>(tq * tv), 0.0f);
  const Index from = head < 0 ? 0 : head, to = head < 0 ? h : head + 1;
  const float w = 1.0f / float(to - from);
  for (Index k = from; k < to; ++k) {
    const float* p = s.data() + (sample * h + k) * tq * tv;
    for (Index i = 0; i < tq * tv; ++i) m.values[static_cast<size_t>(i)] += w * p[i];
  }
  return m;
}

}  // namespace tessel
