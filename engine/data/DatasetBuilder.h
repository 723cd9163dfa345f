#pragma once
// Turning stored data settings (DataSettings, the project's dataSettings JSON) into the data a
// run trains on: a training Dataset and, when the settings give one, a validation Dataset (and a
// test Dataset, kept for later evaluation, never used by fit).
//
// Sources (DataSettings::kind):
//   "fashion_mnist"              split of Debian's Fashion-MNIST (55,000 train after
//                                the first 5,000 validation images), standardised over all
//                                pixels; x (N, 28, 28), y (N,); test = the 10,000 t10k images.
//                                fractions/seed/normalisation ignored.
//   "fashion_mnist_localization" the generated localization set (FashionLocalization.h): training
//                                items from the training images (options: LocalizationOptions
//                                keys, count default 10,000, seed default 1), validation items
//                                ("validation_count", default 1,000; seed + 1) from the 5,000
//                                validation images; x (N, 64, 64, 1) in [0, 1], y = [class (N,),
//                                box (N, 4)]. fractions ignored.
//   "idx"                        an IDX image/label pair (file or folder; the "train" pair when a
//                                folder has several), split by fractions + splitSeed.
//   "csv"                        CsvSpec (options = CsvSpec::toJson) with the settings' fractions
//                                and seed; x (N, featureWidth), y one (N,) array per label column;
//                                options "inputs" (feature column lists, one x per model input)
//                                and "outputs" (label columns, one y per output) route columns.
//   "image_folder"               ImageFolder (options: height, width, grayscale, cache_mb,
//                                max_rows, box_target); x is a LAZY uint8 Array (Array.h,
//                                ImageFolder::lazyImages): images are decoded when a batch is
//                                gathered, through an LRU cache of cache_mb MB (default 256; one
//                                cache per folder), so 100,000 images never need 100,000 images
//                                of memory. max_rows (default none) limits the images used (the
//                                first ones in a shuffle seeded with splitSeed, kept in folder
//                                order). y = class id (N,) int32, plus box (N, 4) when annotations
//                                ("csv"/"voc") are set: box_target "first" (default) takes each
//                                image's first box, "largest" the largest by area (ties: the
//                                first); every box of each validation image is kept in
//                                BuiltData::validationBoxes. y and boxes are in memory.
// Split: the fractions + splitSeed (Split.h; a lazy x is split into lazy views), or GIVEN FILES
// when DataSettings::trainFile is set (fractions ignored, `path` may be empty): the training
// data is read from trainFile, validation from validationFile (optional), test from testFile
// (optional; BuiltData::test). The same kind of source each time: an IDX file/folder for "idx"
// (a folder with several pairs: "train" for training, another pair for validation/test); a CSV
// file for "csv" whose validation/test files must have the training file's columns and are
// encoded with the encoder FITTED ON THE TRAINING FILE (vocabularies, means/stds, label
// vocabularies, as Keras preprocessing layers adapted on the training data: values outside the
// vocabulary go to the OOV buckets, an unknown label is an error); a class-folder root for
// "image_folder" whose validation/test class folders must be among the training folder's
// (labels are the training class ids; annotation file names are relative to each root).
// Normalisation (not for fashion_mnist or csv, which standardise themselves): "rescale" multiplies
// x by `rescale`, "standardize_global" fits one mean/std on the training x (streamed in chunks
// with gather; written back into the returned settings), "standardize_per_feature" is refused
// outside CSV. Normalisation is an affine map on each x (train, validation, test).
// Augmentation (settings.augmentation.any()): a BatchAugmenter is attached to the TRAINING set
// only (Dataset::augment; applied by fit to each training batch); for the localization set and
// annotated image folders the box target (y[1]) follows the image. Refused for non-image x.
// Every failure is an Error with one line naming the source.
#include <array>
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
  std::optional<Dataset> test;          // the test split / testFile: not used by fit
  std::vector<std::string> classNames;  // of the first label, when known
  DataSettings settings;                // as given, with fitted statistics filled in
  // Image folders with annotations: every box of each validation sample (normalised y0, x0, y1,
  // x1), in the validation set's row order; empty without annotations or validation data.
  std::vector<std::vector<std::array<float, 4>>> validationBoxes;
  // "train x (55000, 28, 28), y (55000,); validation x (5000, 28, 28), y (5000,)" (+ "; test
  // x ..., y ..." when there is test data).
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
