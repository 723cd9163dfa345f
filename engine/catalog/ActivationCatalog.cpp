#include "engine/catalog/ActivationCatalog.h"

namespace tessel {

namespace {

ActivationEntry entry(std::string name, ActivationFn fn, std::string doc,
                      std::vector<std::string> aliases = {}) {
  ActivationEntry e;
  e.className = std::move(name);
  e.aliases = std::move(aliases);
  e.group = "Activations";
  e.doc = std::move(doc);
  e.fn = fn;
  return e;
}

// Keras 2.12 keras/activations.py.
Catalog<ActivationEntry> build() {
  Catalog<ActivationEntry> c("activation");
  c.add(entry("linear", ActivationFn::Linear, "identity: x"));
  c.add(entry("relu", ActivationFn::Relu, "max(x, 0)"));
  c.add(entry("relu6", ActivationFn::Relu6, "min(max(x, 0), 6)"));
  c.add(entry("selu", ActivationFn::Selu, "scaled exponential linear unit"));
  c.add(entry("elu", ActivationFn::Elu, "x for x > 0, exp(x) - 1 otherwise"));
  c.add(entry("sigmoid", ActivationFn::Sigmoid, "1 / (1 + exp(-x))"));
  c.add(entry("hard_sigmoid", ActivationFn::HardSigmoid, "piecewise linear sigmoid",
              {"hardSigmoid"}));
  c.add(entry("tanh", ActivationFn::Tanh, "hyperbolic tangent"));
  c.add(entry("softmax", ActivationFn::Softmax, "exp(x) / sum(exp(x)) over the last axis"));
  c.add(entry("softplus", ActivationFn::Softplus, "log(exp(x) + 1)"));
  c.add(entry("softsign", ActivationFn::Softsign, "x / (|x| + 1)"));
  c.add(entry("swish", ActivationFn::Swish, "x * sigmoid(x)", {"silu"}));
  c.add(entry("gelu", ActivationFn::Gelu, "Gaussian error linear unit"));
  c.add(entry("exponential", ActivationFn::Exponential, "exp(x)"));
  return c;
}

}  // namespace

const Catalog<ActivationEntry>& activationCatalog() {
  static const Catalog<ActivationEntry> c = build();
  return c;
}

}  // namespace tessel
