#pragma once
// keras.layers.AdditiveAttention (Bahdanau-style): S_ij = Σ_d scale_d · tanh(q_id + k_jd), the
// rest as Attention (engine/layers/Attention.h): inputs [query, value] or [query, value, key],
// softmax over the value steps, causal mask and dropout, y = P V. use_scale (default true) adds the
// variable "scale" of shape (d,), glorot_uniform as Keras 2.
#include "engine/layers/Attention.h"

namespace tessel {

class AdditiveAttention : public Attention {
 public:
  explicit AdditiveAttention(const json& config);
};

}  // namespace tessel
