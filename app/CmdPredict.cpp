#include <algorithm>
#include <cstring>
#include <iostream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/data/Npy.h"
#include "engine/gpu/GpuExecutor.h"
#include "engine/losses/Ctc.h"
#include "engine/losses/CtcDecode.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/Model.h"

namespace tessel::app {

namespace {

// --ctc-decode: whether output o's loss in the training_config is a CTC taking probabilities
// (from_logits=false); otherwise its values are logits, as Keras 3's ops.ctc_decode takes them.
bool ctcTakesProbabilities(const LoadedModel& m, size_t o) {
  if (m.file.trainingConfig.is_null()) return false;
  try {
    std::vector<std::string> names;
    for (size_t k = 0; k < m.model->numOutputs(); ++k) names.push_back(m.model->outputName(k));
    const auto c = CompileOptions::fromTrainingConfig(m.file.trainingConfig, names);
    if (c.losses.empty()) return false;
    const auto loss = makeLoss(c.losses.size() == 1 ? c.losses[0] : c.losses.at(o));
    const auto* ctc = dynamic_cast<const Ctc*>(loss.get());
    return ctc && !ctc->fromLogits();
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

// tessel predict MODEL --x ... --out ...: Keras predict(); one float32 .npy per model output.
int cmdPredict(const Args& args) {
  const std::string path = args.positional()[0];
  applyThreads(args);
  const Index batchSize = args.intValue("--batch-size", 32, 1, 1 << 24);
  LoadedModel m = loadModel(path, 0);
  Model& model = *m.model;
  const auto outs = args.values("--out");
  const bool ctc = args.has("--ctc-decode");
  CtcDecodeOptions decode;
  try {
    if (ctc) decode = CtcDecodeOptions::parse(args.value("--ctc-decode"));
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  if (outs.size() != model.numOutputs() && !(ctc && outs.empty()))
    throw UsageError("predict: the model has " + std::to_string(model.numOutputs()) +
                     " output(s), got " + std::to_string(outs.size()) + " --out file(s)");
  // --device cuda[:N]: the forward passes on the GPU (one input, one output; anything else
  // stops with a message naming what is not on the GPU yet).
  const int device = args.has("--device") ? gpu::requireDevice(args.value("--device")) : -1;
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
  std::unique_ptr<gpu::Executor> onGpu;
  if (device >= 0) {
    onGpu =
        gpu::Executor::createInference(device, model, std::min(batchSize, std::max<Index>(n, 1)));
    onGpu->uploadWeights();
  }
  const std::unique_ptr<Optimizer> unused = makeOptimizer(json("sgd"));  // run()'s argument
  for (Index begin = 0; begin < n; begin += batchSize) {
    const Index count = std::min(batchSize, n - begin);
    for (size_t i = 0; i < x.size(); ++i) {
      x[i].slice(begin, count, xb[i]);
      xp[i] = &xb[i];
    }
    if (onGpu) {
      onGpu->run(xb, {}, nullptr, count, false, *unused, ctx);
    } else {
      model.forward(xp, /*training=*/false, ctx);
    }
    for (size_t o = 0; o < result.size(); ++o) {
      const Tensor& y = onGpu ? onGpu->output(o) : model.output(o);
      const Index row = y.size() / count;
      std::memcpy(result[o].data() + begin * row, y.data(), sizeof(float) * y.size());
    }
  }
  for (size_t o = 0; o < outs.size(); ++o) {
    writeNpy(outs[o], Array::fromTensor(result[o]));
    std::cout << "Wrote " << outs[o] << " " << shapeToString(result[o].shape()) << std::endl;
  }
  bool decoded = false;
  for (size_t o = 0; ctc && o < result.size(); ++o) {
    const Tensor& r = result[o];
    if (r.rank() != 3) continue;
    const bool probs = ctcTakesProbabilities(m, o);
    std::cout << "CTC "
              << (decode.beam ? "beam search (width " + std::to_string(decode.beamWidth) + ")"
                              : std::string("greedy"))
              << " decoding of output '" << model.outputName(o) << "' ("
              << (probs ? "probabilities" : "logits") << ", blank 0):\n"
              << formatCtcDecoded(r.data(), r.dim(0), r.dim(1), r.dim(2), decode, !probs)
              << std::flush;
    decoded = true;
  }
  if (ctc && !decoded)
    throw UsageError("predict: --ctc-decode needs an output of shape (batch, time steps, classes)");
  return 0;
}

}  // namespace tessel::app
