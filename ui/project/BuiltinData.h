#pragma once
// The data a model trains on in the studio, built by the engine's DatasetBuilder from the model's
// stored data settings (ProjectSession::Model::dataSettings) or, when it has none, from
// defaultDataSettings(): built-in Fashion-MNIST (55,000 training images, standardised
// over all pixels) or, for the localization example (one (None, 64, 64, 1) input, two outputs),
// the generated Fashion-MNIST localization set. x is reshaped to the model's input
// ((None, 28, 28), (None, 784), (None, 28, 28, 1), ...). The last result is kept (same settings
// and limit → no reload).
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/FitOptions.h"

namespace tessel::ui {

class BuiltinData {
 public:
  // trainLimit >= 0 keeps the first trainLimit samples. Throws tessel::Error with one line: an
  // invalid graph, more than one input or output, an input 28x28 images do not fit, or the
  // Debian package dataset-fashion-mnist missing.
  Dataset fashionMnist(const ModelSpec& spec, Index trainLimit = -1);

  // The training data for `spec` from its data settings JSON (null or empty = the default for the
  // model). The validation data of the settings, if any, goes to *validation. Throws tessel::Error
  // with one line.
  // The test data (BuiltData::test), if any, goes to *test.
  Dataset forModel(const ModelSpec& spec, const nlohmann::json& dataSettings, Index trainLimit = -1,
                   std::optional<Dataset>* validation = nullptr,
                   std::optional<Dataset>* test = nullptr);

  // The settings forModel() uses for this JSON (the model's default when it is null or empty).
  static DataSettings settingsFor(const ModelSpec& spec, const nlohmann::json& dataSettings);

  // The last data built (empty before the first forModel/fashionMnist).
  const std::optional<BuiltData>& last() const { return built_; }

 private:
  std::optional<BuiltData> built_;
  std::string builtKey_;
};

}  // namespace tessel::ui
