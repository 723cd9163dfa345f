// Helpers shared by the Keras HDF5 tests (tst_engine_io_kerash5, tst_engine_io_kerash5wrappers):
// python3-h5py detection, bit-exact tensor checks, nested-JSON tensors from the h5py fixtures and
// the "predictions equal numpy's" check.
#pragma once

#include <QFileInfo>
#include <QProcess>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>

#include "engine/io/KerasH5.h"
#include "engine/train/Model.h"

namespace tessel::testutil {

inline QString python() {
  return QFileInfo::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

inline bool haveH5py() {
  QProcess p;
  p.start(python(), {"-c", "import h5py, numpy"});
  return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

inline std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

inline bool bitEqual(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<size_t>(a.size())) == 0;
}

inline const Tensor* find(const NamedWeights& w, const std::string& name) {
  for (const auto& [n, t] : w)
    if (n == name) return &t;
  return nullptr;
}

// Every weight of the fixture (flat float32 values as json) equals `w`'s bit for bit.
inline void expectFixtureWeights(const json& expected, const NamedWeights& w) {
  QCOMPARE(w.size(), expected.size());
  for (const auto& [name, values] : expected.items()) {
    const Tensor* t = find(w, name);
    QVERIFY2(t, name.c_str());
    QCOMPARE(static_cast<size_t>(t->size()), values.size());
    for (size_t i = 0; i < values.size(); ++i) QCOMPARE(t->data()[i], values[i].get<float>());
  }
}

inline Tensor tensorOf(const json& nested) {
  Shape shape;
  const json* j = &nested;
  while (j->is_array()) {
    shape.push_back(static_cast<Index>(j->size()));
    j = &(*j)[0];
  }
  Tensor t(shape);
  Index k = 0;
  std::function<void(const json&)> fill = [&](const json& v) {
    if (v.is_array()) {
      for (const auto& e : v) fill(e);
    } else {
      t.data()[k++] = v.get<float>();
    }
  };
  fill(nested);
  return t;
}

// The model's predictions on fixture x equal numpy's y within 1e-5.
inline void expectPredictions(const ModelSpec& spec, const NamedWeights& weights, const json& fx) {
  Model model(spec, 0);
  model.loadNamedWeights(weights);
  Tensor x = tensorOf(fx["x"]);
  Tensor y = tensorOf(fx["y"]);
  RunContext ctx;
  model.forward({&x}, false, ctx);
  const Tensor& out = model.output(0);
  QCOMPARE(out.shape(), y.shape());
  float worst = 0;
  for (Index i = 0; i < y.size(); ++i)
    worst = std::max(worst, std::abs(out.data()[i] - y.data()[i]));
  qInfo("%s: max |Tessel - numpy| = %.3g over %lld outputs", spec.name.c_str(),
        static_cast<double>(worst), static_cast<long long>(y.size()));
  QVERIFY(worst < 1e-5f);
}

}  // namespace tessel::testutil
