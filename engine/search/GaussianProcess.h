#pragma once
// KerasTuner's Gaussian process regressor (keras_tuner/tuners/bayesian.py): Matern kernel with
// nu = 5/2 and length scale 1, k(r) = (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r); alpha added to the
// diagonal; y normalised to zero mean and unit standard deviation. x rows are points of [0,1]^d.
#include <Eigen/Dense>

namespace tessel {

class GaussianProcess {
 public:
  explicit GaussianProcess(double alpha = 1e-4) : alpha_(alpha) {}
  // x is (n, d), y is (n). Throws Error when the kernel matrix is not positive definite or the
  // data holds NaN/Inf.
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y);
  // Mean and standard deviation at point `p` (d), in y's units.
  void predict(const Eigen::VectorXd& p, double& mean, double& stddev) const;
  static double matern52(double distance);

 private:
  double alpha_;
  Eigen::MatrixXd x_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd weights_;  // K^-1 y (normalised)
  double yMean_ = 0, yStd_ = 1;
};

}  // namespace tessel
