#include "engine/callbacks/ModelCheckpoint.h"

#include <cstdio>

#include "engine/core/Error.h"

namespace tessel {

ModelCheckpoint::ModelCheckpoint(Options options, Saver saver)
    : o_(std::move(options)), saver_(std::move(saver)) {
  if (o_.filepath.empty()) throw Error("ModelCheckpoint: filepath is empty");
  if (!saver_) throw Error("ModelCheckpoint: no saver given");
  const std::string& m = o_.monitor;
  op_ = Monitor::make("ModelCheckpoint", o_.mode,
                      m.find("acc") != std::string::npos || m.rfind("fmeasure", 0) == 0, 0.0);
}

void ModelCheckpoint::onTrainBegin(const FitOptions&, int) {
  best_ = o_.initialValueThreshold ? *o_.initialValueThreshold : op_.worst();
}

std::string ModelCheckpoint::formatPath(const std::string& pattern, int epoch1, const Logs& logs) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '}' && i + 1 < pattern.size() && pattern[i + 1] == '}') {
      out += '}', ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < pattern.size() && pattern[i + 1] == '{') {
      out += '{', ++i;
      continue;
    }
    size_t close = pattern.find('}', i);
    if (close == std::string::npos)
      throw Error("ModelCheckpoint: unbalanced '{' in filepath '" + pattern + "'");
    std::string field = pattern.substr(i + 1, close - i - 1);
    std::string key = field, spec;
    if (size_t colon = field.find(':'); colon != std::string::npos)
      key = field.substr(0, colon), spec = field.substr(colon + 1);
    for (char s : spec)
      if (!(std::isdigit(static_cast<unsigned char>(s)) || s == '.' || s == '-' || s == '+' ||
            s == 'd' || s == 'f' || s == 'e' || s == 'g' || s == 'E' || s == 'G' || s == ' '))
        throw Error("ModelCheckpoint: unsupported format spec '{" + field + "}' in filepath");
    char buf[128];
    const bool isInt = !spec.empty() && spec.back() == 'd';
    const std::string format = std::string(1, '%').append(spec);  // (GCC 12 -Wrestrict: no "%" + s)
    if (key == "epoch") {
      if (spec.empty())
        std::snprintf(buf, sizeof buf, "%d", epoch1);
      else if (isInt)
        std::snprintf(buf, sizeof buf, format.c_str(), epoch1);
      else
        std::snprintf(buf, sizeof buf, format.c_str(), static_cast<double>(epoch1));
    } else {
      auto v = findLog(logs, key);
      if (!v)
        throw Error("ModelCheckpoint: failed to format the filepath '" + pattern + "': no '" + key +
                    "' in the epoch logs");
      if (spec.empty())
        std::snprintf(buf, sizeof buf, "%.17g", *v);  // close to Python's repr
      else if (isInt)
        std::snprintf(buf, sizeof buf, (format.substr(0, format.size() - 1) + "lld").c_str(),
                      static_cast<long long>(*v));
      else
        std::snprintf(buf, sizeof buf, format.c_str(), *v);
    }
    out += buf;
    i = close;
  }
  return out;
}

void ModelCheckpoint::onEpochEnd(int epoch, const Logs& logs) {
  const std::string path = formatPath(o_.filepath, epoch + 1, logs);
  if (!o_.saveBestOnly) {
    if (o_.verbose > 0 && o_.out)
      *o_.out << "\nEpoch " << epoch + 1 << ": saving model to " << path << "\n";
    saver_(path, o_.saveWeightsOnly);
    lastSaved_ = path;
    return;
  }
  auto current = findLog(logs, o_.monitor);
  if (!current) {
    if (o_.out)
      *o_.out << "Can save best model only with " << o_.monitor << " available, skipping.\n";
    return;
  }
  char buf[512];
  if (op_.improved(*current, best_)) {
    if (o_.verbose > 0 && o_.out) {
      std::snprintf(buf, sizeof buf, "\nEpoch %d: %s improved from %.5f to %.5f, saving model to ",
                    epoch + 1, o_.monitor.c_str(), best_, *current);
      *o_.out << buf << path << "\n";
    }
    best_ = *current;
    saver_(path, o_.saveWeightsOnly);
    lastSaved_ = path;
  } else if (o_.verbose > 0 && o_.out) {
    std::snprintf(buf, sizeof buf, "\nEpoch %d: %s did not improve from %.5f", epoch + 1,
                  o_.monitor.c_str(), best_);
    *o_.out << buf << "\n";
  }
}

nlohmann::json ModelCheckpoint::toJson() const {
  const auto& t = o_.initialValueThreshold;
  return {{"class_name", "ModelCheckpoint"},
          {"config",
           {{"filepath", o_.filepath},
            {"monitor", o_.monitor},
            {"verbose", o_.verbose},
            {"save_best_only", o_.saveBestOnly},
            {"save_weights_only", o_.saveWeightsOnly},
            {"mode", o_.mode},
            {"save_freq", "epoch"},
            {"initial_value_threshold", t ? nlohmann::json(*t) : nlohmann::json(nullptr)}}}};
}

}  // namespace tessel
