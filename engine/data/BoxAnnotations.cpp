#include "engine/data/BoxAnnotations.h"

#include <tinyxml2.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <unordered_map>

#include "engine/core/Error.h"
#include "engine/data/CsvReader.h"

namespace tessel {

namespace {

bool parseNumber(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* e = nullptr;
  out = std::strtod(s.c_str(), &e);
  return e == s.c_str() + s.size() && std::isfinite(out);
}

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Checks a normalised box; `where` is "file:line".
void checkBox(const BoxAnnotation& b, const std::string& where) {
  const double v[4] = {b.yMin, b.xMin, b.yMax, b.xMax};
  const char* names[4] = {"y_min", "x_min", "y_max", "x_max"};
  for (int k = 0; k < 4; ++k)
    if (v[k] < 0.0 || v[k] > 1.0)
      throw Error(where + ": box " + names[k] + " = " + num(v[k]) +
                  " is outside [0, 1] (coordinates must be normalised)");
  if (b.yMin > b.yMax)
    throw Error(where + ": box y_min " + num(b.yMin) + " > y_max " + num(b.yMax));
  if (b.xMin > b.xMax)
    throw Error(where + ": box x_min " + num(b.xMin) + " > x_max " + num(b.xMax));
}

}  // namespace

std::vector<ImageAnnotations> readBoxCsv(const std::string& path) {
  CsvReader reader(path, ',');
  std::vector<std::string> f;
  std::vector<ImageAnnotations> out;
  std::unordered_map<std::string, size_t> index;
  bool first = true;
  while (reader.next(f)) {
    const std::string where = path + ":" + std::to_string(reader.line());
    double v[4];
    if (first) {
      first = false;
      if (f.size() >= 2 && !parseNumber(f[1], v[0])) continue;  // a header line
    }
    if (f.size() != 6)
      throw Error(where +
                  ": expected 6 fields (filename, y_min, x_min, y_max, x_max, label), "
                  "found " +
                  std::to_string(f.size()));
    if (f[0].empty()) throw Error(where + ": empty filename");
    const char* names[4] = {"y_min", "x_min", "y_max", "x_max"};
    for (int k = 0; k < 4; ++k)
      if (!parseNumber(f[k + 1], v[k]))
        throw Error(where + ": " + names[k] + " '" + f[k + 1] + "' is not a number");
    BoxAnnotation b{float(v[0]), float(v[1]), float(v[2]), float(v[3]), f[5], reader.line()};
    checkBox(b, where);
    auto [it, inserted] = index.emplace(f[0], out.size());
    if (inserted) {
      ImageAnnotations img;
      img.filename = f[0];
      img.source = path;
      out.push_back(std::move(img));
    }
    out[it->second].boxes.push_back(std::move(b));
  }
  if (out.empty()) throw Error(path + ": no boxes");
  return out;
}

ImageAnnotations readVocXml(const std::string& path) {
  tinyxml2::XMLDocument doc;
  const auto rc = doc.LoadFile(path.c_str());
  if (rc == tinyxml2::XML_ERROR_FILE_NOT_FOUND) throw Error(path + ": no such file");
  if (rc != tinyxml2::XML_SUCCESS)
    throw Error(path + ":" + std::to_string(doc.ErrorLineNum()) + ": not valid XML (" +
                (doc.ErrorStr() ? doc.ErrorStr() : "parse error") + ")");
  const auto* root = doc.FirstChildElement("annotation");
  if (!root) throw Error(path + ": no <annotation> element (not a Pascal VOC file)");
  auto at = [&](const tinyxml2::XMLElement* e) {
    return path + ":" + std::to_string(e ? e->GetLineNum() : 0);
  };
  auto number = [&](const tinyxml2::XMLElement* parent, const char* name) {
    const auto* e = parent->FirstChildElement(name);
    if (!e || !e->GetText())
      throw Error(at(parent) + ": <" + parent->Name() + "> has no <" + name + ">");
    double v = 0;
    if (!parseNumber(e->GetText(), v))
      throw Error(at(e) + ": <" + name + "> '" + e->GetText() + "' is not a number");
    return v;
  };
  ImageAnnotations img;
  img.source = path;
  const auto* fn = root->FirstChildElement("filename");
  if (!fn || !fn->GetText()) throw Error(at(root) + ": <annotation> has no <filename>");
  img.filename = fn->GetText();
  const auto* size = root->FirstChildElement("size");
  if (!size) throw Error(at(root) + ": <annotation> has no <size> (needed to normalise boxes)");
  const double w = number(size, "width"), h = number(size, "height");
  if (w <= 0 || h <= 0)
    throw Error(at(size) + ": image size " + num(w) + "x" + num(h) + " must be positive");
  if (w > 1e6 || h > 1e6)
    throw Error(at(size) + ": image size " + num(w) + "x" + num(h) +
                " is over the limit of 1000000 pixels a side");
  img.width = int(w), img.height = int(h);
  for (const auto* o = root->FirstChildElement("object"); o; o = o->NextSiblingElement("object")) {
    const auto* name = o->FirstChildElement("name");
    const auto* bb = o->FirstChildElement("bndbox");
    if (!bb) throw Error(at(o) + ": <object> has no <bndbox>");
    const double xmin = number(bb, "xmin"), ymin = number(bb, "ymin");
    const double xmax = number(bb, "xmax"), ymax = number(bb, "ymax");
    const std::string where = at(bb);
    if (xmin < 0 || xmax > w || ymin < 0 || ymax > h || xmax < 0 || ymax < 0 || xmin > w ||
        ymin > h)
      throw Error(where + ": box (xmin " + num(xmin) + ", ymin " + num(ymin) + ", xmax " +
                  num(xmax) + ", ymax " + num(ymax) + ") is outside the " + num(w) + "x" + num(h) +
                  " image");
    BoxAnnotation b{float(ymin / h),
                    float(xmin / w),
                    float(ymax / h),
                    float(xmax / w),
                    name && name->GetText() ? name->GetText() : "",
                    o->GetLineNum()};
    if (ymin > ymax) throw Error(where + ": box ymin " + num(ymin) + " > ymax " + num(ymax));
    if (xmin > xmax) throw Error(where + ": box xmin " + num(xmin) + " > xmax " + num(xmax));
    checkBox(b, where);
    img.boxes.push_back(std::move(b));
  }
  return img;
}

std::vector<ImageAnnotations> readVocFolder(const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw Error(folder + ": no such folder");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(folder, ec))
    if (e.is_regular_file() && e.path().extension() == ".xml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw Error(folder + ": no .xml annotation files");
  std::vector<ImageAnnotations> out;
  for (const auto& f : files) out.push_back(readVocXml(f));
  return out;
}

std::vector<std::string> boxLabels(const std::vector<ImageAnnotations>& images) {
  std::set<std::string> s;
  for (const auto& i : images)
    for (const auto& b : i.boxes) s.insert(b.label);
  return {s.begin(), s.end()};
}

}  // namespace tessel
