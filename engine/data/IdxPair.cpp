#include "engine/data/IdxPair.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "engine/core/Error.h"
#include "engine/data/Idx.h"

namespace tessel {

namespace fs = std::filesystem;

namespace {

bool replaceAll(std::string& s, const std::string& from, const std::string& to) {
  bool any = false;
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
    any = true;
  }
  return any;
}

// 1 for labels, 2 for images, 0 when the file is not IDX.
int idxKind(const fs::path& p) {
  try {
    const IdxHeader h = readIdxHeader(p.string());
    return h.shape.size() == 1 ? 1 : 2;
  } catch (const Error&) {
    return 0;
  }
}

std::string stem(std::string name) {
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0) name.resize(name.size() - 3);
  return name;
}

// "train-images-idx3-ubyte" -> "train"
std::string prefixOf(const std::string& name) {
  const std::string s = stem(name);
  for (const char* key : {"-images", "_images", "-labels", "_labels", "images", "labels"}) {
    const size_t pos = s.find(key);
    if (pos != std::string::npos) return s.substr(0, pos);
  }
  return s;
}

// The partner by name swap: images <-> labels, idx3 <-> idx1 (and .gz or not).
std::string partnerByName(const fs::path& file, int kind) {
  std::string name = stem(file.filename().string());
  std::string swapped = name;
  bool changed =
      kind == 2 ? replaceAll(swapped, "images", "labels") : replaceAll(swapped, "labels", "images");
  changed |= kind == 2 ? replaceAll(swapped, "idx3", "idx1") : replaceAll(swapped, "idx1", "idx3");
  if (!changed) return {};
  for (const std::string& cand : {swapped, swapped + ".gz"}) {
    const fs::path p = file.parent_path() / cand;
    std::error_code ec;
    if (fs::is_regular_file(p, ec) && idxKind(p) == 3 - kind) return p.string();
  }
  return {};
}

}  // namespace

std::vector<IdxPair> findIdxPairs(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": no such file or folder");
  if (!fs::is_directory(path, ec)) {
    const int kind = idxKind(path);
    if (kind == 0) readIdxHeader(path);  // throws the header's own message
    const std::string partner = partnerByName(path, kind);
    IdxPair p;
    p.name = prefixOf(fs::path(path).filename().string());
    if (kind == 2) {
      p.images = path;
      p.labels = partner;
    } else {
      if (partner.empty())
        throw Error(path + ": a labels file; its images file (" +
                    stem(fs::path(path).filename().string()) +
                    " with 'labels' -> 'images') was "
                    "not found next to it");
      p.images = partner;
      p.labels = path;
    }
    return {p};
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(path, ec))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::map<std::string, IdxPair> byPrefix;
  std::map<std::string, std::string> labelsByPrefix;
  for (const auto& f : files) {
    const int kind = idxKind(f);
    if (kind == 0) continue;
    const std::string prefix = prefixOf(f.filename().string());
    if (kind == 2) {
      IdxPair p{prefix, f.string(), partnerByName(f, 2)};
      byPrefix[prefix] = p;
    } else {
      labelsByPrefix[prefix] = f.string();
    }
  }
  std::vector<IdxPair> out;
  for (auto& [prefix, p] : byPrefix) {
    if (p.labels.empty() && labelsByPrefix.count(prefix)) p.labels = labelsByPrefix[prefix];
    out.push_back(p);
  }
  if (out.empty()) throw Error(path + ": no IDX image file in this folder");
  return out;
}

IdxData loadIdxPair(const IdxPair& pair, Index maxRows) {
  IdxData d;
  d.files = pair;
  d.x = readIdx(pair.images, maxRows);
  if (!pair.labels.empty()) {
    d.y = readIdx(pair.labels, maxRows);
    if (d.y.rank() != 1)
      throw Error(pair.labels + ": a labels file must have one dimension, got " +
                  shapeToString(d.y.shape()));
    if (d.y.rows() != d.x.rows())
      throw Error(pair.images + " has " + std::to_string(d.x.rows()) + " images but " +
                  pair.labels + " has " + std::to_string(d.y.rows()) + " labels");
  }
  return d;
}

}  // namespace tessel
