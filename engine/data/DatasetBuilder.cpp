#include "engine/data/DatasetBuilder.h"

#include <algorithm>
#include <array>
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
#include "engine/train/BatchAugmenter.h"

namespace tessel {

namespace {

constexpr Index kDefaultLocalizationCount = 10000;
constexpr Index kDefaultLocalizationValid = 1000;
constexpr double kDefaultImageCacheMb = 256;

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

bool givenFiles(const DataSettings& s) {
  return !s.trainFile.empty();
}

// The rows (of the arrays given to splitInto) that went into each part.
struct SplitRows {
  std::vector<Index> train, valid, test;
};

// Splits x and ys by the settings' fractions into out.train, out.validation and out.test (none
// when empty). A lazy x gives lazy views (nothing is decoded).
SplitRows splitInto(BuiltData& out, const Array& x, const std::vector<Array>& ys,
                    const DataSettings& s) {
  const Index n = x.rows();
  std::vector<double> ids(static_cast<size_t>(n));
  for (Index i = 0; i < n; ++i) ids[size_t(i)] = double(i);
  std::vector<Array> arrays{x};
  arrays.insert(arrays.end(), ys.begin(), ys.end());
  arrays.push_back(Array::fromValues(DType::Int64, {n}, ids));
  ArraySplit parts = trainValidTest(arrays, s.fractions, s.splitSeed);
  if (parts.train.empty() || parts.train[0].rows() == 0)
    throw Error("the training split is empty (fractions and data size)");
  auto dataset = [](const std::vector<Array>& p) {
    Dataset d;
    d.x = {p.front()};
    d.y.assign(p.begin() + 1, p.end() - 1);
    return d;
  };
  auto rowsOf = [](const std::vector<Array>& p) {
    const auto* d = p.back().dataAs<std::int64_t>();
    return std::vector<Index>(d, d + p.back().rows());
  };
  SplitRows rows;
  out.train = dataset(parts.train);
  rows.train = rowsOf(parts.train);
  if (!parts.valid.empty() && parts.valid[0].rows() > 0) {
    out.validation = dataset(parts.valid);
    rows.valid = rowsOf(parts.valid);
  }
  if (!parts.test.empty() && parts.test[0].rows() > 0) {
    out.test = dataset(parts.test);
    rows.test = rowsOf(parts.test);
  }
  return rows;
}

// Mean and population std of every value of x (affine map applied), streamed over the rows in
// chunks with gather (a lazy x is never loaded whole). Summed in flat order in double.
void globalStatistics(const Array& x, double& mean, double& std) {
  constexpr Index kChunk = 256;
  double sum = 0, sq = 0;
  Tensor chunk;
  std::vector<Index> idx;
  for (Index r = 0; r < x.rows(); r += kChunk) {
    const Index m = std::min(kChunk, x.rows() - r);
    idx.resize(size_t(m));
    for (Index i = 0; i < m; ++i) idx[size_t(i)] = r + i;
    x.gather(idx.data(), m, chunk);
    const float* v = chunk.data();
    for (Index i = 0; i < chunk.size(); ++i) {
      const double d = v[i];
      sum += d;
      sq += d * d;
    }
  }
  const Index n = x.size();
  mean = n ? sum / double(n) : 0.0;
  const double var = n ? sq / double(n) - mean * mean : 0.0;
  std = var > 0 ? std::sqrt(var) : 1.0;
  if (std < 1e-12) std = 1.0;
}

// Applies settings.normalization to every x (train, validation, test) as its affine map.
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
    if (out.test)
      for (Array& a : out.test->x) set(a);
  };
  if (s.normalization == "none") return;
  if (s.normalization == "rescale") {
    apply(static_cast<float>(s.rescale), 0.0f);
  } else if (s.normalization == "standardize_global") {
    double mean = 0, std = 1;
    globalStatistics(out.train.x.at(0), mean, std);
    s.mean = mean;
    s.std = std;
    apply(static_cast<float>(1.0 / std), static_cast<float>(-mean / std));
  } else {
    throw Error("normalization '" + s.normalization + "' is only available for CSV data");
  }
}

void buildFashionMnist(BuiltData& out, const BuildOptions& o) {
  requireFashionMnist();
  // The seed's test set: the 10,000 t10k images (as many as trainLimit when one is set).
  FashionMnist f = loadFashionMnistScaled(kFashionMnistDir, o.trainLimit, o.trainLimit);
  out.train.x = {f.xTrain};
  out.train.y = {f.yTrain};
  out.validation = Dataset{{f.xValid}, {f.yValid}, {}};
  out.test = Dataset{{f.xTest}, {f.yTest}, {}};
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

// The IDX pair of a file or folder: for training the "train" pair (else the first with labels);
// for validation/test a pair not named "train" when the folder has several ("t10k", "test").
IdxData loadIdx(const std::string& path, bool training) {
  std::vector<IdxPair> pairs = findIdxPairs(path);
  const IdxPair* pick = nullptr;
  for (const IdxPair& p : pairs)
    if (!pick && !p.labels.empty() && (p.name == "train") == training) pick = &p;
  for (const IdxPair& p : pairs)
    if (!pick && !p.labels.empty()) pick = &p;
  if (!pick) throw Error(path + ": no IDX image file with a matching label file");
  return loadIdxPair(*pick, -1);
}

void buildIdx(BuiltData& out, const BuildOptions& o) {
  const DataSettings& s = out.settings;
  if (!givenFiles(s)) {
    IdxData d = loadIdx(s.path, true);
    splitInto(out, d.x, {d.y}, s);
  } else {
    IdxData t = loadIdx(s.trainFile, true);
    out.train.x = {t.x};
    out.train.y = {t.y};
    auto other = [&](const std::string& file) {
      IdxData d = loadIdx(file, false);
      if (d.x.rowSize() != t.x.rowSize() || d.x.rank() != t.x.rank())
        throw Error(file + ": images are " + arrayShapeText(d.x) + " but the training file's " +
                    arrayShapeText(t.x));
      Dataset ds;
      ds.x = {d.x};
      ds.y = {d.y};
      return ds;
    };
    if (!s.validationFile.empty()) out.validation = other(s.validationFile);
    if (!s.testFile.empty()) out.test = other(s.testFile);
  }
  limitDataset(out.train, o.trainLimit);
  normalize(out);
}

// x and one (N,) float32 array per label column, rows in the given order.
Dataset csvPart(const CsvImport& imp, const std::vector<Index>& rows) {
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
}

std::vector<Index> allRows(Index n) {
  std::vector<Index> r(static_cast<size_t>(n));
  for (Index i = 0; i < n; ++i) r[size_t(i)] = i;
  return r;
}

void checkCsvImport(const CsvImport& imp, const std::string& file) {
  if (imp.x.rows() == 0) throw Error(file + ": no rows were imported");
  if (imp.y.rank() != 2 || imp.y.shape()[1] == 0)
    throw Error(file + ": no label column (give one column the role 'label')");
}

std::string joined(const std::vector<std::string>& v) {
  std::string t;
  for (const auto& x : v) t += (t.empty() ? "" : ", ") + x;
  return t;
}

// A validation/test CSV encoded with the encoder fitted on the training file (as Keras
// preprocessing layers adapted on the training data): the training vocabularies (new values go to
// the OOV buckets), the training means/stds, the training label vocabularies (a new label is an
// error). Standardised columns are imported raw and scaled here: (value - mean) / std computed in
// double from the float32 value (the training file's rows from the parsed double: equal values
// may differ in the last float bit).
Dataset csvOther(const std::string& file, const std::string& trainFile, const CsvSpec& trainSpec,
                 const CsvImport& train) {
  const CsvFormat tf = sniffCsv(trainFile, trainSpec.naValues);
  const CsvFormat vf = sniffCsv(file, trainSpec.naValues);
  if (tf.columnNames != vf.columnNames)
    throw Error(file + ": columns (" + joined(vf.columnNames) +
                ") do not match the training file " + trainFile + " (" + joined(tf.columnNames) +
                ")");
  CsvSpec spec = trainSpec;
  struct Scale {
    Index column;
    double mean, scale;
  };
  std::vector<Scale> scales;
  size_t feature = 0, label = 0;
  Index offset = 0;
  for (CsvColumnSpec& c : spec.columns) {
    if (c.role == ColumnRole::Label) {
      if (c.type == ColumnType::Categorical) c.vocabulary = train.labelVocabularies.at(label);
      ++label;
    }
    if (c.role != ColumnRole::Feature) continue;
    const CsvImport::Fitted& fit = train.fitted.at(feature++);
    if (c.type == ColumnType::Numeric) {
      if (c.standardize) scales.push_back({offset, fit.mean, fit.scale});
      c.standardize = false;
      offset += 1;
    } else {
      c.vocabulary = fit.vocabulary;
      offset += c.encoding == CategoricalEncoding::OneHot
                    ? Index(fit.vocabulary.size()) + c.numOovBuckets
                    : 1;
    }
  }
  CsvImport imp = importCsv(file, spec);
  checkCsvImport(imp, file);
  if (imp.featureWidth() != train.featureWidth())
    throw Error(file + ": " + std::to_string(imp.featureWidth()) +
                " feature values per row, the training file " + trainFile + " gives " +
                std::to_string(train.featureWidth()));
  float* x = imp.x.dataAs<float>();
  const Index w = imp.featureWidth();
  for (const Scale& sc : scales)
    for (Index r = 0; r < imp.x.rows(); ++r) {
      float& v = x[r * w + sc.column];
      v = float((double(v) - sc.mean) / sc.scale);
    }
  return csvPart(imp, allRows(imp.x.rows()));
}

void buildCsv(BuiltData& out, const BuildOptions& o) {
  const DataSettings& s = out.settings;
  CsvSpec spec = CsvSpec::fromJson(s.options);
  spec.fractions = s.fractions;
  spec.seed = s.splitSeed;
  if (!givenFiles(s)) {
    CsvImport imp = importCsv(s.path, spec);
    checkCsvImport(imp, s.path);
    if (imp.trainRows.empty()) throw Error(s.path + ": the training split is empty");
    out.train = csvPart(imp, imp.trainRows);
    if (!imp.validRows.empty()) out.validation = csvPart(imp, imp.validRows);
    if (!imp.testRows.empty()) out.test = csvPart(imp, imp.testRows);
    if (!imp.labelVocabularies.empty()) out.classNames = imp.labelVocabularies.front();
  } else {
    // The whole training file trains (shuffled with the seed as a 1/0/0 split).
    spec.fractions = {1.0, 0.0, 0.0};
    if (spec.columns.empty()) {
      CsvSpec suggested = suggestCsvSpec(s.trainFile, spec.naValues);
      spec.columns = suggested.columns;
      if (!spec.format) spec.format = suggested.format;
    }
    CsvImport imp = importCsv(s.trainFile, spec);
    checkCsvImport(imp, s.trainFile);
    out.train = csvPart(imp, imp.trainRows);
    if (!s.validationFile.empty())
      out.validation = csvOther(s.validationFile, s.trainFile, spec, imp);
    if (!s.testFile.empty()) out.test = csvOther(s.testFile, s.trainFile, spec, imp);
    if (!imp.labelVocabularies.empty()) out.classNames = imp.labelVocabularies.front();
  }
  limitDataset(out.train, o.trainLimit);
}

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
  if (test) t += "; test " + datasetText(*test);
  return t;
}

BuiltData buildDataset(const DataSettings& settings, const BuildOptions& options) {
  BuiltData out;
  out.settings = settings;
  const std::string& k = settings.kind;
  const bool needsPath = k == "idx" || k == "csv" || k == "image_folder";
  if (needsPath && settings.trainFile.empty() &&
      (!settings.validationFile.empty() || !settings.testFile.empty()))
    throw Error(k + " data: a validation or test file is given but no training file");
  if (needsPath && settings.path.empty() && settings.trainFile.empty())
    throw Error(k + " data: no file or folder chosen");
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
  // Augmentation (training batches only; boxes, the second target of the localization set and
  // of annotated image folders, follow the image). After normalize(): the value range is read
  // from x's affine map.
  if (settings.augmentation.any()) {
    const bool boxes =
        k == "fashion_mnist_localization" || (k == "image_folder" && !settings.annotations.empty());
    attachAugmentation(out.train, out.settings, boxes ? 1 : -1);
  }
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
