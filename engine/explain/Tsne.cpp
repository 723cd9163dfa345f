#include "engine/explain/Tsne.h"

#include <algorithm>
#include <cmath>

#include "engine/core/Rng.h"
#include "engine/explain/Pca.h"

namespace tessel {

Eigen::MatrixXd Tsne::affinities(const Eigen::MatrixXd& x, double perplexity) {
  const Eigen::Index n = x.rows();
  const Eigen::VectorXd sq = x.rowwise().squaredNorm();
  Eigen::MatrixXd dist = (-2.0 * x * x.transpose()).colwise() + sq;
  dist.rowwise() += sq.transpose();
  dist = dist.cwiseMax(0.0);
  const double target = std::log(std::min(perplexity, double(n - 1) / 3.0 + 1e-9));
  Eigen::MatrixXd p(n, n);
  Eigen::VectorXd row(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    // Bisection on beta = 1 / (2 sigma^2) until the row's entropy is log(perplexity).
    double beta = 1.0, lo = 0.0, hi = HUGE_VAL;
    for (int it = 0; it < 64; ++it) {
      double sum = 0, dot = 0;
      for (Eigen::Index j = 0; j < n; ++j) {
        row[j] = j == i ? 0.0 : std::exp(-beta * dist(i, j));
        sum += row[j];
        dot += row[j] * dist(i, j);
      }
      if (sum <= 0) sum = 1e-300;
      const double entropy = std::log(sum) + beta * dot / sum;
      row /= sum;
      const double diff = entropy - target;
      if (std::fabs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    p.row(i) = row.transpose();
  }
  Eigen::MatrixXd joint = (p + p.transpose()) / (2.0 * double(n));
  return joint.cwiseMax(1e-12);
}

Eigen::MatrixXd Tsne::embed(const Eigen::MatrixXd& input, const Options& o,
                            const std::function<bool(int)>& progress) {
  const Eigen::Index n = input.rows();
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(n, o.dims);
  if (n < 2) return y;
  Eigen::MatrixXd x = input;
  if (o.pcaDims > 0 && x.cols() > o.pcaDims) x = Pca::fit(x, o.pcaDims).projection;
  const Eigen::MatrixXd p = affinities(x, o.perplexity);

  Rng rng(o.seed);
  for (Eigen::Index i = 0; i < n; ++i)
    for (int d = 0; d < o.dims; ++d) y(i, d) = 1e-4 * rng.normal();
  Eigen::MatrixXd update = Eigen::MatrixXd::Zero(n, o.dims);
  Eigen::MatrixXd gains = Eigen::MatrixXd::Ones(n, o.dims);
  Eigen::MatrixXd num(n, n), grad(n, o.dims);
  for (int it = 0; it < o.iterations; ++it) {
    const double exag = it < o.exaggerationIterations ? o.exaggeration : 1.0;
    const double momentum = it < 250 ? 0.5 : 0.8;
    // Student-t kernel num_ij = 1 / (1 + |y_i - y_j|^2), q_ij = num_ij / sum.
    const Eigen::VectorXd sq = y.rowwise().squaredNorm();
    num = (-2.0 * y * y.transpose()).colwise() + sq;
    num.rowwise() += sq.transpose();
    num = (1.0 + num.array()).inverse().matrix();
    num.diagonal().setZero();
    const double sum = std::max(num.sum(), 1e-300);
    // dC/dy_i = 4 Σ_j (exag p_ij - q_ij) num_ij (y_i - y_j).
    const Eigen::MatrixXd w = ((exag * p.array() - num.array() / sum) * num.array()).matrix();
    grad = 4.0 * (w.rowwise().sum().asDiagonal() * y - w * y);
    for (Eigen::Index i = 0; i < n; ++i)
      for (int d = 0; d < o.dims; ++d) {
        double& g = gains(i, d);
        g = (grad(i, d) > 0) != (update(i, d) > 0) ? g + 0.2 : g * 0.8;
        g = std::max(g, 0.01);
      }
    update = momentum * update - o.learningRate * (gains.array() * grad.array()).matrix();
    y += update;
    y.rowwise() -= y.colwise().mean();
    if (progress && !progress(it)) break;
  }
  return y;
}

}  // namespace tessel
