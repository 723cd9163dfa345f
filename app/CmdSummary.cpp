#include <iostream>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/graph/ModelSpec.h"

namespace tessel::app {

// tessel summary MODEL: Keras model.summary() of a model.json (topology only; no weights read).
int cmdSummary(const Args& args) {
  const std::string path = args.positional()[0];
  ModelSpec spec = ModelSpec::fromKerasJson(readJsonFile(path));
  std::cout << summaryTable(spec);
  return 0;
}

}  // namespace tessel::app
