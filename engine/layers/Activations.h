#pragma once
// Keras activation functions, forward and derivative, on raw float buffers (Eigen array ops, no
// allocation). Used by Dense (fused), the Activation layer and any other layer with an
// `activation` config. Names as Keras 2 writes them; TF.js spellings (hardSigmoid) are accepted
// (the names are engine/catalog/ActivationCatalog's).
#include <string>
#include <vector>

#include "engine/tensor/Shape.h"

namespace tessel {

enum class ActivationFn {
  Linear,
  Relu,
  Relu6,
  Selu,
  Elu,
  Sigmoid,
  HardSigmoid,
  Tanh,
  Softmax,
  Softplus,
  Softsign,
  Swish,
  Gelu,
  Exponential
};

// "relu" -> ActivationFn::Relu. Throws Error("unknown activation 'x'; known: ...").
ActivationFn activationFromName(const std::string& name);
bool isActivationName(const std::string& name);
// Canonical Keras 2 name ("hard_sigmoid", "swish", ...).
const char* activationName(ActivationFn fn);
// The canonical names, in the order of the enum (for the inspector's choice list).
const std::vector<std::string>& activationNames();

// The tensor is viewed as (outer, axisLen, inner); every function except softmax is elementwise
// over all outer*axisLen*inner values. Softmax normalises over the axisLen values of each
// (outer, inner) slice (axis -1 of a row-major tensor is inner = 1).
//   forward:  y = f(z)                   (y may be the same buffer as z)
//   backward: dz = dy * f'(z)            (dz may be the same buffer as dy; z and y as in forward)
void activationForward(ActivationFn fn, const float* z, float* y, Index outer, Index axisLen,
                       Index inner = 1);
// False for linear, relu, relu6, elu, selu, sigmoid, tanh, softmax and exponential: their
// backward reads z only through its sign / (0, 6) range, which y = f(z) preserves, so y may be
// passed as z. True for hard_sigmoid, softplus, softsign, swish and gelu.
bool activationDerivativeNeedsInput(ActivationFn fn);
void activationBackward(ActivationFn fn, const float* z, const float* y, const float* dy, float* dz,
                        Index outer, Index axisLen, Index inner = 1);

}  // namespace tessel
