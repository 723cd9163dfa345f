#include "engine/io/KerasArchive.h"

#include <zip.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/core/Error.h"
#include "engine/core/ResourceLimits.h"
#include "engine/io/IsolatedRead.h"
#include "engine/io/Keras3Json.h"
#include "engine/io/KerasCustomClasses.h"
#include "engine/io/LayerSupport.h"
#include "engine/train/Model.h"

namespace tessel {

namespace {

constexpr const char* kConfig = "config.json";
constexpr const char* kMetadata = "metadata.json";
constexpr const char* kWeights = "model.weights.h5";
// The Keras 3 version whose saving_lib layout we follow.
constexpr const char* kKeras3Version = "3.3.3";

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool looksLikeZip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[4] = {};
  in.read(head, 4);
  return in.gcount() == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
}

// The members of a zip file, read whole.
class ZipReader {
 public:
  explicit ZipReader(const std::string& path) : path_(path) {
    int err = 0;
    zip_ = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (!zip_) {
      if (!looksLikeZip(path)) throw Error(path + ": not a .keras archive (not a zip file)");
      zip_error_t e;
      zip_error_init_with_code(&e, err);
      std::string why = zip_error_strerror(&e);
      zip_error_fini(&e);
      throw Error(path + ": cannot read the zip archive (" + why + ")");
    }
  }
  ~ZipReader() { zip_discard(zip_); }
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    const zip_int64_t n = zip_get_num_entries(zip_, 0);
    for (zip_int64_t i = 0; i < n; ++i)
      if (const char* name = zip_get_name(zip_, static_cast<zip_uint64_t>(i), 0))
        out.emplace_back(name);
    return out;
  }
  bool has(const std::string& name) const { return zip_name_locate(zip_, name.c_str(), 0) >= 0; }
  std::vector<std::uint8_t> read(const std::string& name) const {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(zip_, name.c_str(), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
      throw Error(path_ + ": no member '" + name + "'");
    // The size is the archive's claim: checked before allocating that it can come from the
    // member's compressed bytes (stored as is, or deflate's best, 1032:1) inside the archive.
    std::error_code ec;
    const auto archiveBytes = std::filesystem::file_size(path_, ec);
    const bool stored = (st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method == ZIP_CM_STORE;
    const zip_uint64_t compressed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    const zip_uint64_t ratio = stored ? 1 : static_cast<zip_uint64_t>(kMaxDeflateRatio);
    if (ec || compressed > archiveBytes || st.size > compressed * ratio ||
        st.size > static_cast<zip_uint64_t>(kMaxArrayBytes))
      throw Error(
          path_ + ": member '" + name + "' claims " +
          countText(static_cast<std::int64_t>(std::min<zip_uint64_t>(st.size, INT64_MAX))) +
          " bytes from " +
          countText(static_cast<std::int64_t>(std::min<zip_uint64_t>(compressed, INT64_MAX))) +
          " compressed bytes in an archive of " +
          countText(static_cast<std::int64_t>(archiveBytes)) + " bytes (more than " +
          (stored ? std::string("a stored member") : "deflate's 1032:1") + " or the " +
          byteSizeText(kMaxArrayBytes) + " limit; truncated or corrupt?)");
    zip_file_t* f = zip_fopen(zip_, name.c_str(), 0);
    if (!f) throw Error(path_ + ": cannot open member '" + name + "'");
    std::vector<std::uint8_t> out(static_cast<size_t>(st.size));
    const zip_int64_t got = out.empty() ? 0 : zip_fread(f, out.data(), out.size());
    zip_fclose(f);
    if (got < 0 || static_cast<zip_uint64_t>(got) != st.size)
      throw Error(path_ + ": member '" + name + "' is truncated or corrupt");
    return out;
  }

 private:
  std::string path_;
  zip_t* zip_ = nullptr;
};

json parseMember(const ZipReader& zip, const std::string& path, const std::string& name) {
  const auto bytes = zip.read(name);
  try {
    return json::parse(bytes.begin(), bytes.end());
  } catch (const json::exception& e) {
    throw Error(path + ": " + name + " is not valid JSON (" + e.what() + ")");
  }
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none" : s;
}

std::string nowKerasDate() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d@%H:%M:%S", &tm);
  return buf;
}

}  // namespace

ModelFile readKerasArchive(const std::string& path) {
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open '" + path + "'");
  }
  if (!looksLikeZip(path)) throw Error(path + ": not a .keras archive (not a zip file)");
  ZipReader zip(path);
  if (!zip.has(kConfig))
    throw Error(path + ": not a Keras model archive: no config.json (members: " +
                joinNames(zip.names()) + ")");
  json config = parseMember(zip, path, kConfig);
  ModelFile file;
  file.spec = ModelSpec::fromKerasJson(config);
  readCustomClassLayers(file.spec);
  requireSupportedLayers(file.spec, path);
  if (config.is_object() && config.contains("compile_config") &&
      config["compile_config"].is_object())
    file.trainingConfig = trainingConfigFromCompileConfig(config["compile_config"]);
  if (!zip.has(kWeights))
    throw Error(path + ": no model.weights.h5 in the archive (members: " + joinNames(zip.names()) +
                ")");
  const h5::H5Node root = h5::H5Node::openImage(zip.read(kWeights), path + ":" + kWeights);
  Model model(file.spec, 0);
  file.weights = readKerasWeights(root, model, WeightsMatch::ByOrder);
  file.optimizerWeights = readKeras3OptimizerWeights(root, model, file.trainingConfig);
  return file;
}

void writeKerasArchive(const std::string& path, const ModelFile& file) {
  Keras3JsonOptions options;
  if (file.trainingConfig.is_object() && file.trainingConfig.contains("loss"))
    options.trainingConfig = file.trainingConfig;
  json configJson = toKeras3Json(inKerasLayerOrder(file.spec), options);
  writeCustomClassLayers(configJson);  // registered_name "Custom>Class", as Keras 3 writes
  const std::string config = configJson.dump();
  const std::string metadata =
      json{{"keras_version", kKeras3Version}, {"date_saved", nowKerasDate()}}.dump();
  const std::vector<std::uint8_t> weights =
      keras3WeightsImage(file.spec, file.weights, path + ":" + kWeights,
                         options.trainingConfig.is_null() ? NamedWeights{} : file.optimizerWeights,
                         options.trainingConfig);

  const std::string tmp = path + ".tmp-tessel";
  std::remove(tmp.c_str());
  int err = 0;
  zip_t* z = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) throw Error("cannot write '" + path + "'");
  auto add = [&](const char* name, const void* data, size_t size) {
    zip_source_t* src = zip_source_buffer(z, data, size, 0);
    if (!src) return false;
    const zip_int64_t idx = zip_file_add(z, name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
      zip_source_free(src);
      return false;
    }
    // Python's zipfile (which Keras uses) stores members uncompressed.
    zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
    return true;
  };
  const bool ok = add(kMetadata, metadata.data(), metadata.size()) &&
                  add(kConfig, config.data(), config.size()) &&
                  add(kWeights, weights.data(), weights.size());
  if (!ok || zip_close(z) != 0) {
    zip_discard(z);  // zip_close leaves the archive open when it fails
    std::remove(tmp.c_str());
    throw Error("cannot write '" + path + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error("cannot write '" + path + "'");
  }
}

bool isKerasFile(const std::string& path) {
  return looksLikeZip(path) || h5::looksLikeHdf5(path) || endsWith(path, ".keras") ||
         endsWith(path, ".h5") || endsWith(path, ".hdf5");
}

ModelFile readAnyModelFile(const std::string& path) {
  // .keras and .h5 go through libhdf5, which is not safe with hostile files: read in a child.
  if (looksLikeZip(path)) return readModelFileIsolated(path, readKerasArchive);
  if (h5::looksLikeHdf5(path)) return readModelFileIsolated(path, readKerasH5Model);
  if (endsWith(path, ".keras")) return readKerasArchive(path);  // says "not a zip file"
  if (endsWith(path, ".h5") || endsWith(path, ".hdf5")) return readKerasH5Model(path);
  return readModelFile(path);
}

NamedWeights readAnyWeightsFile(const std::string& path, Model& model, WeightsMatch match) {
  if (looksLikeZip(path) || endsWith(path, ".keras")) {
    if (!looksLikeZip(path)) throw Error(path + ": not a .keras archive (not a zip file)");
    // libhdf5 is not safe with hostile files: read in a child (IsolatedRead.h).
    return readWeightsIsolated(path, [&](const std::string&) {
      ZipReader zip(path);
      if (!zip.has(kWeights))
        throw Error(path + ": no model.weights.h5 in the archive (members: " +
                    joinNames(zip.names()) + ")");
      const h5::H5Node root = h5::H5Node::openImage(zip.read(kWeights), path + ":" + kWeights);
      return readKerasWeights(root, model, match);
    });
  }
  if (h5::looksLikeHdf5(path))
    return readWeightsIsolated(
        path, [&](const std::string&) { return readKerasWeightsFile(path, model, match); });
  if (endsWith(path, ".h5") || endsWith(path, ".hdf5"))
    return readKerasWeightsFile(path, model, match);  // says what is wrong with the file
  // TF.js: by name, every weight of the model.
  ModelFile file = readWeightsFile(path);
  std::map<std::string, const Tensor*> given;
  for (const auto& [n, t] : file.weights) given[n] = &t;
  NamedWeights out;
  for (auto& [name, var] : model.namedWeights()) {
    auto it = given.find(name);
    if (it == given.end()) throw Error(path + ": no weight '" + name + "'");
    if (it->second->shape() != var->value.shape())
      throw Error(path + ": weight '" + name + "' has shape " + shapeToString(it->second->shape()) +
                  ", the model expects " + shapeToString(var->value.shape()));
    out.emplace_back(name, *it->second);
  }
  return out;
}

KerasFileFormat kerasFileFormat(const std::string& name) {
  if (name == "keras") return KerasFileFormat::Keras;
  if (name == "h5") return KerasFileFormat::H5;
  if (name == "weights-h5") return KerasFileFormat::WeightsH5;
  if (name == "keras2-weights-h5") return KerasFileFormat::Keras2Weights;
  throw Error("unknown Keras file format '" + name +
              "' (keras, h5, weights-h5 or keras2-weights-h5)");
}

KerasFileFormat kerasFileFormatForPath(const std::string& path) {
  if (endsWith(path, ".keras")) return KerasFileFormat::Keras;
  if (endsWith(path, ".weights.h5")) return KerasFileFormat::WeightsH5;
  if (endsWith(path, ".h5") || endsWith(path, ".hdf5")) return KerasFileFormat::H5;
  throw Error("'" + path + "': not a Keras file name (.keras, .h5 or .weights.h5)");
}

void writeKerasFile(const std::string& path, KerasFileFormat format, const ModelFile& file) {
  switch (format) {
    case KerasFileFormat::Keras:
      writeKerasArchive(path, file);
      return;
    case KerasFileFormat::H5:
      writeKerasH5Model(path, file);
      return;
    case KerasFileFormat::WeightsH5:
      writeKerasWeightsH5(path, file.spec, file.weights, KerasWeightsLayout::Keras3);
      return;
    case KerasFileFormat::Keras2Weights:
      writeKerasWeightsH5(path, file.spec, file.weights, KerasWeightsLayout::Keras2);
      return;
  }
}

}  // namespace tessel
