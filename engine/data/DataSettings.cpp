#include "engine/data/DataSettings.h"

#include <algorithm>
#include <cstdio>

#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"

namespace tessel {

using json = nlohmann::json;

namespace {

const std::vector<std::string> kKinds = {"fashion_mnist",
                                         "fashion_mnist_localization",
                                         "fashion_mnist_sequence",
                                         "idx",
                                         "csv",
                                         "image_folder",
                                         "npy",
                                         "tfrecord",
                                         "text"};
const std::vector<std::string> kNormalizations = {"none", "rescale", "standardize_global",
                                                  "standardize_per_feature"};

void oneOf(const std::string& what, const std::string& v, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw Error("data settings: unknown " + what + " '" + v + "' (known: " + list + ")");
}

}  // namespace

json DataSettings::baseJson() const {
  const auto& a = augmentation;
  return {{"kind", kind},
          {"path", path},
          {"options", options},
          {"annotations", {{"format", annotations}, {"path", annotationsPath}}},
          {"split",
           {{"fractions", fractions},
            {"seed", splitSeed},
            {"train_file", trainFile},
            {"validation_file", validationFile},
            {"test_file", testFile}}},
          {"normalization",
           {{"mode", normalization}, {"rescale", rescale}, {"mean", mean}, {"std", std}}},
          {"augmentation",
           {{"flip_horizontal", a.flipHorizontal},
            {"flip_vertical", a.flipVertical},
            {"rotation", a.rotation},
            {"zoom", a.zoom},
            {"translate", a.translate},
            {"contrast", a.contrast},
            {"brightness", a.brightness},
            {"seed", a.seed}}}};
}

json DataSettings::toJson() const {
  json j = baseJson();
  if (!pipeline.isDefault()) {
    const auto& p = pipeline;
    j["pipeline"] = {{"cycle_length", p.cycleLength},
                     {"skip", p.skip},
                     {"take", p.take},
                     {"cache", p.cache},
                     {"shuffle_buffer", p.shuffleBuffer},
                     {"batch", p.batch},
                     {"prefetch", p.prefetch}};
  }
  return j;
}

DataSettings DataSettings::fromJson(const json& j) {
  DataSettings d;
  try {
    if (!j.is_object()) throw Error("data settings: expected a JSON object");
    d.kind = j.value("kind", d.kind);
    d.path = j.value("path", d.path);
    if (j.contains("options")) d.options = j["options"];
    if (j.contains("annotations")) {
      d.annotations = j["annotations"].value("format", "");
      d.annotationsPath = j["annotations"].value("path", "");
    }
    if (j.contains("split")) {
      const auto& s = j["split"];
      if (s.contains("fractions")) d.fractions = s["fractions"].get<std::vector<double>>();
      d.splitSeed = s.value("seed", d.splitSeed);
      d.trainFile = s.value("train_file", "");
      d.validationFile = s.value("validation_file", "");
      d.testFile = s.value("test_file", "");
    }
    if (j.contains("normalization")) {
      d.normalization = j["normalization"].value("mode", d.normalization);
      d.rescale = j["normalization"].value("rescale", d.rescale);
      d.mean = j["normalization"].value("mean", d.mean);
      d.std = j["normalization"].value("std", d.std);
    }
    if (j.contains("augmentation")) {
      const auto& a = j["augmentation"];
      auto& o = d.augmentation;
      o.flipHorizontal = a.value("flip_horizontal", false);
      o.flipVertical = a.value("flip_vertical", false);
      o.rotation = a.value("rotation", 0.0);
      o.zoom = a.value("zoom", 0.0);
      o.translate = a.value("translate", 0.0);
      o.contrast = a.value("contrast", 0.0);
      o.brightness = a.value("brightness", 0.0);
      o.seed = a.value("seed", std::uint64_t(0));
    }
    if (j.contains("pipeline")) {
      const auto& p = j["pipeline"];
      auto& o = d.pipeline;
      o.cycleLength = p.value("cycle_length", 0);
      o.skip = p.value("skip", std::int64_t(0));
      o.take = p.value("take", std::int64_t(-1));
      o.cache = p.value("cache", std::string());
      o.shuffleBuffer = p.value("shuffle_buffer", std::int64_t(0));
      o.batch = p.value("batch", 0);
      o.prefetch = p.value("prefetch", 0);
    }
  } catch (const json::exception& e) {
    throw Error(std::string("data settings: malformed JSON (") + e.what() + ")");
  }
  {
    const auto& p = d.pipeline;
    if (p.cycleLength < 0 || p.skip < 0 || p.take < -1 || p.shuffleBuffer < 0 || p.batch < 0 ||
        p.prefetch < 0)
      throw Error(
          "data settings: pipeline cycle_length, skip, shuffle_buffer, batch and prefetch must be "
          ">= 0 and take >= -1 (-1: all)");
  }
  oneOf("kind", d.kind, kKinds);
  oneOf("normalization", d.normalization, kNormalizations);
  if (!d.annotations.empty()) oneOf("annotations format", d.annotations, {"csv", "voc"});
  if (d.fractions.size() != 3)
    throw Error("data settings: split fractions must be {train, validation, test}");
  double sum = 0;
  for (double f : d.fractions) {
    if (!(f >= 0 && f <= 1)) throw Error("data settings: split fractions must be in [0, 1]");
    sum += f;
  }
  // Given files replace the fractions (they are kept but unused).
  if (sum > 1 + 1e-9 && d.trainFile.empty())
    throw Error("data settings: split fractions sum to more than 1");
  if (!(d.std > 0)) throw Error("data settings: normalization std must be > 0");
  const auto& a = d.augmentation;
  for (double v : {a.rotation, a.zoom, a.translate, a.contrast, a.brightness})
    if (!(v >= 0 && v <= 1)) throw Error("data settings: augmentation factors must be in [0, 1]");
  return d;
}

std::string DataSettings::hash() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(fnv1a64(toJson().dump())));
  return buf;
}

}  // namespace tessel
