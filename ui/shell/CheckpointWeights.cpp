#include "ui/shell/CheckpointWeights.h"

#include <QObject>
#include <QStringList>
#include <cstdint>
#include <exception>
#include <map>

#include "engine/session/CheckpointRestore.h"
#include "engine/store/RunRecorder.h"

namespace tessel::ui {

NamedWeights checkpointWeights(const Checkpoint& c, Model& model) {
  Model scratch(model.spec(), 0);
  try {
    restoreCheckpointWeights(scratch, c);
  } catch (const std::exception&) {
    return {};
  }
  NamedWeights out;
  for (auto& [name, var] : scratch.namedWeights()) out.emplace_back(name, var->value);
  return out;
}

Checkpoint weightsOnlyCheckpoint(Model& model) {
  Checkpoint c;
  c.kind = "last";
  json names = json::array();
  for (auto& [name, var] : model.namedWeights()) {
    names.push_back({{"name", name}, {"shape", var->value.shape()}});
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(var->value.data());
    c.weights.insert(c.weights.end(), bytes,
                     bytes + static_cast<size_t>(var->value.size()) * sizeof(float));
  }
  c.meta = {{"weights", std::move(names)}, {"imported", true}};
  return c;
}

bool isImportedRun(const RunRecord& run) {
  return run.settings.is_object() && run.settings.contains("imported");
}

QString weightsMismatch(Model& model, const NamedWeights& weights) {
  std::map<std::string, const Tensor*> given;
  for (const auto& [name, t] : weights) given[name] = &t;
  QStringList missing, mismatched, extra;
  std::map<std::string, bool> known;
  for (auto& [name, var] : model.namedWeights()) {
    known[name] = true;
    auto it = given.find(name);
    if (it == given.end())
      missing << QString::fromStdString(name);
    else if (it->second->shape() != var->value.shape())
      mismatched << QString::fromStdString(name + " " + shapeToString(it->second->shape()) +
                                           " (the model has " + shapeToString(var->value.shape()) +
                                           ")");
  }
  for (const auto& [name, t] : weights)
    if (!known.count(name)) extra << QString::fromStdString(name);
  QStringList parts;
  if (!missing.isEmpty())
    parts << QObject::tr("missing from the file: %1").arg(missing.join(QStringLiteral(", ")));
  if (!mismatched.isEmpty())
    parts << QObject::tr("wrong shape: %1").arg(mismatched.join(QStringLiteral(", ")));
  if (!extra.isEmpty())
    parts << QObject::tr("not in the model: %1").arg(extra.join(QStringLiteral(", ")));
  return parts.join(QStringLiteral("\n"));
}

}  // namespace tessel::ui
