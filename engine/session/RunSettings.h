#pragma once
// Everything a training run is started with, typed: Keras compile() (losses, loss weights,
// metrics, optimizer with its learning-rate schedule), fit() arguments, the callbacks and the
// data set settings. Both the command line and the studio build one, record it in the run
// (RunRecord::settings) and read it back to resume. One JSON form, written by toJson and read by
// fromJson only:
//   {"compile":   Keras training_config {"loss", "metrics", "loss_weights",
//                 "optimizer_config": {"class_name", "config"}} (CompileOptions),
//    "fit":       {"epochs", "batch_size", "validation_split", "shuffle",
//                  "class_weight": {"0": w, ...}, "seed"} (Keras fit() keys),
//    "callbacks": [{"class_name": "EarlyStopping", "config": {...Keras keys...}}, ...],
//    "data":      DataSettings::toJson() (absent when the data is not described by settings),
//    "imported":  {"file", "optimizer_state"} (only for a run holding imported weights),
//    "fine_tune": FineTuneRecipe::toJson() (only for a two-phase fine-tuning run)}
// Keys missing from the JSON keep the defaults below (Keras fit() defaults); unknown keys, wrong
// types and out-of-range values throw tessel::Error naming the key ("run settings: fit.epochs
// must be an integer >= 1, got 0").
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/DataSettings.h"
#include "engine/train/CompileOptions.h"
#include "engine/train/FitOptions.h"

namespace tessel {

struct RunSettings {
  // Keras fit() arguments that describe the run (not the data arrays, not the output stream).
  struct Fit {
    int epochs = 1;
    int batchSize = 32;
    double validationSplit = 0;  // in [0, 1)
    bool shuffle = true;
    std::uint64_t seed = 0;               // weight initialisation, shuffling and dropout
    std::map<int, double> classWeight;    // class id -> weight
    std::string device = "cpu";           // "cpu", "cuda" or "cuda:N"; written when not cpu
    bool deterministic = false;           // FitOptions::deterministic; written when true
    bool tf32 = false;                    // FitOptions::tf32; written when true
    std::string dtypePolicy = "float32";  // FitOptions::dtypePolicy; written when not float32
    bool operator==(const Fit&) const = default;
  };
  // One Keras callback as its config names it ({"class_name", "config"}).
  struct CallbackSetting {
    std::string className;
    nlohmann::json config = nlohmann::json::object();
    bool operator==(const CallbackSetting&) const = default;
  };

  CompileOptions compile;  // losses empty: not compiled yet ("compile" left out of the JSON)
  Fit fit;
  std::vector<CallbackSetting> callbacks;
  std::optional<DataSettings> data;
  // Where the weights of an imported run came from ({"file", "optimizer_state"}); null for a
  // trained run.
  nlohmann::json imported;
  // The two-phase recipe of a fine-tuning run (FineTuneRecipe.h's JSON form, checked by
  // FineTuneRecipe::fromJson); null for a one-phase run.
  nlohmann::json fineTune;

  nlohmann::json toJson() const;
  // outputNames: the model's output names, needed when the training_config gives losses, loss
  // weights or metrics as dicts by output name.
  static RunSettings fromJson(const nlohmann::json& j,
                              const std::vector<std::string>& outputNames = {});

  // The callbacks as the JSON list above, and back (Error for a malformed list).
  nlohmann::json callbacksJson() const;
  static std::vector<CallbackSetting> callbacksFromJson(const nlohmann::json& j);

  // fit() options for these settings (verbose as given; validationData stays empty).
  FitOptions fitOptions(int verbose = 0) const;
  // The fit part of `options` (epochs, batch size, validation split, shuffle, seed, class
  // weights).
  static Fit fitFrom(const FitOptions& options);

  // A model's stored compile settings use the same keys ({"compile", "fit", "callbacks"}); this
  // returns their Keras training_config ("compile"; projects written before that key read
  // "training_config"), null when there is none.
  static nlohmann::json trainingConfigOf(const nlohmann::json& modelSettings);

  // The run record's data_hash: DataSettings::hash() of `data`, "" when there is none.
  std::string dataHash() const;
};

}  // namespace tessel
