#include "engine/data/SourceBuilders.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/BoxAnnotations.h"
#include "engine/data/DatasetBuildSteps.h"
#include "engine/data/ImageFolder.h"
#include "engine/data/Split.h"

namespace tessel::databuild {

namespace {

constexpr double kDefaultImageCacheMb = 256;
std::string baseName(const std::string& p) {
  return std::filesystem::path(p).filename().string();
}

using BoxList = std::vector<std::array<float, 4>>;

std::vector<ImageAnnotations> readAnnotations(const DataSettings& s) {
  if (s.annotations == "csv") return readBoxCsv(s.annotationsPath);
  if (s.annotations == "voc")
    return std::filesystem::is_directory(s.annotationsPath)
               ? readVocFolder(s.annotationsPath)
               : std::vector<ImageAnnotations>{readVocXml(s.annotationsPath)};
  throw Error("unknown annotations kind '" + s.annotations + "' (csv or voc)");
}

// One image folder's part of the data: lazy x, class ids, boxes.
struct FolderPart {
  Array x;                     // lazy uint8 (n, height, width, channels)
  Array y;                     // (n,) int32 class ids (of the training folder's classes)
  std::optional<Array> box;    // (n, 4) the box target of each image (with annotations)
  std::vector<BoxList> boxes;  // every box of each image (with annotations)
};

// Reads root as an image folder (rows: `rows` of its images, all when empty). With trainClasses
// the folder's classes must be among them and the labels are their positions there.
FolderPart readFolderPart(const std::string& root, const ImageFolderOptions& io,
                          const DataSettings& s, const std::vector<ImageAnnotations>* ann,
                          bool largest, Index maxRows, std::vector<std::string>& classes,
                          bool training) {
  auto folder = std::make_shared<ImageFolder>(root, io);
  std::vector<int> labelMap(folder->classNames().size());
  if (training) {
    classes = folder->classNames();
    for (size_t i = 0; i < labelMap.size(); ++i) labelMap[i] = int(i);
  } else {
    for (size_t i = 0; i < labelMap.size(); ++i) {
      const std::string& c = folder->classNames()[i];
      auto it = std::find(classes.begin(), classes.end(), c);
      if (it == classes.end())
        throw Error(root + ": class folder '" + c + "' is not in the training folder " +
                    s.trainFile + " (classes: " + joined(classes) + ")");
      labelMap[i] = int(it - classes.begin());
    }
  }
  std::vector<Index> rows = allRows(folder->size());
  if (maxRows >= 0 && folder->size() > maxRows) {
    Rng rng(s.splitSeed);
    rows = shuffledIndices(folder->size(), rng);
    rows.resize(static_cast<size_t>(maxRows));
    std::sort(rows.begin(), rows.end());
  }
  const Index n = static_cast<Index>(rows.size());
  FolderPart part;
  part.x = ImageFolder::lazyImages(folder);
  if (n != folder->size()) part.x = part.x.takeRows(rows);
  std::vector<double> labels(size_t(n), 0.0);
  for (Index r = 0; r < n; ++r)
    labels[size_t(r)] = labelMap[size_t(folder->label(rows[size_t(r)]))];
  part.y = Array::fromValues(DType::Int32, {n}, labels);
  if (ann) {
    std::map<std::string, const ImageAnnotations*> byName;
    for (const ImageAnnotations& a : *ann) {
      byName[a.filename] = &a;
      byName.emplace(baseName(a.filename), &a);
    }
    std::vector<double> box(size_t(n) * 4);
    part.boxes.resize(size_t(n));
    for (Index r = 0; r < n; ++r) {
      const std::string& file = folder->path(rows[size_t(r)]);
      const std::string rel = std::filesystem::relative(file, root).string();
      auto it = byName.find(rel);
      if (it == byName.end()) it = byName.find(baseName(file));
      if (it == byName.end() || it->second->boxes.empty())
        throw Error(s.annotationsPath + ": no box for image " + rel);
      const std::vector<BoxAnnotation>& all = it->second->boxes;
      size_t pick = 0;
      auto area = [](const BoxAnnotation& b) {
        return double(b.yMax - b.yMin) * double(b.xMax - b.xMin);
      };
      if (largest)
        for (size_t k = 1; k < all.size(); ++k)
          if (area(all[k]) > area(all[pick])) pick = k;  // ties keep the first
      const BoxAnnotation& b = all[pick];
      double* dst = box.data() + size_t(r) * 4;
      dst[0] = b.yMin, dst[1] = b.xMin, dst[2] = b.yMax, dst[3] = b.xMax;
      for (const BoxAnnotation& a : all)
        part.boxes[size_t(r)].push_back({a.yMin, a.xMin, a.yMax, a.xMax});
    }
    part.box = Array::fromValues(DType::Float32, {n, 4}, box);
  }
  return part;
}

}  // namespace

void buildImageFolder(BuiltData& out, const BuildOptions& o) {
  const DataSettings& s = out.settings;
  const nlohmann::json& j = s.options;
  const std::string& trainRoot = givenFiles(s) ? s.trainFile : s.path;
  ImageFolderOptions io;
  io.height = j.value("height", 64);
  io.width = j.value("width", 64);
  io.grayscale = j.value("grayscale", false);
  if (io.height <= 0 || io.width <= 0) throw Error(trainRoot + ": image size must be positive");
  const double cacheMb = j.value("cache_mb", kDefaultImageCacheMb);
  if (!(cacheMb >= 0)) throw Error(trainRoot + ": cache_mb must be >= 0");
  io.cacheBytes = static_cast<std::size_t>(cacheMb * 1048576.0);
  const Index maxRows =
      j.contains("max_rows") && !j["max_rows"].is_null() ? j["max_rows"].get<Index>() : Index(-1);
  const std::string target = j.value("box_target", std::string("first"));
  if (target != "first" && target != "largest")
    throw Error("box_target must be 'first' or 'largest', got '" + target + "'");
  std::optional<std::vector<ImageAnnotations>> ann;
  if (!s.annotations.empty()) ann = readAnnotations(s);
  const std::vector<ImageAnnotations>* a = ann ? &*ann : nullptr;
  std::vector<std::string> classes;
  FolderPart train =
      readFolderPart(trainRoot, io, s, a, target == "largest", maxRows, classes, true);
  out.classNames = classes;
  auto ysOf = [](const FolderPart& p) {
    std::vector<Array> ys{p.y};
    if (p.box) ys.push_back(*p.box);
    return ys;
  };
  if (!givenFiles(s)) {
    SplitRows rows = splitInto(out, train.x, ysOf(train), s);
    if (a)
      for (Index r : rows.valid) out.validationBoxes.push_back(train.boxes[size_t(r)]);
  } else {
    out.train.x = {train.x};
    out.train.y = ysOf(train);
    auto other = [&](const std::string& root, bool validation) {
      FolderPart p = readFolderPart(root, io, s, a, target == "largest", -1, classes, false);
      Dataset d;
      d.x = {p.x};
      d.y = ysOf(p);
      if (validation) out.validationBoxes = std::move(p.boxes);
      return d;
    };
    if (!s.validationFile.empty()) out.validation = other(s.validationFile, true);
    if (!s.testFile.empty()) out.test = other(s.testFile, false);
  }
  limitDataset(out.train, o.trainLimit);
  normalize(out);
}

}  // namespace tessel::databuild
