#include "engine/explain/Pca.h"

#include <Eigen/SVD>
#include <algorithm>

namespace tessel {

Pca::Result Pca::fit(const Eigen::MatrixXd& x, int k) {
  Result r;
  const Eigen::Index n = x.rows(), d = x.cols();
  if (n == 0 || d == 0) return r;
  k = static_cast<int>(std::min<Eigen::Index>(k, std::min(n, d)));
  const Eigen::MatrixXd centred = x.rowwise() - x.colwise().mean();
  Eigen::BDCSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinV);
  r.components = svd.matrixV().leftCols(k);
  for (int j = 0; j < k; ++j) {
    Eigen::Index at;
    r.components.col(j).cwiseAbs().maxCoeff(&at);
    if (r.components(at, j) < 0) r.components.col(j) *= -1.0;
  }
  r.projection = centred * r.components;
  const double denom = n > 1 ? double(n - 1) : 1.0;
  r.explainedVariance = svd.singularValues().head(k).array().square() / denom;
  return r;
}

}  // namespace tessel
