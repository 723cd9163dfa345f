#pragma once
// Exact t-SNE (van der Maaten & Hinton 2008), written by hand: O(N^2) time and memory per
// iteration, fine for a few thousand points. Gaussian affinities with a per-point bandwidth found
// by bisection to match the perplexity, symmetrised P = (P_j|i + P_i|j) / 2N; Student-t
// similarities in the embedding; gradient descent with momentum (0.5, then 0.8 after 250
// iterations), Jacobs' adaptive gains and early exaggeration (P × 12 for the first 250
// iterations). Inputs with more than 50 dimensions are first reduced to 50 by PCA.
#include <Eigen/Core>
#include <cstdint>
#include <functional>

namespace tessel {

class Tsne {
 public:
  struct Options {
    int dims = 2;
    double perplexity = 30;
    int iterations = 1000;
    double learningRate = 200;
    double exaggeration = 12;
    int exaggerationIterations = 250;
    int pcaDims = 50;  // 0: no PCA first
    std::uint64_t seed = 1;
  };
  // Rows of x are the points. `progress(iteration)` may return false to stop early (the current
  // embedding is returned). Fewer than 2 points give zeros.
  static Eigen::MatrixXd embed(const Eigen::MatrixXd& x, const Options& options,
                               const std::function<bool(int)>& progress = {});
  // The joint probabilities P (N × N, symmetric, summing to 1) for the perplexity.
  static Eigen::MatrixXd affinities(const Eigen::MatrixXd& x, double perplexity);
};

}  // namespace tessel
