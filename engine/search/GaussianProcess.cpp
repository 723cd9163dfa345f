#include "engine/search/GaussianProcess.h"

#include <cmath>
#include <limits>

#include "engine/core/Error.h"

namespace tessel {

double GaussianProcess::matern52(double r) {
  const double s = std::sqrt(5.0) * r;
  return (1.0 + s + s * s / 3.0) * std::exp(-s);
}

bool GaussianProcess::factor(double l, Eigen::LLT<Eigen::MatrixXd>& llt) const {
  const Eigen::Index n = x_.rows();
  Eigen::MatrixXd k(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) k(i, j) = matern52((x_.row(i) - x_.row(j)).norm() / l);
  k.diagonal().array() += alpha_;
  llt.compute(k);
  return llt.info() == Eigen::Success;
}

double GaussianProcess::logLikelihood(double l) const {
  Eigen::LLT<Eigen::MatrixXd> llt;
  if (!factor(l, llt)) return -std::numeric_limits<double>::infinity();
  Eigen::VectorXd a = llt.solve(yn_);
  double logDet = 0;
  for (Eigen::Index i = 0; i < x_.rows(); ++i) logDet += std::log(llt.matrixL()(i, i));
  return -0.5 * yn_.dot(a) - logDet - 0.5 * x_.rows() * std::log(2 * 3.14159265358979323846);
}

void GaussianProcess::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  if (!x.allFinite() || !y.allFinite())
    throw Error("Gaussian process: the trials hold NaN or Inf scores");
  const Eigen::Index n = x.rows();
  x_ = x;
  yMean_ = y.mean();
  yStd_ = n > 1 ? std::sqrt((y.array() - yMean_).square().mean()) : 0.0;
  if (!(yStd_ > 0)) yStd_ = 1;  // numpy would divide by 0; every score equal: nothing to learn
  yn_ = (y.array() - yMean_) / yStd_;
  lengthScale_ = fixedLengthScale_;
  if (lengthScale_ <= 0) {
    // Log grid over [1e-3, 1e2], then golden-section search around the best grid point.
    const double lo = std::log(1e-3), hi = std::log(1e2);
    const int steps = 40;
    double bestT = 0, best = -std::numeric_limits<double>::infinity();
    for (int i = 0; i <= steps; ++i) {
      double t = lo + (hi - lo) * i / steps;
      double ll = logLikelihood(std::exp(t));
      if (ll > best) {
        best = ll;
        bestT = t;
      }
    }
    double a = std::max(lo, bestT - (hi - lo) / steps), b = std::min(hi, bestT + (hi - lo) / steps);
    const double g = (std::sqrt(5.0) - 1) / 2;
    for (int i = 0; i < 30; ++i) {
      double c = b - g * (b - a), d = a + g * (b - a);
      if (logLikelihood(std::exp(c)) > logLikelihood(std::exp(d)))
        b = d;
      else
        a = c;
    }
    double t = (a + b) / 2;
    lengthScale_ = std::exp(logLikelihood(std::exp(t)) >= best ? t : bestT);
  }
  if (!factor(lengthScale_, llt_))
    throw Error("Gaussian process: the kernel matrix is not positive definite");
  weights_ = llt_.solve(yn_);
}

void GaussianProcess::predict(const Eigen::VectorXd& p, double& mean, double& stddev) const {
  const Eigen::Index n = x_.rows();
  Eigen::VectorXd ks(n);
  for (Eigen::Index i = 0; i < n; ++i)
    ks(i) = matern52((x_.row(i).transpose() - p).norm() / lengthScale_);
  double mu = ks.dot(weights_);
  Eigen::VectorXd v = llt_.matrixL().solve(ks);
  double var = 1.0 - v.squaredNorm();
  if (var < 0) var = 0;
  mean = yStd_ * mu + yMean_;
  stddev = std::sqrt(var) * yStd_;
}

}  // namespace tessel
