#include "engine/data/DatasetBuildSteps.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Error.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/Split.h"

namespace tessel::databuild {

void requireFashionMnist() {
  if (!fashionMnistAvailable())
    throw Error(std::string("Fashion-MNIST not found in ") + kFashionMnistDir +
                " (install the Debian package dataset-fashion-mnist)");
}

namespace {

Array limitRows(const Array& a, Index limit) {
  if (limit < 0 || a.rows() <= limit) return a;
  return a.rowsRange(0, limit);
}

}  // namespace

void limitDataset(Dataset& d, Index limit) {
  for (Array& a : d.x) a = limitRows(a, limit);
  for (Array& a : d.y) a = limitRows(a, limit);
}

bool givenFiles(const DataSettings& s) {
  return !s.trainFile.empty();
}

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

namespace {

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

}  // namespace

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

std::vector<Index> allRows(Index n) {
  std::vector<Index> r(static_cast<size_t>(n));
  for (Index i = 0; i < n; ++i) r[size_t(i)] = i;
  return r;
}

std::string joined(const std::vector<std::string>& v) {
  std::string t;
  for (const auto& x : v) t += (t.empty() ? "" : ", ") + x;
  return t;
}

}  // namespace tessel::databuild
