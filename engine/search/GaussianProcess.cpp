#include "engine/search/GaussianProcess.h"

#include <cmath>

#include "engine/core/Error.h"

namespace tessel {

double GaussianProcess::matern52(double r) {
  const double s = std::sqrt(5.0) * r;
  return (1.0 + s + s * s / 3.0) * std::exp(-s);
}

void GaussianProcess::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  if (!x.allFinite() || !y.allFinite())
    throw Error("Gaussian process: the trials hold NaN or Inf scores");
  const Eigen::Index n = x.rows();
  x_ = x;
  yMean_ = y.mean();
  yStd_ = n > 1 ? std::sqrt((y.array() - yMean_).square().mean()) : 0.0;
  if (!(yStd_ > 0)) yStd_ = 1;  // numpy would divide by 0; every score equal: nothing to learn
  Eigen::VectorXd yn = (y.array() - yMean_) / yStd_;
  Eigen::MatrixXd k(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) k(i, j) = matern52((x.row(i) - x.row(j)).norm());
  k.diagonal().array() += alpha_;
  llt_.compute(k);
  if (llt_.info() != Eigen::Success)
    throw Error("Gaussian process: the kernel matrix is not positive definite");
  weights_ = llt_.solve(yn);
}

void GaussianProcess::predict(const Eigen::VectorXd& p, double& mean, double& stddev) const {
  const Eigen::Index n = x_.rows();
  Eigen::VectorXd ks(n);
  for (Eigen::Index i = 0; i < n; ++i) ks(i) = matern52((x_.row(i).transpose() - p).norm());
  double mu = ks.dot(weights_);
  Eigen::VectorXd v = llt_.matrixL().solve(ks);
  double var = 1.0 - v.squaredNorm();
  if (var < 0) var = 0;
  mean = yStd_ * mu + yMean_;
  stddev = std::sqrt(var) * yStd_;
}

}  // namespace tessel
