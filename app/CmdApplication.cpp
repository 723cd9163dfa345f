#include <fstream>
#include <iostream>
#include <sstream>

#include "app/Cli.h"
#include "app/cli/Args.h"
#include "app/cli/UsageError.h"
#include "engine/core/Error.h"
#include "engine/graph/Applications.h"
#include "engine/graph/FineTune.h"

namespace tessel::app {

namespace {

Shape parseShape(const std::string& text) {
  Shape s;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    try {
      s.push_back(std::stoll(part));
    } catch (const std::exception&) {
      throw UsageError("--input-shape wants H,W,C (e.g. 160,160,3), got '" + text + "'");
    }
  }
  if (s.size() != 3) throw UsageError("--input-shape wants H,W,C, got '" + text + "'");
  return s;
}

}  // namespace

// tessel application NAME [options]: a keras.applications architecture as a model.json, with the
// transfer-learning edits the studio offers (freeze up to a layer, unfreeze the last N, replace
// the head), applied in that order; prints the summary.
int cmdApplication(const Args& args) {
  ApplicationOptions o;
  o.includeTop = !args.has("--no-top");
  o.pooling = args.value("--pooling");
  if (args.has("--pooling") && o.includeTop)
    throw UsageError("--pooling applies without the top: add --no-top");
  if (args.has("--input-shape")) o.inputShape = parseShape(args.value("--input-shape"));
  o.classes = args.intValue("--classes", 1000, 1, 1000000);
  o.classifierActivation = args.value("--classifier-activation", "softmax");
  o.alpha = args.doubleValue("--alpha", 1.0, 0.01, 10.0);
  ModelSpec spec = buildApplication(args.positional()[0], o);
  if (args.has("--replace-head-after")) {
    HeadOptions h;
    h.classes = args.intValue("--head-classes", 2, 1, 1000000);
    h.dropout = args.doubleValue("--head-dropout", 0.2, 0.0, 0.99);
    spec = replaceHead(spec, args.value("--replace-head-after"), h);
  }
  if (args.has("--freeze-up-to")) freezeUpTo(spec, args.value("--freeze-up-to"));
  if (args.has("--unfreeze-last"))
    unfreezeLast(spec, static_cast<int>(args.intValue("--unfreeze-last", 0, 0, 1000000)));
  std::cout << summaryTable(spec);
  if (args.has("--save")) {
    const std::string path = args.value("--save");
    std::ofstream out(path);
    out << spec.toKerasJson().dump(1) << '\n';
    if (!out) throw Error("cannot write " + path);
    std::cout << "Saved " << path << '\n';
  }
  return 0;
}

}  // namespace tessel::app
