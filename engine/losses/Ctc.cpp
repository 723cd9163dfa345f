#include "engine/losses/Ctc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "engine/core/Error.h"
#include "engine/losses/LossLayout.h"

namespace tessel {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double logAdd(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

std::string text(float v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

nlohmann::json Ctc::config() const {
  auto c = Loss::config();
  c["reduction"] = "sum_over_batch_size";  // Keras 3 writes its default by name
  if (!fromLogits_) c["from_logits"] = false;
  return c;
}

Index Ctc::minSteps(const std::vector<Index>& label) {
  Index steps = Index(label.size());
  for (size_t i = 1; i < label.size(); ++i) steps += label[i] == label[i - 1] ? 1 : 0;
  return steps;
}

std::vector<Index> Ctc::labelOf(const Tensor& yTrue, Index i, Index width, Index classes) const {
  std::vector<Index> label;
  bool padded = false;
  for (Index j = 0; j < width; ++j) {
    const float v = yTrue[i * width + j];
    if (!(v >= 0.0f) || v >= float(classes) || v != std::floor(v))
      throw Error("loss '" + name() + "': label " + text(v) + " of sample " + std::to_string(i) +
                  " (position " + std::to_string(j) + ") is not a class id for an output with " +
                  std::to_string(classes) + " classes (expected an integer in [1, " +
                  std::to_string(classes - 1) + "], 0 = blank / padding)");
    if (v == 0.0f) {
      padded = true;
    } else if (padded) {
      throw Error("loss '" + name() + "': sample " + std::to_string(i) + " has label " + text(v) +
                  " at position " + std::to_string(j) +
                  " after the 0 padding (labels are padded with 0 at the end, as Keras 3's CTC)");
    } else {
      label.push_back(Index(v));
    }
  }
  return label;
}

void Ctc::checkLabels(const Tensor& yTrue, const Shape& predShape) const {
  if (predShape.size() != 3)
    throw Error("loss '" + name() + "': the output shape " + shapeToString(predShape) +
                " is not (batch, time steps, classes): CTC needs a rank-3 output");
  const Index classes = predShape[2], steps = predShape[1];
  if (classes == kNone || classes < 2)
    throw Error("loss '" + name() + "': the output shape " + shapeToString(predShape) +
                " needs a known number of classes >= 2 (class 0 is the blank)");
  if (yTrue.rank() != 2)
    throw Error("loss '" + name() + "': labels of shape " + shapeToString(yTrue.shape()) +
                " are not (batch, max_label_length) integer labels");
  const Index n = yTrue.dim(0), width = yTrue.dim(1);
  for (Index i = 0; i < n; ++i) {
    const std::vector<Index> label = labelOf(yTrue, i, width, classes);
    if (steps != kNone && minSteps(label) > steps)
      throw Error("loss '" + name() + "': the label of sample " + std::to_string(i) + " (" +
                  std::to_string(label.size()) + " ids) needs at least " +
                  std::to_string(minSteps(label)) + " time steps but the output has " +
                  std::to_string(steps) + " (its CTC loss would be infinite)");
  }
}

void Ctc::checkShapes(const Tensor& yTrue, const Tensor& yPred) const {
  if (yPred.rank() != 3)
    throw Error("loss '" + name() + "': y_pred of shape " + shapeToString(yPred.shape()) +
                " is not (batch, time steps, classes)");
  if (yTrue.rank() != 2 || yTrue.dim(0) != yPred.dim(0))
    throw Error("loss '" + name() + "': labels of shape " + shapeToString(yTrue.shape()) +
                " are not (batch, max_label_length) for the output " +
                shapeToString(yPred.shape()));
  if (yPred.dim(2) < 2)
    throw Error("loss '" + name() + "': the output has " + std::to_string(yPred.dim(2)) +
                " class(es); CTC needs the blank (0) and at least one label class");
  const Index t = yPred.dim(1), c = yPred.dim(2);
  for (Index k = 0; k < yPred.size(); ++k) {
    const float v = yPred[k];
    if (!std::isfinite(v) || (!fromLogits_ && v < 0.0f))
      throw Error("loss '" + name() + "': y_pred is " + text(v) + " at batch sample " +
                  std::to_string(k / (t * c)) + ", step " + std::to_string((k / c) % t) +
                  ", class " + std::to_string(k % c) +
                  (std::isfinite(v) ? std::string(" (expected probabilities)")
                                    : std::string(" (the model's output is not finite)")));
  }
}

double Ctc::sample(const std::vector<Index>& label, const float* x, Index T, Index C, double scale,
                   float* g) const {
  // lp (T, C): log_softmax of the logits z (z = x, or log(x + eps) for probabilities).
  std::vector<double> lp(size_t(T * C)), sm(size_t(T * C));
  for (Index t = 0; t < T; ++t) {
    const float* xt = x + t * C;
    double* z = lp.data() + t * C;
    for (Index k = 0; k < C; ++k)
      z[k] = fromLogits_ ? double(xt[k]) : std::log(double(xt[k]) + double(lossdetail::kEpsilon));
    double m = z[0];
    for (Index k = 1; k < C; ++k) m = std::max(m, z[k]);
    double s = 0;
    for (Index k = 0; k < C; ++k) s += std::exp(z[k] - m);
    const double lse = m + std::log(s);
    for (Index k = 0; k < C; ++k) {
      z[k] -= lse;
      sm[size_t(t * C + k)] = std::exp(z[k]);
    }
  }
  // The extended label l' = (blank, l1, blank, l2, ..., lL, blank), S = 2L + 1.
  const Index L = Index(label.size()), S = 2 * L + 1;
  auto ext = [&](Index s) { return s % 2 == 0 ? kBlank : label[size_t(s / 2)]; };
  auto skip = [&](Index s) {  // may alignments jump from s - 2 to s?
    return s >= 2 && s % 2 == 1 && ext(s) != ext(s - 2);
  };
  if (T == 0) return L == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  // alpha[t][s]: log p(prefix l'_0..s emitted by steps 0..t, ending in s), emission included.
  std::vector<double> alpha(size_t(T * S), kNegInf), beta(size_t(T * S), kNegInf);
  alpha[0] = lp[size_t(kBlank)];
  if (S > 1) alpha[1] = lp[size_t(ext(1))];
  for (Index t = 1; t < T; ++t) {
    const double* prev = alpha.data() + (t - 1) * S;
    double* cur = alpha.data() + t * S;
    for (Index s = 0; s < S; ++s) {
      double a = prev[s];
      if (s >= 1) a = logAdd(a, prev[s - 1]);
      if (skip(s)) a = logAdd(a, prev[s - 2]);
      cur[s] = a == kNegInf ? kNegInf : a + lp[size_t(t * C + ext(s))];
    }
  }
  const double* last = alpha.data() + (T - 1) * S;
  const double logP = S > 1 ? logAdd(last[S - 1], last[S - 2]) : last[S - 1];
  if (logP == kNegInf) {  // no alignment fits: TensorFlow's +inf; a zero gradient
    if (g) std::fill(g, g + T * C, 0.0f);
    return std::numeric_limits<double>::infinity();
  }
  if (!g) return -logP;
  // beta[t][s]: log p(suffix l'_s..S-1 emitted by steps t..T-1, starting in s), emission included.
  beta[size_t((T - 1) * S + S - 1)] = lp[size_t((T - 1) * C + kBlank)];
  if (S > 1) beta[size_t((T - 1) * S + S - 2)] = lp[size_t((T - 1) * C + ext(S - 2))];
  for (Index t = T - 2; t >= 0; --t) {
    const double* next = beta.data() + (t + 1) * S;
    double* cur = beta.data() + t * S;
    for (Index s = 0; s < S; ++s) {
      double b = next[s];
      if (s + 1 < S) b = logAdd(b, next[s + 1]);
      if (s + 2 < S && skip(s + 2)) b = logAdd(b, next[s + 2]);
      cur[s] = b == kNegInf ? kNegInf : b + lp[size_t(t * C + ext(s))];
    }
  }
  // occupancy[t][k] = sum over s with l'_s = k of exp(alpha + beta - lp - logP);
  // dL/dlp[t][k] = -occupancy; through log_softmax: dL/dz = -occ + softmax * sum_k occ.
  std::vector<double> occ(static_cast<size_t>(C));
  for (Index t = 0; t < T; ++t) {
    std::fill(occ.begin(), occ.end(), 0.0);
    for (Index s = 0; s < S; ++s) {
      const double a = alpha[size_t(t * S + s)], b = beta[size_t(t * S + s)];
      if (a == kNegInf || b == kNegInf) continue;
      const Index k = ext(s);
      occ[size_t(k)] += std::exp(a + b - lp[size_t(t * C + k)] - logP);
    }
    double total = 0;
    for (Index k = 0; k < C; ++k) total += occ[size_t(k)];
    for (Index k = 0; k < C; ++k) {
      double dz = sm[size_t(t * C + k)] * total - occ[size_t(k)];
      if (!fromLogits_) dz /= double(x[t * C + k]) + double(lossdetail::kEpsilon);
      g[t * C + k] = float(scale * dz);
    }
  }
  return -logP;
}

void Ctc::perSample(const Tensor& yTrue, const Tensor& yPred, float* out) const {
  checkShapes(yTrue, yPred);
  const Index n = yPred.dim(0), T = yPred.dim(1), C = yPred.dim(2), width = yTrue.dim(1);
  for (Index i = 0; i < n; ++i)
    out[i] =
        float(sample(labelOf(yTrue, i, width, C), yPred.data() + i * T * C, T, C, 0.0, nullptr));
}

void Ctc::gradient(const Tensor& yTrue, const Tensor& yPred, const float* scale,
                   Tensor& dPred) const {
  checkShapes(yTrue, yPred);
  const Index n = yPred.dim(0), T = yPred.dim(1), C = yPred.dim(2), width = yTrue.dim(1);
  dPred.resize(yPred.shape());
  for (Index i = 0; i < n; ++i)
    sample(labelOf(yTrue, i, width, C), yPred.data() + i * T * C, T, C,
           scale ? double(scale[i]) : 1.0, dPred.data() + i * T * C);
}

}  // namespace tessel
