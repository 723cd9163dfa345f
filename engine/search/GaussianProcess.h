#pragma once
// KerasTuner's Gaussian process regressor: Matern kernel with nu = 5/2,
// k(r) = (1 + sqrt5 r/l + 5 r^2 / 3l^2) exp(-sqrt5 r/l); alpha added to the diagonal; y
// normalised to zero mean and unit standard deviation. x rows are points of [0,1]^d.
// The length scale l: KerasTuner 1.0 used scikit-learn's GaussianProcessRegressor(Matern(nu=2.5),
// n_restarts_optimizer=20), which picks l by maximising the log marginal likelihood; later
// KerasTuner versions left it at 1 ("TODO: choose a theta"). fit() maximises the likelihood over
// l in [1e-3, 1e2] (a log grid then golden-section refinement) unless a fixed l is set; with
// l = 1 fixed the proposals stall on Branin's boundary (see tst_engine_search_tuners).
#include <Eigen/Dense>

namespace tessel {

class GaussianProcess {
 public:
  // lengthScale <= 0: chosen by maximum likelihood at each fit.
  explicit GaussianProcess(double alpha = 1e-4, double lengthScale = 0)
      : alpha_(alpha), fixedLengthScale_(lengthScale) {}
  // x is (n, d), y is (n). Throws Error when the kernel matrix is not positive definite or the
  // data holds NaN/Inf.
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y);
  // Mean and standard deviation at point `p` (d), in y's units.
  void predict(const Eigen::VectorXd& p, double& mean, double& stddev) const;
  static double matern52(double distance);
  double lengthScale() const { return lengthScale_; }
  // Log marginal likelihood of the normalised y under length scale l (-inf when K is singular).
  double logLikelihood(double l) const;

 private:
  bool factor(double l, Eigen::LLT<Eigen::MatrixXd>& llt) const;
  double alpha_;
  double fixedLengthScale_;
  double lengthScale_ = 1;
  Eigen::VectorXd yn_;
  Eigen::MatrixXd x_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd weights_;  // K^-1 y (normalised)
  double yMean_ = 0, yStd_ = 1;
};

}  // namespace tessel
