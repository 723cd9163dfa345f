#pragma once
// Symbolic reverse-mode differentiation: the derivative of a node is built as more nodes of the
// same ExprGraph, so it runs with the same kernels and can itself be differentiated (second
// derivatives, Hessians). Ops without a derivative (comparisons, sign, casts to integers, one_hot)
// pass no gradient, as TensorFlow's None gradient.
#include <vector>

#include "engine/expr/ExprGraph.h"

namespace tessel {

// For each node w of `wrt`: d sum(seed * y) / dw, a node of w's shape, or -1 when y does not
// depend on w. `seed` has y's shape; -1 means ones (the gradient of sum(y), as tf.GradientTape
// for a non-scalar target). Throws ExprError for an op whose derivative cannot be built.
std::vector<ExprId> exprGradients(ExprGraph& g, ExprId y, ExprId seed,
                                  const std::vector<ExprId>& wrt);

}  // namespace tessel
