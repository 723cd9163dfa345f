#include "engine/data/SourceBuilders.h"

#include <algorithm>
#include <map>

#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/DatasetBuildSteps.h"

namespace tessel::databuild {

namespace {

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

// Options "inputs": [[feature column, ...], ...] gives one x per model input, its columns in
// that order (a column may feed several inputs, as the wide and deep parts of a wide & deep
// model share features; numeric features only); "outputs": [label column, ...] gives one y per
// model output (a label may train several outputs).
void routeColumns(Dataset& d, const CsvSpec& spec, const json& options) {
  auto isNames = [](const json& j) {
    if (!j.is_array() || j.empty()) return false;
    for (const json& n : j)
      if (!n.is_string()) return false;
    return true;
  };
  if (options.contains("inputs")) {
    bool ok = options["inputs"].is_array() && !options["inputs"].empty();
    for (const json& group : options["inputs"]) ok = ok && isNames(group);
    if (!ok)
      throw Error(
          "csv data: \"inputs\" must be a list of column-name lists, one per model "
          "input, e.g. [[\"a\", \"b\"], [\"c\"]]");
  }
  if (options.contains("outputs") && !isNames(options["outputs"]))
    throw Error(
        "csv data: \"outputs\" must be a list of label column names, one per model "
        "output");
  if (options.contains("inputs")) {
    std::map<std::string, Index> at;
    for (const CsvColumnSpec& c : spec.columns) {
      if (c.role != ColumnRole::Feature) continue;
      if (c.type != ColumnType::Numeric)
        throw Error("csv data: \"inputs\" takes numeric feature columns only, not '" + c.name +
                    "'");
      const Index next = Index(at.size());
      at[c.name] = next;
    }
    const Tensor x = d.x.at(0).toTensor();
    const Index rows = d.x[0].rows(), width = Index(at.size());
    std::vector<Array> xs;
    for (const json& group : options["inputs"]) {
      std::vector<Index> cols;
      for (const json& name : group) {
        auto it = at.find(name.get<std::string>());
        if (it == at.end())
          throw Error("csv data: input column '" + name.get<std::string>() + "' is not a feature");
        cols.push_back(it->second);
      }
      std::vector<double> v;
      v.reserve(size_t(rows) * cols.size());
      for (Index r = 0; r < rows; ++r)
        for (Index c : cols) v.push_back(x.data()[r * width + c]);
      xs.push_back(Array::fromValues(DType::Float32, {rows, Index(cols.size())}, v));
    }
    d.x = std::move(xs);
  }
  if (options.contains("outputs")) {
    std::vector<std::string> labels;
    for (const CsvColumnSpec& c : spec.columns)
      if (c.role == ColumnRole::Label) labels.push_back(c.name);
    std::vector<Array> ys;
    for (const json& name : options["outputs"]) {
      auto it = std::find(labels.begin(), labels.end(), name.get<std::string>());
      if (it == labels.end())
        throw Error("csv data: output column '" + name.get<std::string>() + "' is not a label");
      ys.push_back(d.y.at(size_t(it - labels.begin())));
    }
    d.y = std::move(ys);
  }
}

void checkCsvImport(const CsvImport& imp, const std::string& file) {
  if (imp.x.rows() == 0) throw Error(file + ": no rows were imported");
  if (imp.y.rank() != 2 || imp.y.shape()[1] == 0)
    throw Error(file + ": no label column (give one column the role 'label')");
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

void routeAll(BuiltData& out, const CsvSpec& spec, const json& options) {
  routeColumns(out.train, spec, options);
  if (out.validation) routeColumns(*out.validation, spec, options);
  if (out.test) routeColumns(*out.test, spec, options);
}

}  // namespace

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
    routeAll(out, spec, s.options);
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
    routeAll(out, spec, s.options);
    if (!imp.labelVocabularies.empty()) out.classNames = imp.labelVocabularies.front();
  }
  limitDataset(out.train, o.trainLimit);
}

}  // namespace tessel::databuild
