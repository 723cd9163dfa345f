// The encode stage of the CSV import (CsvDataset.h): the parsed columns (CsvParsedTable) split
// into train/validation/test rows, the features fitted on the training rows and written into x,
// the labels into y. The sniffer is in CsvSniffer.cpp, the spec's JSON form in CsvSpec.cpp.
#include "engine/data/CsvDataset.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <unordered_map>

#include "engine/core/Error.h"
#include "engine/core/ResourceLimits.h"
#include "engine/data/CsvParsedTable.h"
#include "engine/data/Split.h"

namespace tessel {

std::uint64_t fnv1a64(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

namespace {

std::vector<std::string> sortedValues(const CsvColumnValues& d, const std::vector<Index>* rows) {
  std::set<std::string> s;
  if (rows) {
    for (Index r : *rows)
      if (d.sid[r] >= 0) s.insert(d.strings[d.sid[r]]);
  } else {
    for (int id : d.sid)
      if (id >= 0) s.insert(d.strings[id]);
  }
  return {s.begin(), s.end()};
}

// Split first: statistics come from the training rows only.
void splitRows(CsvImport& out, Index n, const CsvSpec& spec) {
  Array idx(DType::Int64, Shape{n});
  auto* v = idx.dataAs<std::int64_t>();
  for (Index i = 0; i < n; ++i) v[i] = i;
  ArraySplit s = trainValidTest({idx}, spec.fractions, spec.seed);
  auto rows = [](const Array& a) {
    const auto* d = a.dataAs<std::int64_t>();
    return std::vector<Index>(d, d + a.rows());
  };
  out.trainRows = rows(s.train[0]);
  out.validRows = rows(s.valid[0]);
  out.testRows = rows(s.test[0]);
}

// Where a feature column goes in x.
struct Plan {
  size_t col;
  Index offset, width;
  std::unordered_map<int, Index> idToSlot;  // categorical: interned id -> vocabulary slot
};

// Fits feature column c (spec column `col`, at x column `offset`) on the training rows: the mean
// and std of a standardised numeric column, the vocabulary and slots of a categorical one. Adds
// its x column names.
Plan planFeature(CsvImport& out, const std::string& path, const CsvColumnSpec& c, size_t col,
                 const CsvColumnValues& d, Index offset) {
  CsvImport::Fitted fit;
  fit.name = c.name;
  Plan plan{col, offset, 1, {}};
  if (c.type == ColumnType::Numeric) {
    if (c.standardize) {
      if (out.trainRows.empty())
        throw Error(path + ": cannot standardise column '" + c.name + "': no training rows");
      double sum = 0;
      for (Index r : out.trainRows) sum += d.num[r];
      const double mean = sum / double(out.trainRows.size());
      double var = 0;
      for (Index r : out.trainRows) var += (d.num[r] - mean) * (d.num[r] - mean);
      var /= double(out.trainRows.size());
      const double sd = std::sqrt(var);
      fit.mean = mean;
      fit.scale = sd < 10 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(mean))
                      ? 1.0
                      : sd;
    }
    out.featureNames.push_back(c.name);
  } else {
    if (c.numOovBuckets < 0) throw Error(path + ": num_oov_buckets must be >= 0");
    fit.vocabulary = c.vocabulary.empty() ? sortedValues(d, &out.trainRows) : c.vocabulary;
    std::unordered_map<std::string, Index> slot;
    for (size_t k = 0; k < fit.vocabulary.size(); ++k)
      slot.emplace(fit.vocabulary[k], static_cast<Index>(k));
    const Index vocab = static_cast<Index>(fit.vocabulary.size());
    for (size_t id = 0; id < d.strings.size(); ++id) {
      const auto it = slot.find(d.strings[id]);
      Index s = -1;
      if (it != slot.end())
        s = it->second;
      else if (c.numOovBuckets > 0)
        s = vocab + Index(fnv1a64(d.strings[id]) % std::uint64_t(c.numOovBuckets));
      plan.idToSlot.emplace(static_cast<int>(id), s);
    }
    if (c.encoding == CategoricalEncoding::OneHot) {
      plan.width = vocab + c.numOovBuckets;
      for (const auto& v : fit.vocabulary) out.featureNames.push_back(c.name + "=" + v);
      for (int b = 0; b < c.numOovBuckets; ++b)
        out.featureNames.push_back(c.name + "#oov" + std::to_string(b));
    } else {
      out.featureNames.push_back(c.name);
    }
  }
  out.fitted.push_back(fit);
  return plan;
}

// The crossed columns' x columns after `width`; returns each one's offset and advances width.
std::vector<Index> planCrossed(CsvImport& out, const CsvSpec& spec, Index& width) {
  std::vector<Index> crossOffset;
  for (const auto& cr : spec.crossed) {
    crossOffset.push_back(width);
    std::string base;
    for (const auto& k : cr.keys) base += (base.empty() ? "" : "_X_") + k;
    if (cr.encoding == CategoricalEncoding::OneHot) {
      for (int b = 0; b < cr.hashBucketSize; ++b)
        out.featureNames.push_back(base + "#" + std::to_string(b));
      width += cr.hashBucketSize;
    } else {
      out.featureNames.push_back(base);
      width += 1;
    }
  }
  return crossOffset;
}

void writeFeatures(CsvImport& out, const CsvSpec& spec, const CsvParsedTable& p,
                   const std::vector<Plan>& plans, Index n, Index width) {
  float* x = out.x.dataAs<float>();
  size_t planIndex = 0;
  for (const auto& plan : plans) {
    const auto& c = spec.columns[plan.col];
    const auto& d = p.cols[plan.col];
    const auto& fit = out.fitted[planIndex++];
    for (Index r = 0; r < n; ++r) {
      float* row = x + r * width + plan.offset;
      if (c.type == ColumnType::Numeric) {
        row[0] = float((d.num[r] - fit.mean) / fit.scale);
      } else {
        const Index s = d.sid[r] < 0 ? -1 : plan.idToSlot.at(d.sid[r]);
        if (c.encoding == CategoricalEncoding::Index)
          row[0] = float(s);  // -1: missing or out of vocabulary without buckets (TF default)
        else if (s >= 0)
          row[s] = 1.0f;
      }
    }
  }
}

void writeCrossed(CsvImport& out, const CsvSpec& spec, const CsvParsedTable& p,
                  const std::vector<Index>& crossOffset, Index n, Index width) {
  float* x = out.x.dataAs<float>();
  for (size_t k = 0; k < spec.crossed.size(); ++k) {
    const auto& cr = spec.crossed[k];
    std::string key;
    for (Index r = 0; r < n; ++r) {
      float* row = x + r * width + crossOffset[k];
      key.clear();
      bool missing = false;
      for (size_t j = 0; j < cr.keys.size(); ++j) {
        const auto& d = p.extra[p.crossKeyCols.at(cr.keys[j])];
        if (d.sid[r] < 0) {
          missing = true;
          break;
        }
        if (j) key += "_X_";
        key += d.strings[d.sid[r]];
      }
      const Index b = missing ? -1 : Index(fnv1a64(key) % std::uint64_t(cr.hashBucketSize));
      if (cr.encoding == CategoricalEncoding::Index)
        row[0] = float(b);
      else if (b >= 0)
        row[b] = 1.0f;
    }
  }
}

// Labels: numbers as they are, text as class ids of the (given or learned) vocabulary.
void writeLabels(CsvImport& out, const CsvSpec& spec, const CsvParsedTable& p,
                 const std::vector<size_t>& labelCols, Index n) {
  const Index nl = static_cast<Index>(labelCols.size());
  out.y = Array(DType::Float32, Shape{n, nl});
  float* y = out.y.dataAs<float>();
  for (Index l = 0; l < nl; ++l) {
    const auto& c = spec.columns[labelCols[l]];
    const auto& d = p.cols[labelCols[l]];
    out.labelNames.push_back(c.name);
    if (c.type == ColumnType::Numeric) {
      out.labelVocabularies.emplace_back();
      for (Index r = 0; r < n; ++r) y[r * nl + l] = float(d.num[r]);
    } else {
      std::vector<std::string> vocab =
          c.vocabulary.empty() ? sortedValues(d, nullptr) : c.vocabulary;
      std::unordered_map<std::string, Index> slot;
      for (size_t k = 0; k < vocab.size(); ++k) slot.emplace(vocab[k], static_cast<Index>(k));
      for (Index r = 0; r < n; ++r) y[r * nl + l] = float(slot.at(d.strings[d.sid[r]]));
      out.labelVocabularies.push_back(std::move(vocab));
    }
  }
}

CsvImport encode(const std::string& path, const CsvSpec& spec, CsvParsedTable& p) {
  CsvImport out;
  out.format = p.format;
  out.rowLines = p.lines;
  out.issues = p.issues;
  out.skippedRows = p.skipped;
  const Index n = p.rows;
  splitRows(out, n, spec);
  std::vector<Plan> plans;
  Index width = 0;
  std::vector<size_t> labelCols;
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    const auto& c = spec.columns[i];
    if (c.role == ColumnRole::Label) labelCols.push_back(i);
    if (c.role != ColumnRole::Feature) continue;
    plans.push_back(planFeature(out, path, c, i, p.cols[i], width));
    width += plans.back().width;
  }
  const std::vector<Index> crossOffset = planCrossed(out, spec, width);
  if (width == 0) throw Error(path + ": no feature columns selected");

  if (boundedProduct({n, width}, kMaxArrayBytes / 4) < 0)
    throw Error(path + ": " + std::to_string(n) + " rows of " + std::to_string(width) +
                " encoded columns are over the limit of " + byteSizeText(kMaxArrayBytes) +
                " for one array");
  out.x = Array(DType::Float32, Shape{n, width});
  writeFeatures(out, spec, p, plans, n, width);
  writeCrossed(out, spec, p, crossOffset, n, width);
  writeLabels(out, spec, p, labelCols, n);
  return out;
}

CsvSpec resolved(const std::string& path, const CsvSpec& spec) {
  if (!spec.columns.empty()) return spec;
  CsvSpec s = suggestCsvSpec(path, spec.naValues);
  s.crossed = spec.crossed;
  s.badRows = spec.badRows;
  s.fractions = spec.fractions;
  s.seed = spec.seed;
  s.maxRows = spec.maxRows;
  if (spec.format) s.format = spec.format;
  return s;
}

}  // namespace

CsvImport importCsv(const std::string& path, const CsvSpec& specIn) {
  const CsvSpec spec = resolved(path, specIn);
  CsvParsedTable p = parseCsvTable(path, spec, 0);
  return encode(path, spec, p);
}

CsvPreview previewCsv(const std::string& path, const CsvSpec& specIn, int rows, Index scanRows) {
  CsvSpec spec = resolved(path, specIn);
  spec.maxRows = scanRows;
  spec.badRows = BadRows::Skip;
  spec.fractions = {1.0, 0.0, 0.0};  // a preview fits on every scanned row
  CsvParsedTable p = parseCsvTable(path, spec, rows);
  CsvPreview out;
  out.rows = p.previewRows;
  out.lines = p.previewLines;
  CsvImport imp = encode(path, spec, p);
  out.format = imp.format;
  out.issues = imp.issues;
  const Index k = std::min<Index>(rows, imp.x.rows());
  out.x = imp.x.rowsRange(0, k);
  out.y = imp.y.rowsRange(0, k);
  out.featureNames = imp.featureNames;
  out.featureWidth = imp.featureWidth();
  return out;
}

}  // namespace tessel
