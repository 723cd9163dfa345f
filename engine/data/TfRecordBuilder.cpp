// The "tfrecord" source builder (TfRecordSource.h) and the dialog's inspection.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>

#include "engine/core/Error.h"
#include "engine/data/CsvDataset.h"
#include "engine/data/DTypeConversion.h"
#include "engine/data/DatasetBuildSteps.h"
#include "engine/data/RowSource.h"
#include "engine/data/SourceBuilders.h"
#include "engine/data/TfRecordPipeline.h"
#include "engine/data/TfRecordSource.h"
#include "engine/data/TfRecordStream.h"
#include "engine/io/TfRecordReader.h"

namespace tessel {

TfRecordPreview inspectTfRecords(const std::string& pattern, TfRecordCompression compression,
                                 int records) {
  TfRecordPreview p;
  p.files = listTfRecordFiles(pattern);
  p.compression = TfRecordReader(p.files.front(), compression).compression();
  // The first records of the interleaved stream (every shard in turn), as training reads them.
  TfPipelineOptions o;
  o.files = p.files;
  o.compression = compression;
  TfRecordPipeline stream(o, nullptr, {});
  std::string rec;
  for (int i = 0; i < records && stream.nextRecord(rec); ++i)
    p.examples.push_back(TfExample::parse(rec, stream.where()));
  if (p.examples.empty()) throw Error(pattern + ": no records");
  p.proposed = TfFeatureSpec::infer(p.examples, &p.skipped);
  return p;
}

namespace databuild {

namespace {

constexpr int kInspectRecords = 16;

// One split's records: its pipeline options and sample count.
struct Part {
  TfPipelineOptions options;
  Index rows = 0;
};

// Reads every record of the part once: counts, parses and checks them (no image decoded), then
// decodes the first one in full.
Index countAndCheck(const TfPipelineOptions& o, const TfFeatureSpec& spec,
                    const std::vector<size_t>& features) {
  auto shared = std::make_shared<const TfFeatureSpec>(spec);
  TfRecordPipeline p(o, shared, features);
  std::string rec;
  Index n = 0;
  while (p.nextRecord(rec)) {
    const TfExample e = TfExample::parse(rec, p.where());
    spec.check(e, p.where());
    if (n == 0) {
      std::vector<float> row;
      for (size_t f : features) {
        row.resize(size_t(spec.features[f].rowSize()));
        spec.decode(e, f, row.data(), p.where());
      }
    }
    ++n;
  }
  return n;
}

// Decoded float32 samples of a split in a file, read by offset (the pipeline's file cache).
class CacheFile {
 public:
  CacheFile(const std::string& path, Index rows, Index sampleSize, std::uint64_t key)
      : path_(path), rows_(rows), sample_(sampleSize), key_(key) {}
  ~CacheFile() {
    if (file_) std::fclose(file_);
  }
  static constexpr long kHeader = 32;
  bool valid() {
    std::FILE* f = std::fopen(path_.c_str(), "rb");
    if (!f) return false;
    std::uint64_t h[4] = {0, 0, 0, 0};
    const bool ok = std::fread(h, sizeof h, 1, f) == 1 && h[0] == 0x54455353454C4346ULL &&
                    h[1] == key_ && h[2] == std::uint64_t(rows_) && h[3] == std::uint64_t(sample_);
    std::fseek(f, 0, SEEK_END);
    const bool size = std::ftell(f) ==
                      long(kHeader + std::int64_t(rows_) * sample_ * std::int64_t(sizeof(float)));
    std::fclose(f);
    return ok && size;
  }
  void write(TfRecordPipeline& p) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f)
      throw Error(path_ + ": cannot create the pipeline's cache file: " + std::strerror(errno));
    const std::uint64_t h[4] = {0x54455353454C4346ULL, key_, std::uint64_t(rows_),
                                std::uint64_t(sample_)};
    bool ok = std::fwrite(h, sizeof h, 1, f) == 1;
    std::vector<float> s;
    for (Index r = 0; ok && r < rows_; ++r) {
      if (!p.next(s)) throw Error(path_ + ": the records ended early while caching");
      ok = std::fwrite(s.data(), sizeof(float), s.size(), f) == s.size();
    }
    if (std::fclose(f) != 0 || !ok) throw Error(path_ + ": cannot write the cache file");
  }
  void read(Index row, Index offset, Index n, float* out) const {
    std::lock_guard<std::mutex> lock(m_);
    if (!file_) {
      file_ = std::fopen(path_.c_str(), "rb");
      if (!file_) throw Error(path_ + ": cannot open the cache file");
    }
    const long pos = long(kHeader + (std::int64_t(row) * sample_ + offset) * 4);
    if (std::fseek(file_, pos, SEEK_SET) != 0 ||
        std::fread(out, sizeof(float), size_t(n), file_) != size_t(n))
      throw Error(path_ + ": cannot read row " + std::to_string(row) + " of the cache file");
  }
  const std::string& path() const { return path_; }
  Index rows() const { return rows_; }

 private:
  std::string path_;
  Index rows_, sample_;
  std::uint64_t key_;
  mutable std::mutex m_;
  mutable std::FILE* file_ = nullptr;
};

class CacheFileSource : public RowSource {
 public:
  CacheFileSource(std::shared_ptr<const CacheFile> file, Index offset,
                  const TfFeatureSpec::Feature& f)
      : file_(std::move(file)),
        offset_(offset),
        shape_(f.rowShape()),
        dtype_(f.arrayDType()),
        feature_(f.name) {}
  Index rows() const override { return file_->rows(); }
  Shape rowShape() const override { return shape_; }
  DType dtype() const override { return dtype_; }
  void gatherRaw(const Index* idx, Index n, float* out) const override {
    const Index rs = rowSize();
    for (Index i = 0; i < n; ++i) file_->read(idx[i], offset_, rs, out + i * rs);
  }
  std::size_t cacheBytes() const override { return 0; }
  std::string name() const override {
    return "TFRecord feature '" + feature_ + "' cached in " + file_->path();
  }

 private:
  std::shared_ptr<const CacheFile> file_;
  Index offset_;
  Shape shape_;
  DType dtype_;
  std::string feature_;
};

// The arrays of one split (x features then y features), per the pipeline's cache setting.
Dataset makePart(const Part& part, const std::shared_ptr<const TfFeatureSpec>& spec,
                 const std::vector<size_t>& xs, const std::vector<size_t>& ys,
                 const DataSettings& s, const std::string& splitName, bool training) {
  std::vector<size_t> all = xs;
  all.insert(all.end(), ys.begin(), ys.end());
  TfPipelineOptions o = part.options;
  if (!training) o.shuffleBuffer = 0;
  const auto& pl = s.pipeline;
  const std::string name = "TFRecord " + splitName + " data " + s.path;
  std::vector<Array> arrays;
  if (pl.cache.empty()) {
    auto stream = std::make_shared<TfRecordStream>(o, spec, all, ys.size(), part.rows, name);
    for (size_t k = 0; k < all.size(); ++k)
      arrays.push_back(TfRecordStream::featureArray(stream, k));
  } else if (pl.cache == "memory") {
    o.shuffleBuffer = 0;  // fit shuffles the cached rows fully
    TfRecordPipeline p(o, spec, all);
    for (size_t f : all) {
      Shape shape{part.rows};
      for (Index d : spec->features[f].rowShape()) shape.push_back(d);
      arrays.emplace_back(spec->features[f].arrayDType(), shape);
    }
    std::vector<float> sample;
    for (Index r = 0; r < part.rows; ++r) {
      if (!p.next(sample)) throw Error(name + ": the records ended early");
      const float* v = sample.data();
      for (size_t k = 0; k < all.size(); ++k) {
        Array& a = arrays[k];
        const Index rs = a.rowSize();
        const size_t es = dtypeSize(a.dtype());
        std::uint8_t* dst = a.bytes() + size_t(r * rs) * es;
        for (Index i = 0; i < rs; ++i) storeValue(a.dtype(), dst + size_t(i) * es, v[i]);
        v += rs;
      }
    }
  } else {
    o.shuffleBuffer = 0;
    TfRecordPipeline p(o, spec, all);
    const std::uint64_t key = fnv1a64(s.toJson().dump() + spec->toJson().dump() + splitName);
    auto file = std::make_shared<CacheFile>(pl.cache + "." + splitName + ".bin", part.rows,
                                            p.sampleSize(), key);
    if (!file->valid()) file->write(p);
    Index off = 0;
    for (size_t f : all) {
      arrays.push_back(
          Array::fromRowSource(std::make_shared<CacheFileSource>(file, off, spec->features[f])));
      off += spec->features[f].rowSize();
    }
  }
  Dataset d;
  d.x.assign(arrays.begin(), arrays.begin() + Index(xs.size()));
  d.y.assign(arrays.begin() + Index(xs.size()), arrays.end());
  return d;
}

}  // namespace

void buildTfRecord(BuiltData& out, const BuildOptions& o) {
  DataSettings& s = out.settings;
  const bool given = givenFiles(s);
  const std::string pattern = given ? s.trainFile : s.path;
  const TfRecordCompression compression =
      tfRecordCompression(s.options.value("compression", std::string("auto")));
  TfFeatureSpec spec;
  const std::filesystem::path folder =
      std::filesystem::path(listTfRecordFiles(pattern).front()).parent_path();
  if (s.options.contains("features")) {
    spec = TfFeatureSpec::fromJson(s.options);
  } else if (std::filesystem::exists(folder / "features.json")) {
    // Shards written by `tessel data export` carry the specification that reads them.
    std::ifstream in(folder / "features.json");
    nlohmann::json j;
    try {
      in >> j;
    } catch (const nlohmann::json::exception& e) {
      throw Error((folder / "features.json").string() + ": not JSON (" + e.what() + ")");
    }
    spec = TfFeatureSpec::fromJson(j);
    for (auto it = j.begin(); it != j.end(); ++it) s.options[it.key()] = it.value();
  } else {
    spec = inspectTfRecords(pattern, compression, kInspectRecords).proposed;
    const nlohmann::json proposed = spec.toJson();
    for (auto it = proposed.begin(); it != proposed.end(); ++it) s.options[it.key()] = it.value();
  }
  if (spec.labels.empty())
    throw Error(pattern + ": the feature specification names no label (the target to train on)");
  const auto shared = std::make_shared<const TfFeatureSpec>(spec);
  const std::vector<size_t> xs = spec.inputIndices(), ys = spec.labelIndices();
  std::vector<size_t> all = xs;
  all.insert(all.end(), ys.begin(), ys.end());

  const auto& pl = s.pipeline;
  auto optionsFor = [&](const std::string& pat) {
    TfPipelineOptions po;
    po.files = listTfRecordFiles(pat);
    po.compression = compression;
    po.cycleLength = pl.cycleLength;
    po.skip = pl.skip;
    po.take = pl.take;
    po.shuffleBuffer = pl.shuffleBuffer;
    po.seed = s.splitSeed;
    return po;
  };
  Part train{optionsFor(pattern), 0};
  train.rows = countAndCheck(train.options, spec, all);
  if (train.rows == 0) throw Error(pattern + ": no records");
  std::optional<Part> valid, test;
  if (given) {
    if (!s.validationFile.empty()) {
      valid = Part{optionsFor(s.validationFile), 0};
      valid->rows = countAndCheck(valid->options, spec, all);
    }
    if (!s.testFile.empty()) {
      test = Part{optionsFor(s.testFile), 0};
      test->rows = countAndCheck(test->options, spec, all);
    }
  } else {
    // Consecutive parts of the interleaved stream: train, validation, test.
    const Index n = train.rows;
    const Index nv = Index(std::llround(s.fractions[1] * double(n)));
    const Index nt = Index(std::llround(s.fractions[2] * double(n)));
    const Index ntr = std::min(n - nv - nt, Index(std::floor(s.fractions[0] * double(n) + 1e-9)));
    if (ntr <= 0)
      throw Error(pattern + ": " + std::to_string(n) + " records leave no training data");
    auto slice = [&](Index begin, Index count) {
      Part p{train.options, count};
      p.options.skip += begin;
      p.options.take = count;
      return p;
    };
    if (nv > 0) valid = slice(ntr, nv);
    if (nt > 0) test = slice(ntr + nv, nt);
    train = slice(0, ntr);
  }
  if (o.trainLimit >= 0 && o.trainLimit < train.rows) {
    train.rows = o.trainLimit;
    train.options.take = o.trainLimit;
  }
  out.train = makePart(train, shared, xs, ys, s, "train", true);
  if (valid) out.validation = makePart(*valid, shared, xs, ys, s, "validation", false);
  if (test) out.test = makePart(*test, shared, xs, ys, s, "test", false);
  normalize(out);
}

}  // namespace databuild
}  // namespace tessel
