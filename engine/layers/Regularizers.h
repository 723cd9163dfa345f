#pragma once
// Keras weight/activity regularizers: penalty = l1 * sum|w| + l2 * sum w^2 (Keras 2 L1, L2, L1L2).
#include <nlohmann/json.hpp>

#include "engine/tensor/Shape.h"

namespace tessel {

struct Regularizer {
  double l1 = 0.0;
  double l2 = 0.0;
  bool active = false;  // false for null (no regularizer)

  // Accepts null, "l1" / "l2" / "l1_l2" (Keras 2 defaults 0.01), and
  // {"class_name": "L1L2"|"L1"|"L2"|"l1_l2", "config": {"l1": .., "l2": ..}} (Keras 2 / TF.js;
  // TF.js writes "L1L2" with l1/l2 keys). Throws Error for anything else.
  static Regularizer fromJson(const nlohmann::json& spec);

  // l1 * sum|w| + l2 * sum w^2 over n values.
  double penalty(const float* w, Index n) const;
  // g += scale * (l1 * sign(w) + 2 l2 w) over n values.
  void addGradient(const float* w, float* g, Index n, float scale = 1.0f) const;
};

}  // namespace tessel
