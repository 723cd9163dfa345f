#include "ui/training/PreflightCheck.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/data/RowSource.h"
#include "engine/gpu/GpuDevice.h"
#include "engine/gpu/GpuExecutor.h"
#include "engine/losses/Loss.h"
#include "engine/optimizers/Optimizer.h"
#include "engine/train/Model.h"

namespace tessel::ui {

namespace {

using Sev = PreflightItem::Severity;

std::string shapeText(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += s[i] == kNone ? "None" : std::to_string(s[i]);
  }
  if (s.size() == 1) out += ",";
  return out + ")";
}

std::string bytesText(std::int64_t b) {
  char buf[64];
  if (b >= (1ll << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / (1ll << 30));
  else if (b >= (1ll << 20))
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1ll << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(b) / 1024.0);
  return buf;
}

std::string withCommas(std::int64_t v) {
  std::string s = std::to_string(v), out;
  int n = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it, ++n) {
    if (n && n % 3 == 0 && *it != '-') out.push_back(',');
    out.push_back(*it);
  }
  return {out.rbegin(), out.rend()};
}

// The loss name of output k ("sparse_categorical_crossentropy", ...), lower-case Keras names.
std::string lossName(const CompileOptions& c, size_t k) {
  if (c.losses.empty()) return "";
  const json& l = c.losses.size() == 1 ? c.losses[0] : c.losses[std::min(k, c.losses.size() - 1)];
  std::string s;
  if (l.is_string()) s = l.get<std::string>();
  if (l.is_object()) s = l.value("class_name", std::string());
  std::string lower;
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    if (std::isupper(static_cast<unsigned char>(ch))) {
      if (i && !std::isupper(static_cast<unsigned char>(s[i - 1]))) lower.push_back('_');
      lower.push_back(static_cast<char>(std::tolower(ch)));
    } else {
      lower.push_back(ch);
    }
  }
  if (lower == "sparse_categorical_crossentropy" || lower == "categorical_crossentropy" ||
      lower == "binary_crossentropy")
    return lower;
  return lower;
}

int optimizerSlots(const json& opt) {
  std::string n = opt.is_string() ? opt.get<std::string>() : opt.value("class_name", std::string());
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  const json cfg = opt.is_object() ? opt.value("config", json::object()) : json::object();
  auto number = [&](const char* k) {
    return cfg.contains(k) && cfg.at(k).is_number() ? cfg.at(k).get<double>() : 0.0;
  };
  auto flag = [&](const char* k) {
    return cfg.contains(k) && cfg.at(k).is_boolean() && cfg.at(k).get<bool>();
  };
  if (n == "adam" || n == "adamw") return flag("amsgrad") ? 3 : 2;
  if (n == "adamax" || n == "nadam") return 2;
  if (n == "sgd") return number("momentum") > 0 ? 1 : 0;
  if (n == "rmsprop") return 1 + (number("momentum") > 0 ? 1 : 0) + (flag("centered") ? 1 : 0);
  return 1;  // adagrad
}

struct LabelStats {
  bool integral = true;
  double min = 0, max = 0;
  Index cols = 1;
};

LabelStats labelStats(const Array& y) {
  LabelStats s;
  s.cols = y.rank() >= 2 ? y.rowSize() : 1;
  Index n = std::min<Index>(y.size(), 200000);  // enough to see the classes
  for (Index i = 0; i < n; ++i) {
    double v = y.value(i);
    if (i == 0) s.min = s.max = v;
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
    if (std::isfinite(v) && v != std::floor(v)) s.integral = false;
  }
  return s;
}

// A GPU run (issue 22): the device must be usable, and the plan's estimated device memory
// (gpu::estimateDeviceBytes) must fit its free memory; the message names the batch size.
template <class Add>
void gpuMemoryItem(const ModelSpec& spec, std::int64_t parameters, std::int64_t batch,
                   const CompileOptions& compile, const std::string& device, Add& add) {
  int index = -1;
  try {
    index = gpu::requireDevice(device);
  } catch (const std::exception& e) {
    add(Sev::Error, "gpu", e.what(), "choose the CPU in the device box");
    return;
  }
  if (index < 0) return;
  // Every layer, the loss and the optimizer must have a GPU path: said here, not at Start.
  try {
    Model model(spec, 0);
    std::vector<std::unique_ptr<Loss>> owned;
    std::vector<const Loss*> losses;
    for (const json& l : compile.losses) {
      owned.push_back(makeLoss(l));
      losses.push_back(owned.back().get());
    }
    // One loss for several outputs applies to each (Keras compile, as the Trainer does).
    if (losses.size() == 1)
      while (losses.size() < model.numOutputs()) {
        owned.push_back(makeLoss(compile.losses[0]));
        losses.push_back(owned.back().get());
      }
    const std::unique_ptr<Optimizer> optimizer = makeOptimizer(compile.optimizer);
    gpu::Executor::checkPlan(model, losses, *optimizer);
  } catch (const std::exception& e) {
    add(Sev::Error, "gpu_plan", e.what(), "choose the CPU in the device box");
    return;
  }
  const gpu::DeviceInfo info = gpu::deviceInfo(index);
  const std::int64_t need =
      gpu::estimateDeviceBytes(spec, parameters, batch, optimizerSlots(compile.optimizer));
  const std::string text = "GPU memory estimate for batch_size " + std::to_string(batch) + ": " +
                           bytesText(need) + " of " + bytesText(std::int64_t(info.freeBytes)) +
                           " free on " + device + " (" + info.name + ")";
  if (need > std::int64_t(info.freeBytes))
    add(Sev::Error, "gpu_memory", text, "reduce batch_size or train on the CPU");
  else
    add(Sev::Info, "gpu_memory", text);
}

}  // namespace

bool PreflightCheck::Result::ok() const {
  return std::none_of(items.begin(), items.end(),
                      [](const PreflightItem& i) { return i.severity == Sev::Error; });
}

std::optional<std::int64_t> PreflightCheck::availableMemory(const std::string& meminfo) {
  std::ifstream in(meminfo);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream ss(line.substr(13));
    std::int64_t kb = 0;
    if (ss >> kb) return kb * 1024;
  }
  return std::nullopt;
}

PreflightCheck::Result PreflightCheck::run(const ModelSpec& spec, const CompileOptions& compile,
                                           const Dataset& data, const FitOptions& fit,
                                           std::optional<std::int64_t> freeRamBytes) {
  Result r;
  auto add = [&](Sev s, std::string code, std::string msg, std::string fix = {}) {
    r.items.push_back({s, std::move(code), std::move(msg), std::move(fix)});
  };
  std::unique_ptr<Model> model;
  try {
    model = std::make_unique<Model>(spec, 0);
  } catch (const std::exception& e) {
    add(Sev::Error, "model", std::string("the model does not build: ") + e.what(),
        "fix the graph in the editor");
    return r;
  }
  r.parameters = model->parameterCount();
  add(Sev::Info, "params", "parameters: " + withCommas(r.parameters));

  // Inputs.
  if (data.x.size() != model->numInputs()) {
    add(Sev::Error, "input_count",
        "the data has " + std::to_string(data.x.size()) + " input array(s), the model has " +
            std::to_string(model->numInputs()) + " Input(s)",
        "give one array per Input, in the model's input order");
  }
  for (size_t i = 0; i < std::min(data.x.size(), model->numInputs()); ++i) {
    const Shape& want = model->inputShape(i);
    const Shape& got = data.x[i].shape();
    bool match = want.size() == got.size();
    for (size_t d = 1; match && d < want.size(); ++d) match = want[d] == kNone || want[d] == got[d];
    if (!match) {
      Shape fixed{got.empty() ? 0 : got[0]};
      for (size_t d = 1; d < want.size(); ++d) fixed.push_back(want[d]);
      Index wantRow = 1;
      for (size_t d = 1; d < want.size(); ++d) wantRow *= want[d] == kNone ? 1 : want[d];
      std::string fix = data.x[i].rowSize() == wantRow
                            ? "reshape the data to " + shapeText(fixed)
                            : "set the Input shape of " + model->inputName(i) + " to " +
                                  shapeText(Shape(got.begin() + 1, got.end()));
      add(Sev::Error, "input_shape",
          "input " + model->inputName(i) + " expects " + shapeText(want) + ", the data is " +
              shapeText(got),
          fix);
    }
  }
  Index n = data.size();
  for (size_t i = 1; i < data.x.size(); ++i)
    if (data.x[i].rows() != n)
      add(Sev::Error, "rows", "input arrays have different sample counts",
          "give every array the same number of rows");

  // Outputs and labels.
  if (data.y.size() != model->numOutputs()) {
    add(Sev::Error, "label_count",
        "the data has " + std::to_string(data.y.size()) + " label array(s), the model has " +
            std::to_string(model->numOutputs()) + " output(s)",
        "give one label array per output");
  }
  for (size_t k = 0; k < std::min(data.y.size(), model->numOutputs()); ++k) {
    const Array& y = data.y[k];
    const std::string& out = model->outputName(k);
    if (y.rows() != n)
      add(Sev::Error, "rows",
          "labels of " + out + " have " + std::to_string(y.rows()) + " rows, inputs have " +
              std::to_string(n),
          "use as many labels as samples");
    const Shape& os = model->outputShape(k);
    Index units = os.empty() ? 1 : os.back();
    const NodeSpec* node = spec.find(out);
    std::string act = node ? node->config.value("activation", std::string("linear")) : "linear";
    std::string loss = lossName(compile, k);
    LabelStats s = labelStats(y);
    const std::string layerText =
        (node ? node->className : std::string("layer")) + "(" + std::to_string(units) + ")";
    if (loss == "sparse_categorical_crossentropy" || loss == "categorical_crossentropy") {
      bool sparse = loss == "sparse_categorical_crossentropy";
      Index positions = 1;  // a sequence output (N, T, C) takes (N, T) class ids
      for (size_t d = 1; d + 1 < os.size(); ++d) positions *= os[d] == kNone ? 1 : os[d];
      if (sparse && s.cols > 1 && s.cols != positions) {
        add(Sev::Error, "label_type",
            out + ": sparse_categorical_crossentropy takes integer class ids, the labels have " +
                std::to_string(s.cols) + " columns (one-hot?)",
            "use categorical_crossentropy for one-hot labels");
        continue;
      }
      if (sparse && !s.integral) {
        add(Sev::Error, "label_type",
            out + ": labels are not integers, sparse_categorical_crossentropy needs class ids",
            "use a regression loss (mse) or integer labels");
        continue;
      }
      if (!sparse && s.cols == 1 && units > 1) {
        add(Sev::Error, "label_type",
            out + ": categorical_crossentropy needs one-hot labels with " + std::to_string(units) +
                " columns, the labels are class ids",
            "use sparse_categorical_crossentropy");
        continue;
      }
      Index classes = sparse ? static_cast<Index>(s.max) + 1 : s.cols;
      add(Sev::Info, "classes",
          out + ": " + std::to_string(classes) + " classes, output " + layerText);
      if (s.min < 0)
        add(Sev::Error, "label_classes", out + ": negative class id " + std::to_string(s.min),
            "class ids must be 0 .. classes-1");
      if (classes > units || units == 1) {
        add(Sev::Error, "label_classes",
            out + ": " + std::to_string(classes) + " classes but " + layerText,
            "set units of " + out + " to " + std::to_string(classes) + " with activation softmax");
      } else if (classes < units) {
        add(Sev::Warning, "label_classes",
            out + ": only " + std::to_string(classes) + " classes seen but " + layerText,
            "check the labels or reduce units to " + std::to_string(classes));
      }
      if (act != "softmax")
        add(Sev::Warning, "activation",
            out + ": activation is " + act + ", crossentropy expects probabilities",
            "set activation softmax (or from_logits=True in the loss)");
    } else if (loss == "binary_crossentropy") {
      if (s.min < 0 || s.max > 1) {
        add(Sev::Error, "label_classes",
            out + ": binary_crossentropy needs labels in [0, 1], they go up to " +
                std::to_string(static_cast<long long>(s.max)),
            s.integral ? "use sparse_categorical_crossentropy with Dense(" +
                             std::to_string(static_cast<long long>(s.max) + 1) + ", softmax)"
                       : "scale the labels to [0, 1]");
      }
      if (s.cols != units && !(s.cols == 1 && units == 1))
        add(Sev::Error, "label_shape",
            out + ": labels have " + std::to_string(s.cols) + " column(s), " + layerText,
            "set units of " + out + " to " + std::to_string(s.cols));
      if (act != "sigmoid")
        add(Sev::Warning, "activation",
            out + ": activation is " + act + ", binary_crossentropy expects sigmoid",
            "set activation sigmoid (or from_logits=True)");
    } else if (loss == "ctc") {
      // CTC labels are (N, max_label_length) ids padded with 0: the loss checks them itself.
      try {
        makeLoss(compile.losses[std::min(k, compile.losses.size() - 1)])
            ->checkLabels(y.toTensor(), os);
      } catch (const std::exception& e) {
        add(Sev::Error, "label_shape", out + ": " + e.what(),
            "give label ids 1.." + std::to_string(units - 1) + " padded with 0 (0 is the blank)");
      }
    } else {
      Index outSize = 1;
      for (size_t d = 1; d < os.size(); ++d) outSize *= os[d];
      if (y.rowSize() != outSize)
        add(Sev::Error, "label_shape",
            out + ": labels have " + std::to_string(y.rowSize()) + " value(s) per sample, " +
                layerText + " gives " + std::to_string(outSize),
            "set units of " + out + " to " + std::to_string(y.rowSize()));
    }
  }

  // Memory: weights + grads + optimizer slots, activations (and their gradients) of one batch,
  // and the data already loaded (or the cache a lazily read data set may fill).
  const std::int64_t batch = std::max(1, fit.batchSize);
  std::int64_t activations = 0;
  ShapeReport shapes = inferShapes(spec);
  for (const auto& [name, ns] : shapes.nodes)  // every output of a node (LSTM h and c too)
    for (size_t k = 0; k < ns.outputCount(); ++k) {
      const std::optional<Shape> out = ns.outputAt(k);
      if (!out) continue;
      std::int64_t e = 1;
      for (size_t d = 1; d < out->size(); ++d) e *= std::max<Index>(1, (*out)[d]);
      activations += e;
    }
  // A lazy array (an image folder read through its cache) counts its cache bound, once per
  // source, not the whole set.
  std::int64_t dataBytes = 0;
  std::set<const RowSource*> sources;
  auto count = [&](const Array& a) {
    if (!a.isLazy())
      dataBytes += static_cast<std::int64_t>(a.byteSize());
    else if (sources.insert(a.rowSource().get()).second)
      dataBytes += static_cast<std::int64_t>(a.rowSource()->cacheBytes());
  };
  for (const Array& a : data.x) count(a);
  for (const Array& a : data.y) count(a);
  r.estimatedBytes = r.parameters * 4 * (2 + optimizerSlots(compile.optimizer)) +
                     activations * batch * 4 * 2 + dataBytes;
  std::optional<std::int64_t> freeRam = freeRamBytes ? freeRamBytes : availableMemory();
  std::string memText = "memory estimate for batch_size " + std::to_string(batch) + ": " +
                        bytesText(r.estimatedBytes);
  if (freeRam) {
    memText += " of " + bytesText(*freeRam) + " free";
    if (r.estimatedBytes > *freeRam)
      add(Sev::Error, "memory", memText, "reduce batch_size or the model size");
    else if (r.estimatedBytes * 2 > *freeRam)
      add(Sev::Warning, "memory", memText, "a smaller batch_size leaves room for the system");
    else
      add(Sev::Info, "memory", memText);
  } else {
    add(Sev::Info, "memory", memText);
  }
  if (fit.device != "cpu") gpuMemoryItem(spec, r.parameters, batch, compile, fit.device, add);
  if (fit.validationSplit > 0 && n > 0 &&
      static_cast<Index>(static_cast<double>(n) * fit.validationSplit) < 1)
    add(Sev::Warning, "validation", "validation_split leaves no validation sample",
        "increase validation_split or add data");
  if (n == 0) add(Sev::Error, "rows", "no training data", "load a dataset first");
  return r;
}

}  // namespace tessel::ui
