#include "engine/data/TfRecordExport.h"

#include <stb_image_write.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "engine/core/Error.h"
#include "engine/io/TfRecordWriter.h"

namespace tessel {

namespace {

constexpr Index kChunk = 256;

bool isImage(const Array& a) {
  const bool channels =
      a.rank() == 3 || (a.rank() == 4 && (a.shape()[3] == 1 || a.shape()[3] == 3));
  return a.dtype() == DType::UInt8 && channels && !a.hasAffine();
}

bool isIntegral(DType t) {
  return t == DType::UInt8 || t == DType::Int8 || t == DType::Int16 || t == DType::Int32 ||
         t == DType::Int64 || t == DType::Bool;
}

std::string suffixed(const std::string& base, size_t i) {
  return i == 0 ? base : base + "_" + std::to_string(i);
}

void appendPng(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
}

}  // namespace

TfRecordExportResult exportTfRecords(const Dataset& data, const TfRecordExportOptions& o) {
  if (o.shards <= 0) throw Error("TFRecord export: --shards must be positive");
  if (data.x.empty()) throw Error("TFRecord export: the data set has no inputs");
  const Index n = data.size();
  if (n == 0) throw Error("TFRecord export: the data set has no samples");
  std::filesystem::create_directories(o.dir);
  TfRecordExportResult result;
  // The specification of what is written.
  std::vector<std::string> xNames, yNames;
  for (size_t i = 0; i < data.x.size(); ++i) {
    const Array& a = data.x[i];
    TfFeatureSpec::Feature f;
    if (isImage(a)) {
      f.name = suffixed("image", i);
      f.dtype = "string";
      f.image = true;
      f.height = int(a.shape()[1]);
      f.width = int(a.shape()[2]);
      f.channels = a.rank() == 4 ? int(a.shape()[3]) : 1;
    } else {
      f.name = suffixed("input_features", i);
      f.shape.assign(a.shape().begin() + 1, a.shape().end());
    }
    xNames.push_back(f.name);
    result.spec.features.push_back(f);
  }
  for (size_t k = 0; k < data.y.size(); ++k) {
    const Array& a = data.y[k];
    TfFeatureSpec::Feature f;
    const bool box = a.rank() == 2 && a.shape()[1] == 4 && !isIntegral(a.dtype());
    f.name = suffixed(box ? "box" : "label", k);
    f.shape.assign(a.shape().begin() + 1, a.shape().end());
    f.dtype = isIntegral(a.dtype()) && !a.hasAffine() ? "int64" : "float32";
    yNames.push_back(f.name);
    result.spec.features.push_back(f);
  }
  result.spec.inputs = xNames;
  result.spec.labels = yNames;

  const char* ext = o.compression == TfRecordCompression::Gzip   ? ".gz"
                    : o.compression == TfRecordCompression::Zlib ? ".zz"
                                                                 : "";
  std::vector<std::unique_ptr<TfRecordWriter>> writers;
  for (int s = 0; s < o.shards; ++s) {
    char name[96];
    std::snprintf(name, sizeof name, "-%05d-of-%05d.tfrecord", s, o.shards);
    const std::string path = (std::filesystem::path(o.dir) / (o.prefix + name + ext)).string();
    writers.push_back(std::make_unique<TfRecordWriter>(path, o.compression));
    result.files.push_back(path);
  }
  std::vector<Tensor> xs(data.x.size()), ys(data.y.size());
  std::vector<Index> idx;
  for (Index begin = 0; begin < n; begin += kChunk) {
    const Index m = std::min(kChunk, n - begin);
    idx.resize(size_t(m));
    for (Index i = 0; i < m; ++i) idx[size_t(i)] = begin + i;
    for (size_t i = 0; i < xs.size(); ++i) data.x[i].gather(idx.data(), m, xs[i]);
    for (size_t k = 0; k < ys.size(); ++k) data.y[k].gather(idx.data(), m, ys[k]);
    for (Index r = 0; r < m; ++r) {
      TfExample e;
      for (size_t i = 0; i < xs.size(); ++i) {
        const TfFeatureSpec::Feature& f = result.spec.features[i];
        const Index rs = data.x[i].rowSize();
        const float* v = xs[i].data() + r * rs;
        if (f.image) {
          std::vector<unsigned char> px(static_cast<size_t>(rs));
          for (Index j = 0; j < rs; ++j) px[size_t(j)] = static_cast<unsigned char>(v[j]);
          std::string png;
          if (!stbi_write_png_to_func(appendPng, &png, f.width, f.height, f.channels, px.data(),
                                      f.width * f.channels))
            throw Error("TFRecord export: cannot encode sample " + std::to_string(begin + r) +
                        " as PNG");
          e.features[f.name] = TfFeatureValue::ofBytes({png});
        } else {
          e.features[f.name] = TfFeatureValue::ofFloats(std::vector<float>(v, v + rs));
        }
      }
      for (size_t k = 0; k < ys.size(); ++k) {
        const TfFeatureSpec::Feature& f = result.spec.features[xs.size() + k];
        const Index rs = data.y[k].rowSize();
        const float* v = ys[k].data() + r * rs;
        if (f.dtype == "int64") {
          std::vector<std::int64_t> ints(static_cast<size_t>(rs));
          for (Index j = 0; j < rs; ++j) ints[size_t(j)] = std::llround(v[j]);
          e.features[f.name] = TfFeatureValue::ofInts(ints);
        } else {
          e.features[f.name] = TfFeatureValue::ofFloats(std::vector<float>(v, v + rs));
        }
      }
      writers[size_t((begin + r) % o.shards)]->write(e.serialize());
    }
  }
  for (auto& w : writers) w->close();
  result.records = n;
  std::ofstream spec(std::filesystem::path(o.dir) / "features.json");
  spec << result.spec.toJson().dump(2) << "\n";
  if (!spec) throw Error(o.dir + "/features.json: cannot write");
  return result;
}

}  // namespace tessel
