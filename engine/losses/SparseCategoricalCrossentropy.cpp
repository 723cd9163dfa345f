#include "engine/losses/SparseCategoricalCrossentropy.h"

#include <cmath>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/losses/LossLayout.h"

namespace tessel {

using lossdetail::clampf;
using lossdetail::kEpsilon;

namespace {

std::string labelText(float v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

nlohmann::json SparseCategoricalCrossentropy::config() const {
  auto c = Loss::config();
  c["from_logits"] = fromLogits_;
  c["ignore_class"] = nullptr;
  return c;
}

Index SparseCategoricalCrossentropy::classOf(float label, Index classes) const {
  if (!(label >= 0.0f) || label >= float(classes) || label != std::floor(label))
    throw Error("loss '" + name() + "': label " + labelText(label) +
                " is not a class id for an output with " + std::to_string(classes) +
                " classes (expected an integer in [0, " + std::to_string(classes - 1) + "])");
  return Index(label);
}

void SparseCategoricalCrossentropy::checkLabels(const Tensor& yTrue, const Shape& predShape) const {
  if (predShape.size() < 2)
    throw Error("loss '" + name() + "': the output shape " + shapeToString(predShape) +
                " has no class axis");
  const Index classes = predShape.back();
  if (classes == kNone)
    throw Error("loss '" + name() + "': the output shape " + shapeToString(predShape) +
                " has an unknown number of classes");
  bool variable = false;  // variable-length axes: the count is checked per batch instead
  for (size_t i = 1; i + 1 < predShape.size(); ++i) variable = variable || predShape[i] == kNone;
  const Index positions = shapeProduct(Shape(predShape.begin() + 1, predShape.end() - 1));
  const Index n = yTrue.rank() >= 1 ? yTrue.dim(0) : 1;
  if (!variable && n > 0 && yTrue.size() != n * positions)
    throw Error("loss '" + name() + "': labels of shape " + shapeToString(yTrue.shape()) +
                " do not fit the output shape " + shapeToString(predShape) + " (expected " +
                std::to_string(positions) + " class id(s) per sample)");
  for (Index i = 0; i < yTrue.size(); ++i) {
    try {
      classOf(yTrue[i], classes);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " at label index " + std::to_string(i));
    }
  }
}

double SparseCategoricalCrossentropy::position(Index y, const float* x, Index c, double scale,
                                               float* g) const {
  if (fromLogits_) {
    double m = x[0];
    for (Index j = 1; j < c; ++j) m = std::max(m, double(x[j]));
    double z = 0;
    for (Index j = 0; j < c; ++j) z += std::exp(double(x[j]) - m);
    const double lse = m + std::log(z);
    if (g)
      for (Index j = 0; j < c; ++j)
        g[j] = float(scale * (std::exp(double(x[j]) - lse) - (j == y ? 1.0 : 0.0)));
    return lse - double(x[y]);
  }
  double sum = 0;
  for (Index j = 0; j < c; ++j) sum += clampf(x[j], kEpsilon, 1.0f - kEpsilon);
  const double cy = clampf(x[y], kEpsilon, 1.0f - kEpsilon);
  if (g)  // dL/dc_k = 1/sum - [k == y]/c_y, passed where p_k is inside the clip range
    for (Index j = 0; j < c; ++j) {
      const bool inside = x[j] >= kEpsilon && x[j] <= 1.0f - kEpsilon;
      g[j] = inside ? float(scale * (1.0 / sum - (j == y ? 1.0 / cy : 0.0))) : 0.0f;
    }
  return -std::log(cy / sum);
}

void SparseCategoricalCrossentropy::perSample(const Tensor& yTrue, const Tensor& yPred,
                                              float* out) const {
  const auto l = lossdetail::layoutOf(yPred);
  if (yTrue.size() != l.n * l.positions)
    throw Error("loss '" + name() + "': labels of shape " + shapeToString(yTrue.shape()) +
                " do not fit the output shape " + shapeToString(yPred.shape()));
  for (Index i = 0; i < l.n; ++i) {
    double s = 0;
    for (Index k = 0; k < l.positions; ++k) {
      const Index y = classOf(yTrue[i * l.positions + k], l.last);
      s += position(y, yPred.data() + i * l.perSample + k * l.last, l.last, 0, nullptr);
    }
    out[i] = float(s / double(l.positions));
  }
}

void SparseCategoricalCrossentropy::gradient(const Tensor& yTrue, const Tensor& yPred,
                                             const float* scale, Tensor& dPred) const {
  const auto l = lossdetail::layoutOf(yPred);
  if (yTrue.size() != l.n * l.positions)
    throw Error("loss '" + name() + "': labels of shape " + shapeToString(yTrue.shape()) +
                " do not fit the output shape " + shapeToString(yPred.shape()));
  dPred.resize(yPred.shape());
  for (Index i = 0; i < l.n; ++i) {
    const double c = (scale ? scale[i] : 1.0f) / double(l.positions);
    for (Index k = 0; k < l.positions; ++k) {
      const Index y = classOf(yTrue[i * l.positions + k], l.last);
      const Index off = i * l.perSample + k * l.last;
      position(y, yPred.data() + off, l.last, c, dPred.data() + off);
    }
  }
}

}  // namespace tessel
