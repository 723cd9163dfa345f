#pragma once
// CTC decoders, as Keras 3's `keras.ops.ctc_decode(inputs, sequence_lengths, strategy, beam_width,
// top_paths, merge_repeated=True, mask_index=0)` (TensorFlow backend: tf.nn.ctc_greedy_decoder
// with blank_index=0, and tf.nn.ctc_beam_search_decoder with the blank moved to the end).
// One sample at a time: x is its (T, C) output, row-major; class 0 is the blank.
//   greedy: argmax per step, merge repeated ids (when mergeRepeated), drop blanks. Its score is
//           TensorFlow's: minus the sum over steps of the largest value.
//   beam:   prefix beam search in log space over label sequences (each prefix keeps the log
//           probability of its alignments ending in a blank and in its last label), the
//           beamWidth most probable prefixes kept after each step; returns the topPaths best label
//           sequences with their log probabilities (the sum over the alignments the beam kept: the
//           exact log p(sequence | x) whenever nothing was pruned). The values are logits
//           (log_softmax is applied, as TensorFlow) or, with fromLogits = false, softmax
//           probabilities (log(p + 1e-7) first, as Keras 2's ctc_decode).
// Throws Error for T < 0, C < 2, beamWidth < 1, topPaths < 1 or > beamWidth, NaN values.
#include <string>
#include <vector>

#include "engine/tensor/Shape.h"

namespace tessel {

struct CtcPath {
  std::vector<Index> labels;  // class ids 1..C-1
  double score = 0;           // greedy: -sum of max values; beam: log probability
};

CtcPath ctcGreedyDecode(const float* x, Index steps, Index classes, bool mergeRepeated = true);

std::vector<CtcPath> ctcBeamSearchDecode(const float* x, Index steps, Index classes,
                                         int beamWidth = 100, int topPaths = 1,
                                         bool fromLogits = true);

// One line per sample of an (N, T, C) output: "I: id id id" (greedy), with "  log p = V" after
// the best path of a beam search; "(empty)" for an empty sequence. With names (size C, e.g.
// "blank" then the class names), ids print as names.
struct CtcDecodeOptions;
std::string formatCtcDecoded(const float* out, Index n, Index steps, Index classes,
                             const CtcDecodeOptions& options, bool fromLogits,
                             const std::vector<std::string>& names = {});

// "greedy", "beam" or "beam:WIDTH" (the command line's --ctc-decode); throws Error otherwise.
struct CtcDecodeOptions {
  bool beam = false;
  int beamWidth = 100;
  int topPaths = 1;
  static CtcDecodeOptions parse(const std::string& text);
};

}  // namespace tessel
