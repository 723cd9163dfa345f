#pragma once
// Helpers for the convolution tests: create a layer through the registry, build it, set its
// variables by name, run forward, and a naive NHWC reference convolution.
#include <QtTest>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel::test {

inline std::unique_ptr<Layer> makeLayer(const std::string& cls, const json& config,
                                        const Shape& inShape, std::uint64_t seed = 7) {
  auto layer = LayerRegistry::instance().create(cls, config, "node");
  Rng rng(seed);
  layer->build({inShape}, rng);
  return layer;
}

inline Variable& var(Layer& layer, const std::string& name) {
  for (auto& v : layer.variables())
    if (v.name == name) return v;
  throw Error("no variable " + name);
}

inline Tensor runForward(Layer& layer, const Tensor& x, bool training = false) {
  Tensor y;
  Rng rng(1);
  RunContext ctx;
  ctx.training = training;
  ctx.rng = &rng;
  layer.forward({&x}, y, ctx);
  return y;
}

// Naive reference: x (n, h, w, c), kernel (kh, kw, c/groups, f), TF padding offsets given.
inline Tensor refConv2D(const Tensor& x, const Tensor& k, const Tensor* bias, Index sh, Index sw,
                        Index dh, Index dw, Index padT, Index padL, Index oh, Index ow,
                        Index groups) {
  const Index n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
  const Index kh = k.dim(0), kw = k.dim(1), cg = k.dim(2), f = k.dim(3), fg = f / groups;
  Tensor y({n, oh, ow, f});
  for (Index b = 0; b < n; ++b)
    for (Index oy = 0; oy < oh; ++oy)
      for (Index ox = 0; ox < ow; ++ox)
        for (Index o = 0; o < f; ++o) {
          const Index gi = o / fg;
          double s = bias ? (*bias)[o] : 0.0;
          for (Index i = 0; i < kh; ++i)
            for (Index j = 0; j < kw; ++j) {
              const Index iy = oy * sh - padT + i * dh, ix = ox * sw - padL + j * dw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (Index ci = 0; ci < cg; ++ci)
                s += double(x[((b * h + iy) * w + ix) * c + gi * cg + ci]) *
                     k[((i * kw + j) * cg + ci) * f + o];
            }
          y[((b * oh + oy) * ow + ox) * f + o] = float(s);
        }
  return y;
}

inline void compareTensors(const Tensor& a, const Tensor& b, double tol = 1e-4) {
  QVERIFY2(a.shape() == b.shape(),
           (shapeToString(a.shape()) + " vs " + shapeToString(b.shape())).c_str());
  for (Index i = 0; i < a.size(); ++i) {
    if (std::fabs(double(a[i]) - b[i]) > tol * (1.0 + std::fabs(double(b[i])))) {
      QFAIL(qPrintable(QString("index %1: %2 vs %3").arg(i).arg(a[i]).arg(b[i])));
    }
  }
}

template <typename F>
inline void expectSpecError(F&& f, SpecErrorKind kind, const std::string& contains) {
  try {
    f();
  } catch (const SpecError& e) {
    QCOMPARE(int(e.kind()), int(kind));
    QVERIFY2(std::string(e.what()).find(contains) != std::string::npos, e.what());
    QVERIFY2(e.node() == "node", e.what());
    return;
  }
  QFAIL(("expected SpecError containing: " + contains).c_str());
}

}  // namespace tessel::test
