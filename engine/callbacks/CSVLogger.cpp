#include "engine/callbacks/CSVLogger.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/train/Trainer.h"

namespace tessel {

namespace {

// Python's repr of a float: the shortest text that reads back the same ("nan", "inf" as Python).
std::string pyFloat(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

CSVLogger::CSVLogger(std::string filename, std::string separator, bool append)
    : filename_(std::move(filename)), sep_(std::move(separator)), append_(append) {
  if (filename_.empty()) throw Error("CSVLogger: filename is empty");
}

void CSVLogger::onTrainBegin(const FitOptions&, int) {
  appendHeader_ = true;
  if (append_) {
    std::ifstream in(filename_);
    std::string first;
    if (in && std::getline(in, first) && !first.empty()) appendHeader_ = false;
  }
  file_.close();
  file_.open(filename_, append_ ? std::ios::app : std::ios::trunc);
  if (!file_) throw Error("CSVLogger: cannot open '" + filename_ + "' for writing");
  keys_.clear();
  wroteHeader_ = false;
}

void CSVLogger::onEpochEnd(int epoch, const Logs& logs) {
  if (!file_.is_open()) return;
  if (keys_.empty()) {
    for (const auto& [k, v] : logs) keys_.push_back(k);
    std::sort(keys_.begin(), keys_.end());
  }
  if (!wroteHeader_) {
    if (appendHeader_) {
      file_ << "epoch";
      for (const auto& k : keys_) file_ << sep_ << k;
      file_ << "\n";
    }
    wroteHeader_ = true;
  }
  file_ << epoch;
  for (const auto& k : keys_) {
    auto v = findLog(logs, k);
    file_ << sep_ << (v ? pyFloat(*v) : std::string("NA"));
  }
  file_ << "\n";
  file_.flush();
}

void CSVLogger::onFinished(const History&) {
  file_.close();
}
// A failed fit ends here (no onFinished): the rows written so far stay in the file.
void CSVLogger::onFailed(const std::string&) {
  file_.close();
}

nlohmann::json CSVLogger::toJson() const {
  return {{"class_name", "CSVLogger"},
          {"config", {{"filename", filename_}, {"separator", sep_}, {"append", append_}}}};
}

}  // namespace tessel
