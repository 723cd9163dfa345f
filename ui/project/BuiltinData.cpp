#include "ui/project/BuiltinData.h"

#include "engine/core/Error.h"

namespace tessel::ui {

DataSettings BuiltinData::settingsFor(const ModelSpec& spec, const nlohmann::json& dataSettings) {
  if (dataSettings.is_null() || (dataSettings.is_object() && dataSettings.empty()))
    return defaultDataSettings(spec);
  return DataSettings::fromJson(dataSettings);
}

Dataset BuiltinData::fashionMnist(const ModelSpec& spec, Index trainLimit) {
  if (spec.inputs.size() != 1 || spec.outputs.size() != 1)
    throw Error(
        "the built-in Fashion-MNIST data needs a model with one input and one output (this one "
        "has " +
        std::to_string(spec.inputs.size()) + " and " + std::to_string(spec.outputs.size()) + ")");
  DataSettings s;
  s.kind = "fashion_mnist";
  return forModel(spec, s.toJson(), trainLimit);
}

Dataset BuiltinData::forModel(const ModelSpec& spec, const nlohmann::json& dataSettings,
                              Index trainLimit, std::optional<Dataset>* validation,
                              std::optional<Dataset>* test) {
  ShapeReport report = inferShapes(spec);
  if (!report.ok())
    throw Error("the graph is not valid: " + std::string(report.errors.front().what()));
  const DataSettings settings = settingsFor(spec, dataSettings);
  const std::string key = settings.toJson().dump() + "#" + std::to_string(trainLimit);
  if (!built_ || builtKey_ != key) {
    built_.reset();
    BuildOptions o;
    o.trainLimit = trainLimit;
    built_ = buildDataset(settings, o);
    builtKey_ = key;
  }
  Dataset train = built_->train;
  fitDatasetToModel(train, spec);
  if (validation) {
    validation->reset();
    if (built_->validation) {
      Dataset v = *built_->validation;
      fitDatasetToModel(v, spec);
      *validation = std::move(v);
    }
  }
  if (test) {
    test->reset();
    if (built_->test) {
      Dataset t = *built_->test;
      fitDatasetToModel(t, spec);
      *test = std::move(t);
    }
  }
  return train;
}

}  // namespace tessel::ui
