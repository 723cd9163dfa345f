#include <algorithm>
#include <cstring>
#include <iostream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/data/Npy.h"
#include "engine/train/Model.h"

namespace tessel::app {

// tessel predict MODEL --x ... --out ...: Keras predict(); one float32 .npy per model output.
int cmdPredict(const Args& args) {
  const std::string path = args.positional()[0];
  applyThreads(args);
  const Index batchSize = args.intValue("--batch-size", 32, 1, 1 << 24);
  LoadedModel m = loadModel(path, 0);
  Model& model = *m.model;
  const auto outs = args.values("--out");
  if (outs.size() != model.numOutputs())
    throw UsageError("predict: the model has " + std::to_string(model.numOutputs()) +
                     " output(s), got " + std::to_string(outs.size()) + " --out file(s)");
  std::vector<Array> x = readInputs(args, model);
  if (!m.hasWeights)
    std::cerr << "tessel: warning: " << path
              << " has no weights; predicting with a freshly initialised model" << std::endl;
  const Index n = x[0].rows();

  // Outputs (N, ...) filled batch by batch in inference mode.
  std::vector<Tensor> result(model.numOutputs());
  for (size_t o = 0; o < result.size(); ++o) {
    Shape s = withBatch(model.outputShape(o), n);
    if (std::any_of(s.begin(), s.end(), [](Index d) { return d < 0; }))
      throw Error("predict: output '" + model.outputName(o) + "' has an unknown dimension " +
                  shapeToString(model.outputShape(o)));
    result[o] = Tensor(s);
  }
  std::vector<Tensor> xb(x.size());
  std::vector<const Tensor*> xp(x.size());
  RunContext ctx;
  for (Index begin = 0; begin < n; begin += batchSize) {
    const Index count = std::min(batchSize, n - begin);
    for (size_t i = 0; i < x.size(); ++i) {
      x[i].slice(begin, count, xb[i]);
      xp[i] = &xb[i];
    }
    model.forward(xp, /*training=*/false, ctx);
    for (size_t o = 0; o < result.size(); ++o) {
      const Tensor& y = model.output(o);
      const Index row = y.size() / count;
      std::memcpy(result[o].data() + begin * row, y.data(), sizeof(float) * y.size());
    }
  }
  for (size_t o = 0; o < outs.size(); ++o) {
    writeNpy(outs[o], Array::fromTensor(result[o]));
    std::cout << "Wrote " << outs[o] << " " << shapeToString(result[o].shape()) << std::endl;
  }
  return 0;
}

}  // namespace tessel::app
