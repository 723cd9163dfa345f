#include "engine/data/DatasetBuilder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/data/BoxAnnotations.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/FashionLocalization.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/IdxPair.h"
#include "engine/data/ImageFolder.h"
#include "engine/data/Split.h"

namespace tessel {

namespace {

constexpr Index kDefaultLocalizationCount = 10000;
constexpr Index kDefaultLocalizationValid = 1000;
constexpr Index kDefaultImageFolderRows = 20000;

void requireFashionMnist() {
  if (!fashionMnistAvailable())
    throw Error(std::string("Fashion-MNIST not found in ") + kFashionMnistDir +
                " (install the Debian package dataset-fashion-mnist)");
}

Array limitRows(const Array& a, Index limit) {
  if (limit < 0 || a.rows() <= limit) return a;
  return a.rowsRange(0, limit);
}

void limitDataset(Dataset& d, Index limit) {
  for (Array& a : d.x) a = limitRows(a, limit);
  for (Array& a : d.y) a = limitRows(a, limit);
}

// Splits x and ys by the settings' fractions: train + validation (none when empty).
void splitInto(BuiltData& out, const Array& x, const std::vector<Array>& ys,
               const DataSettings& s) {
  std::vector<Array> arrays{x};
  arrays.insert(arrays.end(), ys.begin(), ys.end());
  ArraySplit parts = trainValidTest(arrays, s.fractions, s.splitSeed);
  if (parts.train.empty() || parts.train[0].rows() == 0)
    throw Error("the training split is empty (fractions and data size)");
  out.train.x = {parts.train[0]};
  out.train.y.assign(parts.train.begin() + 1, parts.train.end());
  if (!parts.valid.empty() && parts.valid[0].rows() > 0) {
    Dataset v;
    v.x = {parts.valid[0]};
    v.y.assign(parts.valid.begin() + 1, parts.valid.end());
    out.validation = std::move(v);
  }
}

// Applies settings.normalization to every x (train and validation) as its affine map.
void normalize(BuiltData& out) {
  DataSettings& s = out.settings;
  auto apply = [&](float scale, float offset) {
    auto set = [&](Array& a) {
      a.offset = a.offset * scale + offset;
      a.scale *= scale;
    };
    for (Array& a : out.train.x) set(a);
    if (out.validation)
      for (Array& a : out.validation->x) set(a);
  };
  if (s.normalization == "none") return;
  if (s.normalization == "rescale") {
    apply(static_cast<float>(s.rescale), 0.0f);
  } else if (s.normalization == "standardize_global") {
    const Array& x = out.train.x.at(0);
    const Index n = x.size();
    double sum = 0, sq = 0;
    for (Index i = 0; i < n; ++i) {
      const double v = x.value(i);
      sum += v;
      sq += v * v;
    }
    const double mean = n ? sum / double(n) : 0.0;
    double var = n ? sq / double(n) - mean * mean : 0.0;
    double std = var > 0 ? std::sqrt(var) : 1.0;
    if (std < 1e-12) std = 1.0;
    s.mean = mean;
    s.std = std;
    apply(static_cast<float>(1.0 / std), static_cast<float>(-mean / std));
  } else {
    throw Error("normalization '" + s.normalization + "' is only available for CSV data");
  }
}

void buildFashionMnist(BuiltData& out, const BuildOptions& o) {
  requireFashionMnist();
  FashionMnist f = loadFashionMnistScaled(kFashionMnistDir, o.trainLimit, 0);
  out.train.x = {f.xTrain};
  out.train.y = {f.yTrain};
  out.validation = Dataset{{f.xValid}, {f.yValid}, {}};
  out.classNames.assign(kFashionMnistClassNames.begin(), kFashionMnistClassNames.end());
}

void buildLocalization(BuiltData& out, const BuildOptions& o) {
  requireFashionMnist();
  const nlohmann::json& j = out.settings.options;
  LocalizationOptions lo = LocalizationOptions::fromJson(j);
  if (!j.contains("count")) lo.count = kDefaultLocalizationCount;
  if (!j.contains("seed")) lo.seed = 1;
  if (o.trainLimit >= 0) lo.count = std::min(lo.count, std::max<Index>(o.trainLimit, 1));
  Index validCount = j.value("validation_count", kDefaultLocalizationValid);
  if (o.trainLimit >= 0) validCount = std::min(validCount, std::max<Index>(o.trainLimit, 1));
  // Only the source images the items use are read.
  FashionMnist f = loadFashionMnist(kFashionMnistDir, std::min<Index>(lo.count, 55000), 0);
  LocalizationSet train = generateFashionLocalization(f.xTrain, f.yTrain, lo);
  out.train = Dataset{{train.x}, {train.yClass, train.yBox}, {}};
  if (validCount > 0) {
    LocalizationOptions vo = lo;
    vo.count = validCount;
    vo.seed = lo.seed + 1;
    LocalizationSet valid = generateFashionLocalization(f.xValid, f.yValid, vo);
    out.validation = Dataset{{valid.x}, {valid.yClass, valid.yBox}, {}};
  }
  out.classNames.assign(kFashionMnistClassNames.begin(), kFashionMnistClassNames.end());
}

void buildIdx(BuiltData& out, const BuildOptions& o) {
  const DataSettings& s = out.settings;
  std::vector<IdxPair> pairs = findIdxPairs(s.path);
  const IdxPair* pick = nullptr;
  for (const IdxPair& p : pairs)
    if (p.name == "train" && !p.labels.empty()) pick = &p;
  for (const IdxPair& p : pairs)
    if (!pick && !p.labels.empty()) pick = &p;
  if (!pick) throw Error(s.path + ": no IDX image file with a matching label file");
  IdxData d = loadIdxPair(*pick, -1);
  splitInto(out, d.x, {d.y}, s);
  limitDataset(out.train, o.trainLimit);
  normalize(out);
}

void buildCsv(BuiltData& out, const BuildOptions& o) {
  const DataSettings& s = out.settings;
  CsvSpec spec = CsvSpec::fromJson(s.options);
  spec.fractions = s.fractions;
  spec.seed = s.splitSeed;
  CsvImport imp = importCsv(s.path, spec);
  if (imp.x.rows() == 0) throw Error(s.path + ": no rows were imported");
  if (imp.y.rank() != 2 || imp.y.shape()[1] == 0)
    throw Error(s.path + ": no label column (give one column the role 'label')");
  auto part = [&](const std::vector<Index>& rows) {
    Dataset d;
    d.x = {imp.x.takeRows(rows)};
    Array y = imp.y.takeRows(rows);
    const Index labels = y.shape()[1];
    Tensor t = y.toTensor();
    for (Index l = 0; l < labels; ++l) {
      std::vector<double> v(static_cast<size_t>(y.rows()));
      for (Index r = 0; r < y.rows(); ++r) v[size_t(r)] = t.data()[r * labels + l];
      d.y.push_back(Array::fromValues(DType::Float32, {y.rows()}, v));
    }
    return d;
  };
  if (imp.trainRows.empty()) throw Error(s.path + ": the training split is empty");
  out.train = part(imp.trainRows);
  if (!imp.validRows.empty()) out.validation = part(imp.validRows);
  if (!imp.labelVocabularies.empty()) out.classNames = imp.labelVocabularies.front();
  limitDataset(out.train, o.trainLimit);
}

std::string baseName(const std::string& p) {
  return std::filesystem::path(p).filename().string();
}

void buildImageFolder(BuiltData& out, const BuildOptions& o) {
  const DataSettings& s = out.settings;
  const nlohmann::json& j = s.options;
  ImageFolderOptions io;
  io.height = j.value("height", 64);
  io.width = j.value("width", 64);
  io.grayscale = j.value("grayscale", false);
  if (io.height <= 0 || io.width <= 0) throw Error(s.path + ": image size must be positive");
  io.cacheBytes = 0;  // every image is gathered once into the arrays below
  ImageFolder folder(s.path, io);
  Index maxRows = j.value("max_rows", kDefaultImageFolderRows);
  if (o.trainLimit >= 0) maxRows = std::min(maxRows, o.trainLimit);
  std::vector<Index> rows(static_cast<size_t>(folder.size()));
  for (Index i = 0; i < folder.size(); ++i) rows[size_t(i)] = i;
  if (maxRows >= 0 && folder.size() > maxRows) {
    Rng rng(s.splitSeed);
    rows = shuffledIndices(folder.size(), rng);
    rows.resize(static_cast<size_t>(maxRows));
    std::sort(rows.begin(), rows.end());
  }
  const Index n = static_cast<Index>(rows.size());
  Shape shape{n};
  for (Index d : folder.imageShape()) shape.push_back(d);
  Array x(DType::UInt8, shape);
  std::vector<double> labels(size_t(n), 0.0);
  const size_t bytes = folder.imageBytes();
  for (Index r = 0; r < n; ++r) {
    auto px = folder.image(rows[size_t(r)]);
    std::memcpy(x.bytes() + size_t(r) * bytes, px->data(), bytes);
    labels[size_t(r)] = folder.label(rows[size_t(r)]);
  }
  std::vector<Array> ys{Array::fromValues(DType::Int32, {n}, labels)};
  if (!s.annotations.empty()) {
    std::vector<ImageAnnotations> ann;
    if (s.annotations == "csv")
      ann = readBoxCsv(s.annotationsPath);
    else if (s.annotations == "voc")
      ann = std::filesystem::is_directory(s.annotationsPath)
                ? readVocFolder(s.annotationsPath)
                : std::vector<ImageAnnotations>{readVocXml(s.annotationsPath)};
    else
      throw Error("unknown annotations kind '" + s.annotations + "' (csv or voc)");
    std::map<std::string, const ImageAnnotations*> byName;
    for (const ImageAnnotations& a : ann) {
      byName[a.filename] = &a;
      byName.emplace(baseName(a.filename), &a);
    }
    std::vector<double> box(size_t(n) * 4);
    for (Index r = 0; r < n; ++r) {
      const std::string& file = folder.path(rows[size_t(r)]);
      const std::string rel = std::filesystem::relative(file, s.path).string();
      auto it = byName.find(rel);
      if (it == byName.end()) it = byName.find(baseName(file));
      if (it == byName.end() || it->second->boxes.empty())
        throw Error(s.annotationsPath + ": no box for image " + rel);
      const BoxAnnotation& b = it->second->boxes.front();
      double* dst = box.data() + size_t(r) * 4;
      dst[0] = b.yMin, dst[1] = b.xMin, dst[2] = b.yMax, dst[3] = b.xMax;
    }
    ys.push_back(Array::fromValues(DType::Float32, {n, 4}, box));
  }
  splitInto(out, x, ys, s);
  out.classNames = folder.classNames();
  normalize(out);
}

std::string datasetText(const Dataset& d) {
  auto list = [](const std::vector<Array>& v) {
    if (v.size() == 1) return arrayShapeText(v[0]);
    std::string t = "[";
    for (size_t i = 0; i < v.size(); ++i) t += (i ? ", " : "") + arrayShapeText(v[i]);
    return t + "]";
  };
  return "x " + list(d.x) + ", y " + list(d.y);
}

}  // namespace

std::string arrayShapeText(const Array& a) {
  std::string t = "(";
  for (size_t i = 0; i < a.shape().size(); ++i) t += (i ? ", " : "") + std::to_string(a.shape()[i]);
  if (a.shape().size() == 1) t += ",";
  return t + ")";
}

std::string BuiltData::describe() const {
  std::string t = "train " + datasetText(train);
  t += validation ? "; validation " + datasetText(*validation) : "; no validation data";
  return t;
}

BuiltData buildDataset(const DataSettings& settings, const BuildOptions& options) {
  BuiltData out;
  out.settings = settings;
  const std::string& k = settings.kind;
  const bool needsPath = k == "idx" || k == "csv" || k == "image_folder";
  if (needsPath && settings.path.empty()) throw Error(k + " data: no file or folder chosen");
  if (k == "fashion_mnist")
    buildFashionMnist(out, options);
  else if (k == "fashion_mnist_localization")
    buildLocalization(out, options);
  else if (k == "idx")
    buildIdx(out, options);
  else if (k == "csv")
    buildCsv(out, options);
  else if (k == "image_folder")
    buildImageFolder(out, options);
  else
    throw Error("data kind '" + k + "' cannot be imported in the studio yet");
  return out;
}

DataSettings defaultDataSettings(const ModelSpec& spec) {
  DataSettings s;
  s.kind = "fashion_mnist";
  if (spec.inputs.size() == 1 && spec.outputs.size() == 2) {
    ShapeReport report = inferShapes(spec);
    const NodeShapes* in = report.ok() ? report.find(spec.inputs[0]) : nullptr;
    if (in && in->output && *in->output == Shape{kNone, 64, 64, 1})
      s.kind = "fashion_mnist_localization";
  }
  return s;
}

void fitDatasetToModel(Dataset& data, const ModelSpec& spec) {
  if (data.x.size() != spec.inputs.size())
    throw Error("the data has " + std::to_string(data.x.size()) + " input array(s) but the model " +
                std::to_string(spec.inputs.size()) + " input(s)");
  if (data.y.size() != spec.outputs.size())
    throw Error("the data has " + std::to_string(data.y.size()) +
                " target array(s) but the model " + std::to_string(spec.outputs.size()) +
                " output(s)");
  ShapeReport report = inferShapes(spec);
  if (!report.ok())
    throw Error("the graph is not valid: " + std::string(report.errors.front().what()));
  for (size_t i = 0; i < data.x.size(); ++i) {
    const NodeShapes* in = report.find(spec.inputs[i]);
    if (!in || !in->output) throw Error("the model input '" + spec.inputs[i] + "' has no shape");
    const Shape& want = *in->output;
    Shape target{data.x[i].rows()};
    Index size = 1;
    for (size_t d = 1; d < want.size(); ++d) {
      if (want[d] == kNone)
        throw Error("the model input '" + spec.inputs[i] + "' has an unknown dimension " +
                    shapeToString(want));
      target.push_back(want[d]);
      size *= want[d];
    }
    if (size != data.x[i].rowSize())
      throw Error("the data's samples are " + arrayShapeText(data.x[i]) + " but the model input '" +
                  spec.inputs[i] + "' is " + shapeToString(want));
    if (target != data.x[i].shape()) data.x[i] = data.x[i].reshaped(target);
  }
}

}  // namespace tessel
