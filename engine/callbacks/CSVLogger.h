#pragma once
// Keras CSVLogger: one row per epoch, columns "epoch" (0-based) then the log keys sorted, as
// Keras. append=true keeps an existing file (and writes no header when it is not empty).
#include <fstream>
#include <string>
#include <vector>

#include "engine/callbacks/Callback.h"

namespace tessel {

class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string filename, std::string separator = ",", bool append = false);

  void onTrainBegin(const FitOptions&, int stepsPerEpoch) override;
  void onEpochEnd(int epoch, const Logs& logs) override;
  void onFinished(const History&) override;
  void onFailed(const std::string&) override;

  nlohmann::json toJson() const override;

 private:
  std::string filename_, sep_;
  bool append_;
  bool appendHeader_ = true;
  bool wroteHeader_ = false;
  std::vector<std::string> keys_;
  std::ofstream file_;
};

}  // namespace tessel
