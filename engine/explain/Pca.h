#pragma once
// Principal component analysis of N points in D dimensions (rows of X): the data are centred and
// decomposed with Eigen's BDCSVD (X_c = U S V^T); the projection onto the first k principal axes
// is X_c V_k, the explained variances are S_i^2 / (N - 1).
#include <Eigen/Core>

namespace tessel {

class Pca {
 public:
  struct Result {
    Eigen::MatrixXd projection;         // N × k
    Eigen::MatrixXd components;         // D × k, unit columns (sign: largest |entry| positive)
    Eigen::VectorXd explainedVariance;  // k, decreasing
  };
  // k is clamped to min(N, D). An empty X gives an empty result.
  static Result fit(const Eigen::MatrixXd& x, int k);
};

}  // namespace tessel
