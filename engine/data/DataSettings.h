#pragma once
// The data set settings of a project/run: where the data comes from, how it is split, normalised
// and augmented. Stored as JSON (toJson / fromJson round-trip exactly) with a stable hash for the
// run record: hash() = 16 lowercase hex digits of 64-bit FNV-1a over toJson().dump() (nlohmann
// writes object keys sorted and numbers in shortest round-trip form, so equal settings give equal
// text on every machine and run).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tessel {

struct DataSettings {
  // "fashion_mnist", "fashion_mnist_localization", "fashion_mnist_sequence" (CTC), "idx", "csv",
  // "image_folder", "npy", "tfrecord" (path: a file, folder or glob of shards; options:
  // TfRecordSource.h), "text" (CSV column, class folders of .txt, sentence pairs, fortunes;
  // options: TextDataset.h).
  std::string kind = "fashion_mnist";
  std::string path;  // file or folder of the source ("" for built-in sets)
  nlohmann::json options = nlohmann::json::object();  // kind-specific (CsvSpec::toJson, ...)
  // Box annotations for image folders: "" (none), "csv" or "voc"; annotationsPath file/folder.
  std::string annotations;
  std::string annotationsPath;

  // Split: fractions {train, validation, test} shuffled with splitSeed (Split.h rules), or given
  // files (then the fractions are ignored).
  std::vector<double> fractions = {0.8, 0.1, 0.1};
  std::uint64_t splitSeed = 0;
  std::string trainFile, validationFile, testFile;

  // Normalisation: "none", "rescale" (x * rescale, Keras Rescaling), "standardize_global" (one
  // mean/std over every training value, as for images) or "standardize_per_feature"
  // (per column, sklearn StandardScaler); statistics always come from the training split.
  std::string normalization = "none";
  double rescale = 1.0 / 255.0;
  // standardize_global: the statistics fitted on the training split (filled in when the data set
  // is loaded, so that a single image can be preprocessed later exactly as in training).
  double mean = 0.0, std = 1.0;

  // Augmentation, as Keras's preprocessing layers take them (factors as fractions).
  struct Augmentation {
    bool flipHorizontal = false, flipVertical = false;  // RandomFlip
    double rotation = 0;    // RandomRotation factor (fraction of a full turn)
    double zoom = 0;        // RandomZoom height factor
    double translate = 0;   // RandomTranslation height/width factor
    double contrast = 0;    // RandomContrast factor
    double brightness = 0;  // RandomBrightness factor
    std::uint64_t seed = 0;
    bool any() const {
      return flipHorizontal || flipVertical || rotation != 0 || zoom != 0 || translate != 0 ||
             contrast != 0 || brightness != 0;
    }
  } augmentation;

  // The tf.data steps of the input pipeline, in the order they apply (the data dialog shows them
  // so): interleave over shard files (cycle_length, 0 = all), skip / take (records; take -1 =
  // all), cache ("" none, "memory", or a cache file path), shuffle buffer (records; 0 = none),
  // batch (0 = the fit batch size), prefetch (batches decoded ahead on a reader thread; 0 =
  // none). Streamed TFRecord data applies all of them; other sources take skip/take (rows),
  // batch and the shuffle buffer (any size > 0 means fit's full shuffle of in-memory rows).
  // Written to JSON only when not all default, so older settings keep their hash.
  struct Pipeline {
    int cycleLength = 0;
    std::int64_t skip = 0, take = -1;
    std::string cache;
    std::int64_t shuffleBuffer = 0;
    int batch = 0, prefetch = 0;
    bool isDefault() const {
      return cycleLength == 0 && skip == 0 && take == -1 && cache.empty() && shuffleBuffer == 0 &&
             batch == 0 && prefetch == 0;
    }
  } pipeline;

  nlohmann::json toJson() const;
  // Missing keys keep their defaults; throws Error for unknown kinds/normalisations, fractions
  // outside [0, 1] or summing to more than 1, negative augmentation factors.
  static DataSettings fromJson(const nlohmann::json& j);
  std::string hash() const;

 private:
  nlohmann::json baseJson() const;  // every key but "pipeline"
};

}  // namespace tessel
