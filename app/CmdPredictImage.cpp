#include "app/CmdPredictImage.h"

#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <optional>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/data/Boxes.h"
#include "engine/data/DataSettings.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionLocalization.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/ImageDecode.h"
#include "engine/io/TfjsModel.h"
#include "engine/session/CheckpointRestore.h"
#include "engine/session/ExportModel.h"
#include "engine/store/Project.h"

namespace tessel::app {

namespace {

using json = nlohmann::json;

struct Loaded {
  std::unique_ptr<Model> model;
  std::optional<DataSettings> data;  // how the training data was prepared, when known
  std::string dataSource;            // where `data` comes from ("run 3", "model 'm'", ...)
  std::string dataWarning;           // printed to stderr when the preprocessing is a guess
  std::string description;
};

// How one image becomes the model input: decoded to height x width x channels (what the data set
// gave the model, before any reshape to the model's input), then value = byte * scale + offset.
struct Preprocess {
  int height = 0, width = 0, channels = 0;
  float scale = 1.0f / 255.0f, offset = 0.0f;
  std::string text;                     // "rescale 0.00392157", for the log
  std::vector<std::string> classNames;  // of the first classification head, when known
};

// The data settings a project run trained with: the run's own record ("data"), the data set of a
// command-line run (its argv), else the model's data settings (what the studio trains with), else
// the studio's default for the model.
void resolveDataSettings(Loaded& l, const ModelRecord& model, const std::optional<RunRecord>& run) {
  const std::string runName = run ? "run " + std::to_string(run->id) : std::string();
  const bool npyRun = run && run->settings.contains("data") && run->settings["data"].is_object() &&
                      run->settings["data"].value("kind", std::string()) == "npy";
  if (npyRun) {
    // `tessel train PROJECT --x FILE.npy ...`
    l.dataSource = "none: " + runName + " trained on .npy arrays";
    l.dataWarning = runName +
                    " was trained on .npy arrays (tessel train --x), whose "
                    "preprocessing is unknown: the image is only scaled to [0, 1]";
    return;
  }
  if (run && run->settings.contains("data") && run->settings["data"].is_object() &&
      !run->settings["data"].empty()) {
    l.data = DataSettings::fromJson(run->settings["data"]);
    l.dataSource = runName + "'s data settings";
    return;
  }
  if (run && run->settings.contains("argv") && run->settings["argv"].is_array()) {
    // `tessel train PROJECT --data fashion-mnist | --x FILE.npy ...`
    const auto argv = run->settings["argv"].get<std::vector<std::string>>();
    if (std::find(argv.begin(), argv.end(), "--data") != argv.end()) {
      l.data = DataSettings{};  // fashion_mnist, standardised over all pixels (loadData)
      l.dataSource = runName + " (tessel train --data fashion-mnist)";
    } else {
      l.dataSource = "none: " + runName + " trained on .npy arrays";
      l.dataWarning = runName +
                      " was trained on .npy arrays (tessel train --x), whose "
                      "preprocessing is unknown: the image is only scaled to [0, 1]";
    }
    return;
  }
  const json& d = model.dataSettings;
  if (d.is_object() && !d.empty()) {
    try {
      l.data = DataSettings::fromJson(d);
    } catch (const Error& e) {
      throw Error("model '" + model.name + "': " + e.what());
    }
    l.dataSource = "model '" + model.name + "' data settings";
    return;
  }
  l.data = defaultDataSettings(l.model->spec());
  l.dataSource = "the studio's default data for model '" + model.name + "'";
}

// The model of MODEL.json (its weights), or of a PROJECT: --model NAME (default the first) with
// the weights of its latest run that has a checkpoint (or --run RUN; --checkpoint best|last, the
// other kind when the run has only one). Initial weights are never used: a model without trained
// weights is an error.
Loaded load(const Args& args) {
  const std::string path = args.positional()[0];
  const std::string kind = args.value("--checkpoint", "best");
  if (kind != "best" && kind != "last")
    throw UsageError("predict: --checkpoint must be best or last, got '" + kind + "'");
  Loaded l;
  if (!isProjectPath(path)) {
    LoadedModel m;
    try {
      m = loadModel(path, 0);
    } catch (const Error& e) {
      const bool json = path.size() > 5 && path.substr(path.size() - 5) == ".json";
      if (json) throw;
      throw Error(path + " is neither a Tessel project nor a Keras model file (" + e.what() + ")");
    }
    if (!m.hasWeights)
      throw Error(path +
                  " has no weights (no weights manifest or shards): predictions from freshly "
                  "initialised weights are meaningless; save the model after training");
    l.model = std::move(m.model);
    l.description = "model file " + path;
    l.dataSource = "none (a model file): pixel / 255";
    return l;
  }
  Project project = Project::open(path, /*readOnly=*/true);
  std::optional<ModelRecord> model;
  std::optional<RunRecord> run;
  std::optional<Checkpoint> cp;
  if (args.has("--run")) {
    run = project.run(args.intValue("--run", 0, 1, 1LL << 62));
    if (!run) throw Error(path + ": no run " + args.value("--run"));
    model = project.model(run->modelId);
    if (!model) throw Error(path + ": run " + args.value("--run") + " has no model");
    if (args.has("--model") && args.value("--model") != model->name)
      throw UsageError("predict: run " + args.value("--run") + " belongs to model '" + model->name +
                       "', not '" + args.value("--model") + "'");
  } else {
    if (args.has("--model")) {
      model = project.model(args.value("--model"));
      if (!model) {
        std::string names;
        for (const auto& m : project.models())
          names += (names.empty() ? "'" : ", '") + m.name + "'";
        throw Error(path + ": no model named '" + args.value("--model") + "' (the project has " +
                    (names.empty() ? std::string("no model") : names) + ")");
      }
    } else {
      auto all = project.models();
      if (all.empty()) throw Error(path + ": the project has no model");
      model = all.front();
    }
    auto runs = project.runs(model->id);
    run = latestTrainedRun(project, model->id);
    if (!run)
      throw Error(path + ": model '" + model->name + "' has " +
                  (runs.empty()
                       ? std::string("no training run")
                       : std::to_string(runs.size()) + " run(s) but none saved a checkpoint") +
                  ", so there are no trained weights to predict with (initial weights are not "
                  "used): train it first (tessel train " +
                  path + " --model '" + model->name + "' ..., or Train in the studio)");
  }
  cp = pickCheckpoint(project, run->id, kind);
  if (!cp)
    throw Error(path + ": run " + std::to_string(run->id) +
                " has no checkpoint (it ended before its first epoch), so there are no trained "
                "weights to predict with (initial weights are not used)");
  l.model = std::make_unique<Model>(ModelSpec::fromKerasJson(run->spec), 0);
  try {
    restoreCheckpointWeights(*l.model, *cp);
  } catch (const Error& e) {
    throw Error(path + ": run " + std::to_string(run->id) + ": " + e.what());
  }
  l.description = "project " + path + ", model '" + model->name + "', run " +
                  std::to_string(run->id) + " (" + cp->kind + " checkpoint, epoch " +
                  std::to_string(cp->epoch + 1) + ")";
  resolveDataSettings(l, *model, run);
  return l;
}

// The class folders of an image folder, as ImageFolder (and Keras) name the labels: every
// subfolder, sorted. Empty when the folder is gone.
std::vector<std::string> imageFolderClasses(const std::string& root) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return names;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory()) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& d : dirs) names.push_back(d.filename().string());
  return names;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// The image size of the model input (None, H, W, C), (None, H, W) or a square (None, H*W).
bool imageSizeOfInput(const Shape& in, int& h, int& w, int& c) {
  for (size_t d = 1; d < in.size(); ++d)
    if (in[d] <= 0) return false;
  if (in.size() == 4 && (in[3] == 1 || in[3] == 3)) {
    h = int(in[1]), w = int(in[2]), c = int(in[3]);
    return true;
  }
  if (in.size() == 3) {
    h = int(in[1]), w = int(in[2]), c = 1;
    return true;
  }
  if (in.size() == 2) {
    const auto side = Index(std::lround(std::sqrt(double(in[1]))));
    if (side * side != in[1]) return false;
    h = w = int(side), c = 1;
    return true;
  }
  return false;
}

// The preprocessing of the data settings, exactly as DatasetBuilder prepares the training x.
Preprocess preprocessFor(const Loaded& l) {
  Preprocess p;
  const Shape& in = l.model->inputShape(0);
  const bool modelIsImage = imageSizeOfInput(in, p.height, p.width, p.channels);
  if (!l.data) {  // a model file: the model's input size, pixel / 255
    if (!modelIsImage)
      throw Error("predict --image: the model's input " + shapeToString(in) +
                  " is not an image (None, H, W[, 1 or 3])");
    p.text = "pixel / 255";
    return p;
  }
  const DataSettings& d = *l.data;
  auto normalize = [&]() {
    if (d.normalization == "none") {
      p.scale = 1.0f, p.offset = 0.0f;
      p.text = "none (pixel values 0-255)";
    } else if (d.normalization == "rescale") {
      p.scale = float(d.rescale), p.offset = 0.0f;
      p.text = "rescale: pixel * " + number(d.rescale);
    } else if (d.normalization == "standardize_global") {
      double mean = d.mean, std = d.std;
      std::string how = "statistics of the data settings";
      if (mean == 0.0 && std == 1.0) {
        // The defaults: statistics never stored (the studio does not write them back). Fit
        // them on the training split as training did.
        try {
          BuiltData built = buildDataset(d);
          mean = built.settings.mean, std = built.settings.std;
        } catch (const Error& e) {
          throw Error(
              "predict --image: the data settings standardise with statistics that were not "
              "stored, and the training data cannot be loaded to fit them again: " +
              std::string(e.what()));
        }
        how = "statistics refitted on the training split";
      }
      // As DatasetBuilder's normalize(): float scale 1/std, offset -mean/std.
      p.scale = float(1.0 / std), p.offset = float(-mean / std);
      p.text =
          "standardize_global: (pixel - " + number(mean) + ") / " + number(std) + " (" + how + ")";
    } else {
      throw Error("predict --image: normalization '" + d.normalization +
                  "' is for CSV data, not images");
    }
  };
  if (d.kind == "fashion_mnist") {
    if (!fashionMnistAvailable())
      throw Error(std::string("predict --image: the model trained on Fashion-MNIST, whose "
                              "standardisation needs its training images: not found in ") +
                  kFashionMnistDir + " (install the Debian package dataset-fashion-mnist)");
    FashionMnist f = loadFashionMnistScaled(kFashionMnistDir, -1, 0);
    p.height = p.width = 28, p.channels = 1;
    p.scale = f.xTrain.scale, p.offset = f.xTrain.offset;
    p.text = "Fashion-MNIST standardisation: (pixel - " + number(f.scaler.mean().at(0)) + ") / " +
             number(f.scaler.scale().at(0));
    p.classNames.assign(kFashionMnistClassNames.begin(), kFashionMnistClassNames.end());
  } else if (d.kind == "fashion_mnist_localization") {
    const LocalizationOptions lo = LocalizationOptions::fromJson(d.options);
    p.height = p.width = lo.canvas, p.channels = 1;
    p.scale = 1.0f / 255.0f, p.offset = 0.0f;  // the generated set's x.scale
    p.text = "pixel / 255 (the localization set)";
    p.classNames.assign(kFashionMnistClassNames.begin(), kFashionMnistClassNames.end());
  } else if (d.kind == "image_folder") {
    p.height = d.options.value("height", 64);
    p.width = d.options.value("width", 64);
    p.channels = d.options.value("grayscale", false) ? 1 : 3;
    normalize();
    p.classNames = imageFolderClasses(d.trainFile.empty() ? d.path : d.trainFile);
  } else if (d.kind == "idx") {
    if (!modelIsImage)
      throw Error("predict --image: the model's input " + shapeToString(in) +
                  " is not an image (None, H, W[, 1 or 3])");
    normalize();
  } else {
    throw Error("predict --image: the model trains on " + d.kind + " data (" + l.dataSource +
                "), not on images");
  }
  return p;
}

// Draws a 2-pixel rectangle outline of a normalised box into an RGB image.
void drawBox(std::vector<std::uint8_t>& rgb, int h, int w, const float* box,
             const std::uint8_t color[3]) {
  for (int i = 0; i < 4; ++i)
    if (!std::isfinite(box[i])) return;
  auto at = [](float v, int size) {
    return std::clamp(int(std::clamp(v, -1.0f, 2.0f) * size), 0, size - 1);
  };
  const int y0 = at(std::min(box[0], box[2]), h), x0 = at(std::min(box[1], box[3]), w);
  const int y1 = at(std::max(box[0], box[2]), h), x1 = at(std::max(box[1], box[3]), w);
  auto put = [&](int y, int x) {
    if (y < 0 || y >= h || x < 0 || x >= w) return;
    for (int c = 0; c < 3; ++c) rgb[(size_t(y) * w + x) * 3 + c] = color[c];
  };
  for (int t = 0; t < 2; ++t) {
    for (int x = x0; x <= x1; ++x) put(y0 + t, x), put(y1 - t, x);
    for (int y = y0; y <= y1; ++y) put(y, x0 + t), put(y, x1 - t);
  }
}

}  // namespace

// Long by design: the command's steps in order (options, model, image, preprocessing, predict,
// print), each a few lines, read top to bottom like the --help text.
int cmdPredictImage(const Args& args) {
  applyThreads(args);
  const std::string image = args.value("--image");
  const int topK = int(args.intValue("--top", 5, 1, 1000));
  Loaded l = load(args);
  Model& model = *l.model;
  if (model.numInputs() != 1)
    throw Error("predict --image: the model has " + std::to_string(model.numInputs()) +
                " inputs; single-image prediction needs one image input");
  const Preprocess p = preprocessFor(l);
  if (!l.dataWarning.empty()) std::cerr << "tessel: warning: " << l.dataWarning << std::endl;
  // The decoded image (h, w, c) must fill the model input exactly (reshaped as fit() does).
  const Shape& in = model.inputShape(0);
  Index want = 1;
  for (size_t d = 1; d < in.size(); ++d) want = in[d] > 0 ? want * in[d] : -1;
  if (want != Index(p.height) * p.width * p.channels)
    throw Error("predict --image: the data's images are " + std::to_string(p.height) + "x" +
                std::to_string(p.width) + "x" + std::to_string(p.channels) + " (" + l.dataSource +
                ") but the model input is " + shapeToString(in));
  const DecodedImage img = decodeImageFile(image, p.channels, p.height, p.width);
  Tensor x(withBatch(in, 1));
  for (Index i = 0; i < x.size(); ++i) x[i] = float(img.pixels[size_t(i)]) * p.scale + p.offset;
  // The original size, for the log and the drawing.
  const DecodedImage full = decodeImageFile(image, 3);
  RunContext ctx;
  model.forward({&x}, /*training=*/false, ctx);
  std::printf("%s: %dx%d image; %s\n", image.c_str(), full.width, full.height,
              l.description.c_str());
  std::printf("  input: %dx%d, %d channel(s), %s; from %s\n", p.width, p.height, p.channels,
              p.text.c_str(), l.dataSource.c_str());
  auto className = [&](Index k, Index classes) {
    if (p.classNames.size() == size_t(classes)) return p.classNames[size_t(k)];
    if (!l.data && classes == 10) return std::string(kFashionMnistClassNames[size_t(k)]);
    return "class " + std::to_string(k);
  };
  std::vector<std::vector<float>> boxes;  // every box to draw
  for (size_t o = 0; o < model.numOutputs(); ++o) {
    const Tensor& y = model.output(o);
    const Shape& s = y.shape();
    const std::string& name = model.outputName(o);
    if (s.size() == 2 && s[1] == 4) {
      std::printf(
          "  %s: box [y_min, x_min, y_max, x_max] = [%.4f, %.4f, %.4f, %.4f] (pixels "
          "y %.1f-%.1f, x %.1f-%.1f)\n",
          name.c_str(), y[0], y[1], y[2], y[3], y[0] * full.height, y[2] * full.height,
          y[1] * full.width, y[3] * full.width);
      boxes.push_back({y[0], y[1], y[2], y[3]});
    } else if (s.size() == 3 && s[2] == 4) {
      // Many scored boxes: NMS with the scores of a (1, K) output, if the model has one.
      const Index k = s[1];
      const Tensor* scores = nullptr;
      for (size_t q = 0; q < model.numOutputs(); ++q)
        if (q != o && model.output(q).rank() == 2 && model.output(q).dim(1) == k)
          scores = &model.output(q);
      std::vector<Index> kept(static_cast<size_t>(k));
      std::iota(kept.begin(), kept.end(), 0);
      if (scores)
        kept = nonMaxSuppression(y.data(), scores->data(), k,
                                 args.intValue("--max-boxes", 10, 0, 1 << 20),
                                 float(args.doubleValue("--iou-threshold", 0.5, 0, 1)),
                                 float(args.doubleValue("--score-threshold", -1e30, -1e30, 1e30)));
      std::printf("  %s: %zu of %lld boxes%s\n", name.c_str(), kept.size(),
                  static_cast<long long>(k), scores ? " kept by non-max suppression" : "");
      for (Index i : kept) {
        const float* b = y.data() + 4 * i;
        std::printf("    #%lld [%.4f, %.4f, %.4f, %.4f]", static_cast<long long>(i), b[0], b[1],
                    b[2], b[3]);
        if (scores) std::printf(" score %.4f", (*scores)[i]);
        std::printf("\n");
        boxes.push_back({b[0], b[1], b[2], b[3]});
      }
    } else if (s.size() == 2 && s[1] > 1) {
      const Index classes = s[1];
      std::vector<Index> order(static_cast<size_t>(classes));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return y[a] > y[b]; });
      std::printf("  %s: top %d of %lld classes\n", name.c_str(),
                  int(std::min<Index>(topK, classes)), static_cast<long long>(classes));
      for (Index r = 0; r < std::min<Index>(topK, classes); ++r)
        std::printf("    %lld. %-12s %.4f\n", static_cast<long long>(r + 1),
                    className(order[size_t(r)], classes).c_str(), y[order[size_t(r)]]);
    } else {
      std::printf("  %s:", name.c_str());
      for (Index i = 0; i < std::min<Index>(y.size(), 16); ++i) std::printf(" %.4f", y[i]);
      std::printf("%s\n", y.size() > 16 ? " ..." : "");
    }
  }
  if (args.has("--draw")) {
    const std::string out = args.value("--draw");
    // The original image at its own size, RGB, with the boxes in orange.
    DecodedImage drawn = full;
    const std::uint8_t orange[3] = {255, 140, 0};
    for (const auto& b : boxes) drawBox(drawn.pixels, drawn.height, drawn.width, b.data(), orange);
    if (!stbi_write_png(out.c_str(), drawn.width, drawn.height, 3, drawn.pixels.data(),
                        drawn.width * 3))
      throw Error("cannot write '" + out + "'");
    std::printf("Wrote %s (%zu box(es) drawn)\n", out.c_str(), boxes.size());
  }
  return 0;
}

int cmdPredictAny(const Args& args) {
  return args.has("--image") ? cmdPredictImage(args) : cmdPredict(args);
}

}  // namespace tessel::app
