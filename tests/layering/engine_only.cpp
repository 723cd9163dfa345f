// An executable built from the engine library alone (no Qt on its link line), for the check in
// EngineLinksNoQt.cmake: its dynamic dependencies must name no Qt library. It also runs: a Dense
// layer from the layer registry, built and applied to a batch of ones.
#include <cstdio>

#include "engine/core/Rng.h"
#include "engine/layers/LayerRegistry.h"
#include "engine/tensor/Tensor.h"

int main() {
  using namespace tessel;
  auto layer = LayerRegistry::instance().create("Dense", {{"units", 3}}, "dense");
  Rng rng(0);
  layer->build({Shape{kNone, 4}}, rng);
  Tensor x({2, 4}), y;
  for (Index i = 0; i < x.size(); ++i) x[i] = 1.0f;
  RunContext ctx;
  layer->forward({&x}, y, ctx);
  std::printf("Dense(3) of a (2, 4) batch: %s\n", shapeToString(y.shape()).c_str());
  return y.shape() == Shape{2, 3} ? 0 : 1;
}
