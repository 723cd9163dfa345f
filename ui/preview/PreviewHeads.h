#pragma once
// Which model outputs the previews read, and how. Detected from the output shapes and the
// compile() losses, or set by hand.
#include <vector>

namespace tessel::ui {

struct PreviewHeads {
  // Class heads: (N, C) probabilities (softmax), one confusion matrix each. The first one labels
  // the single predicted box.
  std::vector<int> classOutputs;
  // Box head: (N, 4) one box per image, or (N, K, 4) many scored boxes.
  int boxOutput = -1;
  // Scores of the many-box form: (N, K) or (N, K, C) (then the box class is the argmax).
  int scoreOutput = -1;
  // tf.image.non_max_suppression arguments for the many-box form.
  int maxOutputSize = 10;
  float iouThreshold = 0.5f;
  float scoreThreshold = 0.3f;

  bool hasClass() const { return !classOutputs.empty(); }
  bool hasBoxes() const { return boxOutput >= 0; }
  bool empty() const { return !hasClass() && !hasBoxes(); }
};

}  // namespace tessel::ui
