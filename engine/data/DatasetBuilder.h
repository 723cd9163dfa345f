#pragma once
// Turning stored data settings (DataSettings, the project's dataSettings JSON) into the data a
// run trains on: a training Dataset and, when the settings give one, a validation Dataset.
//
// Sources (DataSettings::kind):
//   "fashion_mnist"              the seed's split of Debian's Fashion-MNIST (55,000 train after
//                                the first 5,000 validation images), standardised as the seed
//                                does; x (N, 28, 28), y (N,). fractions/seed/normalisation ignored.
//   "fashion_mnist_localization" the generated localization set (FashionLocalization.h): training
//                                items from the training images (options: LocalizationOptions
//                                keys, count default 10,000, seed default 1), validation items
//                                ("validation_count", default 1,000; seed + 1) from the 5,000
//                                validation images; x (N, 64, 64, 1) in [0, 1], y = [class (N,),
//                                box (N, 4)]. fractions ignored.
//   "idx"                        an IDX image/label pair (file or folder; the "train" pair when a
//                                folder has several), split by fractions + splitSeed.
//   "csv"                        CsvSpec (options = CsvSpec::toJson) with the settings' fractions
//                                and seed; x (N, featureWidth), y one (N,) array per label column.
//   "image_folder"               ImageFolder (options: height, width, grayscale, max_rows); the
//                                images are GATHERED INTO MEMORY as uint8, at most max_rows of
//                                them (default 20,000; the first ones in a seeded shuffle when
//                                there are more) so a huge folder cannot exhaust memory;
//                                y = class id (N,), plus box (N, 4) (the first box of each image)
//                                when annotations ("csv"/"voc") are set.
// Normalisation (not for fashion_mnist or csv, which standardise themselves): "rescale" multiplies
// x by `rescale`, "standardize_global" fits one mean/std on the training x (written back into
// the returned settings), "standardize_per_feature" is refused outside CSV.
// Every failure is an Error with one line naming the source.
#include <optional>
#include <string>
#include <vector>

#include "engine/data/DataSettings.h"
#include "engine/graph/ModelSpec.h"
#include "engine/train/FitOptions.h"

namespace tessel {

struct BuildOptions {
  Index trainLimit = -1;  // >= 0: keep at most that many training samples (tests, previews)
};

struct BuiltData {
  Dataset train;
  std::optional<Dataset> validation;
  std::vector<std::string> classNames;  // of the first label, when known
  DataSettings settings;                // as given, with fitted statistics filled in
  // "train x (55000, 28, 28), y (55000,); validation x (5000, 28, 28), y (5000,)".
  std::string describe() const;
};

BuiltData buildDataset(const DataSettings& settings, const BuildOptions& options = {});
inline BuiltData buildDataset(const nlohmann::json& settings, const BuildOptions& options = {}) {
  return buildDataset(DataSettings::fromJson(settings), options);
}

// The settings used when a model has none: the generated localization set for a model with one
// (None, 64, 64, 1) input and two outputs, else built-in Fashion-MNIST.
DataSettings defaultDataSettings(const ModelSpec& spec);

// Reshapes each x to the model's input shape (same element count per sample, e.g. (N, 28, 28) to
// (N, 784)); throws Error naming the input when the counts differ or the input/output numbers do
// not match the data.
void fitDatasetToModel(Dataset& data, const ModelSpec& spec);

// "(N, 28, 28)".
std::string arrayShapeText(const Array& a);

}  // namespace tessel
