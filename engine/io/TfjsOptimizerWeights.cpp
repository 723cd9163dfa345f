#include "engine/io/TfjsOptimizerWeights.h"

#include <cmath>
#include <map>

#include "engine/core/Error.h"
#include "engine/train/Model.h"

namespace tessel {

namespace {

// "m/3" -> ("m", 3).
std::pair<std::string, size_t> splitStateName(const std::string& s) {
  const size_t slash = s.rfind('/');
  if (slash == std::string::npos) throw Error("optimizer state name '" + s + "' has no index");
  return {s.substr(0, slash), static_cast<size_t>(std::stoul(s.substr(slash + 1)))};
}

// Names parallel to optimizer.state().
std::vector<std::string> stateWeightNames(const Optimizer& optimizer,
                                          const std::vector<std::string>& variableNames) {
  std::vector<std::string> out;
  for (const std::string& s : optimizer.stateNames()) {
    auto [kind, index] = splitStateName(s);
    if (index >= variableNames.size())
      throw Error("optimizer '" + optimizer.name() + "' has state for " +
                  std::to_string(index + 1) + "+ variables, " +
                  std::to_string(variableNames.size()) + " names given");
    out.push_back(variableNames[index] + "/" + tfjsSlotName(optimizer.name(), kind));
  }
  return out;
}

std::string joinList(const std::vector<std::string>& names, size_t most = 6) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < most; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > most) out += " and " + std::to_string(names.size() - most) + " more";
  return out;
}

}  // namespace

std::string tfjsSlotName(const std::string& optimizerClass, const std::string& kind) {
  if (optimizerClass == "SGD" && kind == "m") return "momentum";  // tfjs MomentumOptimizer
  if (optimizerClass == "RMSprop") {
    if (kind == "velocity") return "rms";
    if (kind == "average_gradient") return "mg";
  }
  return kind;  // Adam m/v, Adagrad accumulator, RMSprop momentum; Keras names otherwise
}

std::vector<std::string> trainableWeightNames(Model& model) {
  std::vector<std::string> out;
  for (auto& [name, var] : model.namedWeights())
    if (var->trainable) out.push_back(name);
  return out;
}

NamedWeights optimizerWeights(Optimizer& optimizer, const std::vector<std::string>& variableNames) {
  NamedWeights out;
  Tensor iter(Shape{});
  iter[0] = static_cast<float>(optimizer.iterations());
  out.emplace_back("iter", std::move(iter));
  const auto names = stateWeightNames(optimizer, variableNames);
  auto state = optimizer.state();
  for (size_t i = 0; i < state.size(); ++i) {
    Tensor t(state[i]->shape());
    t.copyFrom(*state[i]);
    out.emplace_back(names[i], std::move(t));
  }
  return out;
}

void setOptimizerWeights(Optimizer& optimizer, const std::vector<Variable*>& vars,
                         const std::vector<std::string>& variableNames,
                         const NamedWeights& weights) {
  if (vars.size() != variableNames.size())
    throw Error("setOptimizerWeights: " + std::to_string(vars.size()) + " variables, " +
                std::to_string(variableNames.size()) + " names");
  // The names the optimizer expects follow from its class and the variables alone; everything is
  // checked before any value is written.
  optimizer.build(vars);
  const auto expected = stateWeightNames(optimizer, variableNames);
  auto state = optimizer.state();
  std::map<std::string, const Tensor*> given;
  for (const auto& [name, t] : weights) given[name] = &t;
  std::vector<std::string> missing, mismatched, extra;
  for (size_t i = 0; i < expected.size(); ++i) {
    auto it = given.find(expected[i]);
    if (it == given.end())
      missing.push_back(expected[i]);
    else if (it->second->shape() != state[i]->shape())
      mismatched.push_back(expected[i] + " " + shapeToString(it->second->shape()) + " (expected " +
                           shapeToString(state[i]->shape()) + ")");
  }
  std::map<std::string, bool> known;
  for (const auto& n : expected) known[n] = true;
  known["iter"] = true;
  for (const auto& [name, t] : weights)
    if (!known.count(name)) extra.push_back(name);
  const Tensor* iter = given.count("iter") ? given["iter"] : nullptr;
  if (iter && iter->size() != 1) mismatched.push_back("iter " + shapeToString(iter->shape()));
  if (iter && iter->size() == 1 && (!((*iter)[0] >= 0) || (*iter)[0] != std::floor((*iter)[0])))
    mismatched.push_back("iter (value " + std::to_string((*iter)[0]) + ", not a step count)");
  if (!missing.empty() || !mismatched.empty() || !extra.empty()) {
    std::string msg = "optimizer state does not fit " + optimizer.name() + " on this model:";
    if (!missing.empty()) msg += " missing " + joinList(missing) + ";";
    if (!mismatched.empty()) msg += " wrong shape " + joinList(mismatched) + ";";
    if (!extra.empty()) msg += " unexpected " + joinList(extra) + ";";
    msg.pop_back();
    throw Error(msg);
  }
  for (size_t i = 0; i < expected.size(); ++i) state[i]->copyFrom(*given[expected[i]]);
  if (iter) optimizer.setIterations(static_cast<long long>((*iter)[0]));
}

}  // namespace tessel
