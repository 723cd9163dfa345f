#pragma once
// Loading the TF.js golden fixtures (tests/fixtures/tfjs/*.json, format in the README there) and
// comparing engine tensors against them with a relative tolerance and an absolute floor. The
// data-driven tests run one row per fixture case:
//
//   void values_data() { addCaseRows({"losses.json"}); }
//   void values() { const json& c = currentCase(); ... }
#include <QTest>

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/tensor/Tensor.h"

namespace tessel::golden {

using json = nlohmann::json;

// An error message cut before its list of known names (for QSKIP lines).
inline std::string brief(const std::string& message) {
  const size_t known = message.find(" (known");
  std::string out = message.substr(0, known);
  if (out.size() > 160) out = out.substr(0, 157) + "...";
  return out;
}

// The parsed fixture file tests/fixtures/tfjs/<file>; throws std::runtime_error when missing.
inline json loadFixture(const std::string& file) {
  const std::string path = std::string(TESSEL_FIXTURES_DIR) + "/tfjs/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  return json::parse(in);
}

// loadFixture(file), parsed once per test executable.
inline const json& fixture(const std::string& file) {
  static std::map<std::string, json> cache;
  auto it = cache.find(file);
  if (it == cache.end()) it = cache.emplace(file, loadFixture(file)).first;
  return it->second;
}

// For a <slot>_data() function: the columns "file" (QString) and "index" (int) and one row per
// case of each file, named after the case.
inline void addCaseRows(std::initializer_list<const char*> files) {
  QTest::addColumn<QString>("file");
  QTest::addColumn<int>("index");
  for (const char* file : files) {
    const json& cases = fixture(file).at("cases");
    for (size_t i = 0; i < cases.size(); ++i)
      QTest::newRow(cases[i].at("case").get<std::string>().c_str())
          << QString::fromUtf8(file) << int(i);
  }
}

// In a data-driven slot whose _data() called addCaseRows: the current row's case.
inline const json& currentCase() {
  QFETCH(QString, file);
  QFETCH(int, index);
  return fixture(file.toStdString()).at("cases").at(size_t(index));
}

inline Shape shapeOf(const json& t) {
  Shape s;
  for (const auto& d : t.at("shape")) s.push_back(d.get<Index>());
  return s;
}

inline std::vector<float> valuesOf(const json& t) {
  std::vector<float> v;
  v.reserve(t.at("values").size());
  for (const auto& x : t.at("values")) v.push_back(static_cast<float>(x.get<double>()));
  return v;
}

// {"shape", "values"} -> Tensor.
inline Tensor tensorOf(const json& t) {
  return Tensor(shapeOf(t), valuesOf(t));
}

// Shape with the batch dimension replaced by kNone (what Layer::outputShape takes and returns).
inline Shape unbatched(Shape s) {
  if (!s.empty()) s[0] = kNone;
  return s;
}

inline std::string shapeStr(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// |got - want| <= atol + rtol * |want| for every element. Returns "" when close, else a one-line
// description of the worst element (index, both values) and the number of mismatches.
inline std::string compareValues(const float* got, const std::vector<float>& want, double rtol,
                                 double atol) {
  size_t bad = 0, worst = 0;
  double worstExcess = -1;
  for (size_t i = 0; i < want.size(); ++i) {
    const double g = got[i], w = want[i];
    const double tol = atol + rtol * std::fabs(w);
    const double err = std::fabs(g - w);
    if (!(err <= tol)) {  // also catches NaN
      ++bad;
      const double excess = std::isnan(err) ? 1e300 : err / tol;
      if (excess > worstExcess) worstExcess = excess, worst = i;
    }
  }
  if (bad == 0) return "";
  std::ostringstream os;
  os.precision(9);
  os << bad << " of " << want.size() << " values differ; worst at flat index " << worst << ": got "
     << got[worst] << ", want " << want[worst] << " (rtol " << rtol << ", atol " << atol << ")";
  return os.str();
}

// Shape and values of `got` against the fixture tensor `want`.
inline std::string compareTensor(const Tensor& got, const json& want, double rtol, double atol) {
  const Shape ws = shapeOf(want);
  if (got.shape() != ws) return "shape " + shapeStr(got.shape()) + ", want " + shapeStr(ws);
  return compareValues(got.data(), valuesOf(want), rtol, atol);
}

}  // namespace tessel::golden
