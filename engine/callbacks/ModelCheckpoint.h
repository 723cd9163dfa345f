#pragma once
// Keras 2 ModelCheckpoint (save_freq "epoch"): saves at each epoch end, or only when `monitor`
// improved (save_best_only). The file path is formatted as Python's str.format with epoch (1-based)
// and the epoch logs: "ckpt-{epoch:02d}-{val_loss:.2f}.json". Saving goes through the caller's
// saver (the io layer writes TF.js model.json), so callbacks do not depend on io.
#include <functional>
#include <iostream>
#include <optional>
#include <string>

#include "engine/callbacks/Callback.h"
#include "engine/callbacks/Monitor.h"

namespace tessel {

class ModelCheckpoint : public Callback {
 public:
  // Writes the trainer's model to `path` (weights only when weightsOnly). May throw Error.
  using Saver = std::function<void(const std::string& path, bool weightsOnly)>;
  struct Options {
    std::string filepath;
    std::string monitor = "val_loss";
    int verbose = 0;
    bool saveBestOnly = false;
    bool saveWeightsOnly = false;
    std::string mode = "auto";  // auto: max when the monitor contains "acc" or starts "fmeasure"
    std::optional<double> initialValueThreshold;
    std::ostream* out = &std::cout;
  };
  ModelCheckpoint(Options options, Saver saver);

  void onTrainBegin(const FitOptions&, int stepsPerEpoch) override;
  void onEpochEnd(int epoch, const Logs& logs) override;

  // Python str.format of `pattern` with epoch (1-based value given) and the logs; supports
  // {name}, {name:spec} with printf-like specs (02d, .2f, .4e, g); "{{" and "}}" escape.
  // Throws Error naming the missing key.
  static std::string formatPath(const std::string& pattern, int epoch1, const Logs& logs);
  const std::string& lastSaved() const { return lastSaved_; }
  double best() const { return best_; }

  nlohmann::json toJson() const override;

 private:
  Options o_;
  Saver saver_;
  Monitor op_;
  double best_ = 0;
  std::string lastSaved_;
};

}  // namespace tessel
