#include <iostream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/gpu/GpuDevice.h"
#include "engine/train/Trainer.h"

namespace tessel::app {

// tessel evaluate MODEL (--data NAME | --x ... --y ...): Keras evaluate(), one line of logs.
int cmdEvaluate(const Args& args) {
  const std::string path = args.positional()[0];
  applyThreads(args);
  const int batchSize = static_cast<int>(args.intValue("--batch-size", 32, 1, 1 << 24));
  if (args.has("--device")) gpu::requireDevice(args.value("--device"));  // before reading data
  LoadedModel m = loadModel(path, 0);
  CompileOptions compile = compileOptions(m, args);
  CliData data = loadData(args, *m.model, /*needY=*/true, /*needTrain=*/false);
  Trainer trainer(*m.model, compile);
  if (!m.hasWeights)
    std::cerr << "tessel: warning: " << path
              << " has no weights; evaluating a freshly initialised model" << std::endl;
  const std::string device = args.has("--device") ? args.value("--device") : "cpu";
  Logs logs = trainer.evaluate(data.test ? *data.test : data.train, batchSize, device);
  std::cout << formatLogs(logs) << std::endl;
  return 0;
}

}  // namespace tessel::app
