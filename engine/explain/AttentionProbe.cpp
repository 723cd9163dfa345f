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

Index AttentionMatrix::realRows() const {
  Index n = rows;
  if (!rowMask.empty())
    while (n > 0 && !rowMask[size_t(n - 1)]) --n;
  return n;
}

Index AttentionMatrix::realCols() const {
  Index n = cols;
  if (!colMask.empty())
    while (n > 0 && !colMask[size_t(n - 1)]) --n;
  return n;
}

AttentionProbe::AttentionProbe(Model& model) : model_(model) {
  for (Layer* l : model.layers())
    if (lastScores(l)) {
      layers_.push_back(l);
      names_.push_back(l->name());
      Feeds f;
      if (const NodeSpec* n = model.spec().find(l->name())) {
        auto feed = [&](size_t port) {
          return port < n->inputs.size() ? std::make_pair(n->inputs[port], n->inputTensor(port))
                                         : std::make_pair(std::string(), 0);
        };
        f.query = feed(0);
        f.value = feed(1);
        // Attention / AdditiveAttention do not read the key's mask (Keras 2: mask=[q, v]).
        if (dynamic_cast<MultiHeadAttention*>(l)) f.key = feed(2);
      }
      feeds_.push_back(f);
    }
  captured_.resize(layers_.size());
  queryMasks_.resize(layers_.size());
  keyMasks_.resize(layers_.size());
}

void AttentionProbe::capture() {
  auto maskOf = [&](const std::pair<std::string, int>& feed) -> const Tensor* {
    return feed.first.empty() ? nullptr : model_.maskOf(feed.first, feed.second);
  };
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Tensor* s = lastScores(layers_[i]);
    captured_[i].resize(s->shape());
    std::copy(s->data(), s->data() + s->size(), captured_[i].data());
    // The masks of this forward (the layer checked they fit its inputs).
    if (const Tensor* q = maskOf(feeds_[i].query))
      queryMasks_[i].copyFrom(*q);
    else
      queryMasks_[i] = Tensor();
    const Tensor* v = maskOf(feeds_[i].value);
    const Tensor* k = maskOf(feeds_[i].key);
    if (v)
      keyMasks_[i].copyFrom(*v);
    else if (k)
      keyMasks_[i].copyFrom(*k);
    else
      keyMasks_[i] = Tensor();
    if (v && k && k != v)
      for (Index j = 0; j < keyMasks_[i].size() && j < k->size(); ++j)
        keyMasks_[i][j] = keyMasks_[i][j] != 0.0f && (*k)[j] != 0.0f ? 1.0f : 0.0f;
  }
}

const Tensor* AttentionProbe::queryMask(const std::string& layer) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == layer) return queryMasks_[i].size() > 0 ? &queryMasks_[i] : nullptr;
  return nullptr;
}

const Tensor* AttentionProbe::keyMask(const std::string& layer) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == layer) return keyMasks_[i].size() > 0 ? &keyMasks_[i] : nullptr;
  return nullptr;
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
  return s ? matrix(*s, sample, head, queryMask(layer), keyMask(layer)) : AttentionMatrix{};
}

AttentionMatrix AttentionProbe::matrix(const Tensor& s, Index sample, int head,
                                       const Tensor* queryMask, const Tensor* keyMask) {
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
  auto maskRow = [&](const Tensor* mask, Index t, std::vector<char>& out) {
    if (!mask || mask->size() != n * t) return;
    out.resize(static_cast<size_t>(t));
    for (Index j = 0; j < t; ++j) out[static_cast<size_t>(j)] = (*mask)[sample * t + j] != 0.0f;
  };
  maskRow(queryMask, tq, m.rowMask);
  maskRow(keyMask, tv, m.colMask);
  return m;
}

}  // namespace tessel
