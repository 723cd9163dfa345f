#pragma once
// Small helpers shared by the layer tests (header-only).
#include <QtTest>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/layers/LayerRegistry.h"
#include "tests/engine/support/GradCheck.h"

namespace tessel::test {

inline std::unique_ptr<Layer> makeLayer(const std::string& cls, const json& config,
                                        const std::string& node = "node") {
  return LayerRegistry::instance().create(cls, config, node);
}

// Created and built for `inputs` (batch dimension kNone) with Rng(seed).
inline std::unique_ptr<Layer> makeBuilt(const std::string& cls, const json& config,
                                        const std::vector<Shape>& inputs, std::uint64_t seed = 1) {
  auto layer = makeLayer(cls, config);
  Rng rng(seed);
  layer->build(inputs, rng);
  return layer;
}

inline Tensor runForward(Layer& layer, const std::vector<Tensor>& inputs, bool training = false,
                         double* addedLoss = nullptr, std::uint64_t seed = 7) {
  std::vector<const Tensor*> x;
  for (const auto& t : inputs) x.push_back(&t);
  Tensor y;
  Rng rng(seed);
  RunContext ctx;
  ctx.training = training;
  ctx.rng = &rng;
  layer.forward(x, y, ctx);
  if (addedLoss) *addedLoss = ctx.addedLoss;
  return y;
}

// Runs f; true when it throws SpecError of `kind` naming `node` whose message contains `part`.
inline bool throwsSpec(const std::function<void()>& f, SpecErrorKind kind, const std::string& node,
                       const std::string& part = "") {
  try {
    f();
  } catch (const SpecError& e) {
    const bool ok = e.kind() == kind && e.node() == node &&
                    std::string(e.what()).find(part) != std::string::npos &&
                    std::string(e.what()).find("'" + node + "'") != std::string::npos;
    if (!ok) qWarning("unexpected SpecError (%s): %s", specErrorKindName(e.kind()), e.what());
    return ok;
  } catch (const std::exception& e) {
    qWarning("unexpected exception: %s", e.what());
    return false;
  }
  qWarning("no exception thrown");
  return false;
}

// completeConfig of the layer's config() reproduces it, and a layer created from it has the same
// config again.
inline bool configRoundTrips(const std::string& cls, const json& config) {
  auto& reg = LayerRegistry::instance();
  auto layer = reg.create(cls, config, "rt");
  const json full = layer->config();
  const json again = reg.completeConfig(cls, full, "rt");
  const json recreated = reg.create(cls, full, "rt")->config();
  if (again != full || recreated != full) {
    qWarning("round trip failed:\n%s\n%s\n%s", full.dump().c_str(), again.dump().c_str(),
             recreated.dump().c_str());
    return false;
  }
  return true;
}

inline bool near(const Tensor& t, const std::vector<float>& expected, float tol = 1e-5f) {
  if (t.size() != Index(expected.size())) {
    qWarning("size %lld vs %zu", (long long)t.size(), expected.size());
    return false;
  }
  for (Index i = 0; i < t.size(); ++i)
    if (std::fabs(t[i] - expected[size_t(i)]) >
        tol * std::max(1.0f, std::fabs(expected[size_t(i)]))) {
      qWarning("value %lld: %.8g vs expected %.8g", (long long)i, t[i], expected[size_t(i)]);
      return false;
    }
  return true;
}

}  // namespace tessel::test
