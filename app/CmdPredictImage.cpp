#include "app/CmdPredictImage.h"

#include <stb_image_write.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <optional>

#include "app/Cli.h"
#include "app/CliSupport.h"
#include "engine/core/Error.h"
#include "engine/data/Boxes.h"
#include "engine/data/DataSettings.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/ImageDecode.h"
#include "engine/io/TfjsModel.h"
#include "engine/store/Project.h"
#include "engine/store/RunRecorder.h"
#include "engine/train/Trainer.h"

namespace tessel::app {

namespace {

using json = nlohmann::json;

struct Loaded {
  std::unique_ptr<Model> model;
  DataSettings data;
  bool hasDataSettings = false;
  bool trained = false;
  std::string description;
};

// The model of MODEL.json (its weights), or of a PROJECT: --model NAME (default the first) with
// the weights of its latest run that has a checkpoint (or --run RUN; --checkpoint best|last).
Loaded load(const Args& args) {
  const std::string path = args.positional()[0];
  const std::string kind = args.value("--checkpoint", "best");
  if (kind != "best" && kind != "last")
    throw UsageError("predict: --checkpoint must be best or last, got '" + kind + "'");
  Loaded l;
  if (!isProjectPath(path)) {
    LoadedModel m = loadModel(path, 0);
    l.model = std::move(m.model);
    l.trained = m.hasWeights;
    l.description = path;
    return l;
  }
  Project project = Project::open(path, /*readOnly=*/true);
  std::optional<ModelRecord> model;
  std::optional<RunRecord> run;
  if (args.has("--run")) {
    run = project.run(args.intValue("--run", 0, 1, 1LL << 62));
    if (!run) throw Error(path + ": no run " + args.value("--run"));
    model = project.model(run->modelId);
  } else {
    if (args.has("--model")) {
      model = project.model(args.value("--model"));
      if (!model) throw Error(path + ": no model named '" + args.value("--model") + "'");
    } else {
      auto all = project.models();
      if (all.empty()) throw Error(path + ": the project has no model");
      model = all.front();
    }
    auto runs = project.runs(model->id);
    for (auto it = runs.rbegin(); it != runs.rend() && !run; ++it)
      if (project.checkpoint(it->id, "best") || project.checkpoint(it->id, "last")) run = *it;
  }
  json spec = run ? run->spec : model->spec;
  l.model = std::make_unique<Model>(ModelSpec::fromKerasJson(spec), 0);
  l.description = path + ", model '" + (model ? model->name : std::string("?")) + "'";
  json data = model ? model->dataSettings : json();
  if (run && run->settings.contains("data") && run->settings["data"].is_object())
    data = run->settings["data"];
  if (data.is_object() && !data.empty()) {
    try {
      l.data = DataSettings::fromJson(data);
      l.hasDataSettings = true;
    } catch (const Error&) {
      // Settings written by another version: fall back to the default preprocessing.
    }
  }
  if (run) {
    auto cp = project.checkpoint(run->id, kind);
    if (!cp) cp = project.checkpoint(run->id, kind == "best" ? "last" : "best");
    if (cp) {
      json tc = run->settings.value("compile", json::object()).value("training_config", json());
      CompileOptions compile;
      compile.losses = {"mse"};
      if (!tc.is_null()) compile = CompileOptions::fromTrainingConfig(tc);
      Trainer trainer(*l.model, compile);
      restoreCheckpoint(trainer, *cp);
      l.trained = true;
      l.description += ", run " + std::to_string(run->id) + " (" + cp->kind +
                       " checkpoint, epoch " + std::to_string(cp->epoch + 1) + ")";
    }
  }
  return l;
}

// Draws a 2-pixel rectangle outline of a normalised box into an RGB image.
void drawBox(std::vector<std::uint8_t>& rgb, int h, int w, const float* box,
             const std::uint8_t color[3]) {
  const int y0 = std::clamp(int(std::min(box[0], box[2]) * h), 0, h - 1);
  const int x0 = std::clamp(int(std::min(box[1], box[3]) * w), 0, w - 1);
  const int y1 = std::clamp(int(std::max(box[0], box[2]) * h), 0, h - 1);
  const int x1 = std::clamp(int(std::max(box[1], box[3]) * w), 0, w - 1);
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

int cmdPredictImage(const Args& args) {
  applyThreads(args);
  const std::string image = args.value("--image");
  const int topK = int(args.intValue("--top", 5, 1, 1000));
  Loaded l = load(args);
  Model& model = *l.model;
  if (!l.trained)
    std::cerr << "tessel: warning: " << l.description
              << " has no trained weights; predicting with a freshly initialised model"
              << std::endl;
  if (model.numInputs() != 1)
    throw Error("predict --image: the model has " + std::to_string(model.numInputs()) +
                " inputs; single-image prediction needs one image input");
  const Shape in = model.inputShape(0);  // (None, H, W, C)
  if (in.size() != 4 || in[1] <= 0 || in[2] <= 0 || (in[3] != 1 && in[3] != 3))
    throw Error("predict --image: the model's input " + shapeToString(in) +
                " is not an image (None, H, W, 1 or 3)");
  const int h = int(in[1]), w = int(in[2]), c = int(in[3]);
  const DecodedImage img = decodeImageFile(image, c, h, w);
  Tensor x({1, h, w, c});
  const DataSettings& d = l.data;
  for (Index i = 0; i < x.size(); ++i) {
    const double v = img.pixels[size_t(i)];
    double z = v / 255.0;  // the default: Rescaling(1/255), as the localization example trains
    if (l.hasDataSettings) {
      if (d.normalization == "none")
        z = v;
      else if (d.normalization == "rescale")
        z = v * d.rescale;
      else if (d.normalization == "standardize_global")
        z = (v - d.mean) / d.std;
    }
    x[i] = float(z);
  }
  RunContext ctx;
  model.forward({&x}, /*training=*/false, ctx);
  std::printf("%s: %dx%d, %d channel(s), model %s\n", image.c_str(), img.width, img.height, c,
              l.description.c_str());
  const bool fashion = l.hasDataSettings && d.kind.rfind("fashion_mnist", 0) == 0;
  auto className = [&](Index k, Index classes) {
    if ((fashion || !l.hasDataSettings) && classes == 10)
      return std::string(kFashionMnistClassNames[size_t(k)]);
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
          name.c_str(), y[0], y[1], y[2], y[3], y[0] * img.height, y[2] * img.height,
          y[1] * img.width, y[3] * img.width);
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
    DecodedImage full = decodeImageFile(image, 3);
    const std::uint8_t orange[3] = {255, 140, 0};
    for (const auto& b : boxes) drawBox(full.pixels, full.height, full.width, b.data(), orange);
    if (!stbi_write_png(out.c_str(), full.width, full.height, 3, full.pixels.data(),
                        full.width * 3))
      throw Error("cannot write '" + out + "'");
    std::printf("Wrote %s (%zu box(es) drawn)\n", out.c_str(), boxes.size());
  }
  return 0;
}

int cmdPredictAny(const Args& args) {
  return args.has("--image") ? cmdPredictImage(args) : cmdPredict(args);
}

}  // namespace tessel::app
