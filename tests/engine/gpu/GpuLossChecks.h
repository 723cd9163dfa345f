#pragma once
// GPU-vs-CPU checks of the loss gradient on the device (engine/gpu/GpuLoss.h): one training step
// (compareStep) per loss and per option, on a small Dense model whose last activation suits the
// loss, with labels of the loss's kind. The losses with no GPU path (expression losses) must be
// refused with "is not on the GPU yet".
#include <memory>
#include <string>
#include <vector>

#include "GpuChecks.h"
#include "engine/losses/Ctc.h"

namespace tessel::gpucheck {

// Labels in [lo, hi).
inline Tensor uniformLabels(const Shape& shape, Rng& rng, float lo, float hi) {
  Tensor t(shape);
  for (Index i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
  return t;
}

// Each label a or b (0/1 for binary crossentropy, -1/1 or 0/1 for hinge).
inline Tensor twoValueLabels(const Shape& shape, Rng& rng, float a, float b) {
  Tensor t(shape);
  for (Index i = 0; i < t.size(); ++i) t[i] = rng.below(2) ? b : a;
  return t;
}

inline Tensor oneHotLabels(Index n, int classes, Rng& rng) {
  Tensor t({n, Index(classes)});
  for (Index i = 0; i < n; ++i) t[i * classes + Index(rng.below(std::uint64_t(classes)))] = 1.0f;
  return t;
}

// Rows of positive values summing to 1 (targets of KL divergence, soft crossentropy labels).
inline Tensor distributionLabels(Index n, int classes, Rng& rng) {
  Tensor t({n, Index(classes)});
  for (Index i = 0; i < n; ++i) {
    float* row = t.data() + i * classes;
    double s = 0;
    for (int j = 0; j < classes; ++j) {
      row[j] = rng.uniform(0.05f, 1.0f);
      s += row[j];
    }
    for (int j = 0; j < classes; ++j) row[j] = float(row[j] / s);
  }
  return t;
}

// Dense(10, tanh) on 12 features, then Dense(units, act): the output the loss sees.
inline ModelSpec lossModel(int units, const std::string& act) {
  return sequential(json::array({denseLayer("d0", 10, "tanh", 12), denseLayer("d1", units, act)}));
}

inline json lossSpec(const std::string& cls, json config) {
  return {{"class_name", cls}, {"config", std::move(config)}};
}

// CTC labels (n, width) as Keras 3 takes them: ids 1..classes-1 padded at the end with 0, row i
// of length i % (width + 1) (row 0 empty), every third row with each odd position repeating its
// left neighbour; a row that cannot be aligned in `steps` (too many equal neighbours) is drawn
// again with no two equal neighbours (width <= steps and classes >= 3: it fits). With width 7,
// steps 12 and classes >= 4, row 1 is (2, 2, 2, 2, 2, 2, 3): 5 blanks between its equal
// neighbours make it need exactly the 12 steps.
inline Tensor ctcLabels(Index n, Index width, Index steps, int classes, Rng& rng) {
  Tensor t({n, width});
  auto id = [&] { return 1 + Index(rng.below(std::uint64_t(classes - 1))); };
  for (Index i = 0; i < n; ++i) {
    std::vector<Index> label(size_t(i % (width + 1)));
    for (size_t j = 0; j < label.size(); ++j)
      label[j] = i % 3 == 0 && j % 2 == 1 ? label[j - 1] : id();
    if (Ctc::minSteps(label) > steps) {
      for (size_t j = 0; j < label.size(); ++j) {
        do {
          label[j] = id();
        } while (j > 0 && label[j] == label[j - 1]);
      }
    }
    if (i == 1 && width == 7 && steps == 12 && classes >= 4) label = {2, 2, 2, 2, 2, 2, 3};
    for (size_t j = 0; j < label.size(); ++j) t[i * width + Index(j)] = float(label[j]);
  }
  return t;
}

// CTC (Ctc.h) on an output (n, 12, classes): logits from a linear Dense (from_logits, Keras 3's
// default) or probabilities from a softmax ({"from_logits": false}); 5 classes and 40; labels
// narrower than the 12 steps (the executor plans the label block again for their width) and as
// wide as them.
inline void ctcChecks(int device, std::vector<Result>& r) {
  Rng rng(23);
  const Index n = 16, steps = 12;
  const Tensor x = randomNormal({n, steps, 6}, rng);
  auto model = [](int classes, const std::string& act) {
    json first = denseLayer("d0", 8, "tanh");
    first["config"]["batch_input_shape"] = {nullptr, 12, 6};
    return sequential(json::array({first, denseLayer("d1", classes, act)}));
  };
  const json probabilities = lossSpec("CTC", {{"from_logits", false}});
  for (int classes : {5, 40}) {
    const std::string c = " [" + std::to_string(classes) + " classes]";
    const Tensor labels = ctcLabels(n, 7, steps, classes, rng);
    compareStep(device, model(classes, "linear"), "ctc", x, labels, "ctc (from_logits)" + c, 1e-5,
                1e-5, r);
    compareStep(device, model(classes, "softmax"), probabilities, x, labels,
                "CTC(from_logits false, softmax)" + c, 1e-5, 1e-5, r);
  }
  compareStep(device, model(5, "linear"), "ctc", x, ctcLabels(n, steps, steps, 5, rng),
              "ctc (labels as wide as the steps) [5 classes]", 1e-5, 1e-5, r);
}

// One result: creating the GPU executor with `lossSpec` is refused with "is not on the GPU yet".
inline void expectRefused(int device, const json& spec, const std::string& name,
                          std::vector<Result>& out) {
  std::string got = "accepted";
  try {
    std::unique_ptr<Loss> loss = makeLoss(spec);
    Model m(lossModel(4, "softmax"), 1);
    std::unique_ptr<Optimizer> opt =
        makeOptimizer({{"class_name", "SGD"}, {"config", {{"learning_rate", 0.0}}}});
    auto ex = gpu::Executor::create(device, m, {loss.get()}, {1.0}, *opt, m.trainableWeights(), 8);
  } catch (const std::exception& e) {
    got = e.what();
  }
  const bool ok = got.find("is not on the GPU yet") != std::string::npos;
  out.push_back({name + " refused (" + got + ")", ok ? 0.0 : 1e30, 0.0});
}

// Every loss of the catalog with a GPU path, each option, on a (16, units) output.
inline std::vector<Result> checkLosses(int device) {
  std::vector<Result> r;
  Rng rng(17);
  const Index n = 16;
  const Tensor x = randomNormal({n, 12}, rng);
  auto step = [&](const json& loss, const std::string& act, int units, const Tensor& y,
                  const std::string& name) {
    compareStep(device, lossModel(units, act), loss, x, y, name, 1e-5, 1e-5, r);
  };
  const Tensor normal = randomNormal({n, 5}, rng);

  // Regression losses on a linear output.
  step("mean_squared_error", "linear", 5, normal, "mean_squared_error");
  step("mean_absolute_error", "linear", 5, normal, "mean_absolute_error");
  step("mean_absolute_percentage_error", "linear", 5, normal, "mean_absolute_percentage_error");
  const Tensor wide = uniformLabels({n, 5}, rng, -3.0f, 3.0f);  // errors on both sides of delta
  step("huber_loss", "linear", 5, wide, "huber_loss (delta 1)");
  step(lossSpec("Huber", {{"delta", 0.3}}), "linear", 5, wide, "Huber(delta 0.3)");
  step("log_cosh", "linear", 5, wide, "log_cosh");

  // Binary crossentropy: probabilities (sigmoid) or logits (linear), 0/1 or soft labels.
  const Tensor bits = twoValueLabels({n, 5}, rng, 0.0f, 1.0f);
  const Tensor soft = uniformLabels({n, 5}, rng, 0.0f, 1.0f);
  step("binary_crossentropy", "sigmoid", 5, bits, "binary_crossentropy");
  step("binary_crossentropy", "sigmoid", 5, soft, "binary_crossentropy (soft labels)");
  step(lossSpec("BinaryCrossentropy", {{"label_smoothing", 0.1}}), "sigmoid", 5, bits,
       "BinaryCrossentropy(label_smoothing 0.1)");
  step(lossSpec("BinaryCrossentropy", {{"from_logits", true}}), "linear", 5, bits,
       "BinaryCrossentropy(from_logits)");
  step(lossSpec("BinaryCrossentropy", {{"from_logits", true}, {"label_smoothing", 0.2}}), "linear",
       5, soft, "BinaryCrossentropy(from_logits, label_smoothing 0.2, soft labels)");

  // Categorical crossentropy: 5 classes (a thread per row) and 40 (a warp per row).
  for (int classes : {5, 40}) {
    const std::string c = " [" + std::to_string(classes) + " classes]";
    const Tensor hot = oneHotLabels(n, classes, rng);
    const Tensor dist = distributionLabels(n, classes, rng);
    step("categorical_crossentropy", "softmax", classes, hot, "categorical_crossentropy" + c);
    step("categorical_crossentropy", "softmax", classes, dist,
         "categorical_crossentropy (soft labels)" + c);
    step(lossSpec("CategoricalCrossentropy", {{"label_smoothing", 0.1}}), "softmax", classes, hot,
         "CategoricalCrossentropy(label_smoothing 0.1)" + c);
    step(lossSpec("CategoricalCrossentropy", {{"from_logits", true}}), "linear", classes, hot,
         "CategoricalCrossentropy(from_logits)" + c);
    step(lossSpec("CategoricalCrossentropy", {{"from_logits", true}, {"label_smoothing", 0.2}}),
         "linear", classes, dist, "CategoricalCrossentropy(from_logits, label_smoothing 0.2)" + c);

    const Tensor ids = randomLabels(n, classes, rng);
    step("sparse_categorical_crossentropy", "softmax", classes, ids,
         "sparse_categorical_crossentropy" + c);
    step(lossSpec("SparseCategoricalCrossentropy", {{"from_logits", true}}), "linear", classes, ids,
         "SparseCategoricalCrossentropy(from_logits)" + c);

    // KL divergence: a distribution, or one-hot labels (zeros clipped to 1e-7).
    step("kl_divergence", "softmax", classes, dist, "kl_divergence" + c);
    step("kl_divergence", "softmax", classes, hot, "kl_divergence (one-hot labels)" + c);
  }

  // Hinge: -1/1 labels as given; 0/1 labels converted to -1/1 (every label of the batch 0 or 1);
  // -1/0/1 labels (not all 0/1) as given.
  step("hinge", "tanh", 5, twoValueLabels({n, 5}, rng, -1.0f, 1.0f), "hinge (-1/1 labels)");
  step("hinge", "tanh", 5, bits, "hinge (0/1 labels, converted)");
  Tensor mixed = twoValueLabels({n, 5}, rng, -1.0f, 1.0f);
  for (Index i = 0; i < mixed.size(); i += 3) mixed[i] = 0.0f;
  step("hinge", "linear", 5, mixed, "hinge (-1/0/1 labels)");

  ctcChecks(device, r);
  expectRefused(
      device,
      lossSpec("ExpressionLoss", {{"expression", "tf.reduce_mean(tf.square(y_pred - y_true))"}}),
      "ExpressionLoss", r);
  return r;
}

// Outputs of rank 3 (n, 6, units): the losses reduce the last axis and average the 6 positions
// (Loss.h), sparse labels are one class id per position. Needs the executor to accept an output of
// rank > 2 (today it refuses one before the loss is planned).
inline std::vector<Result> checkLossesRank3(int device) {
  std::vector<Result> r;
  Rng rng(19);
  const Index n = 8, steps = 6;
  const Tensor x = randomNormal({n, steps, 12}, rng);
  auto model = [](int units, const std::string& act) {
    json first = denseLayer("d0", 10, "tanh");
    first["config"]["batch_input_shape"] = {nullptr, 6, 12};
    return sequential(json::array({first, denseLayer("d1", units, act)}));
  };
  auto step = [&](const json& loss, const std::string& act, int units, const Tensor& y,
                  const std::string& name) {
    compareStep(device, model(units, act), loss, x, y, name + " [rank 3]", 1e-5, 1e-5, r);
  };
  auto reshaped = [](Tensor t, const Shape& s) {
    Tensor u(s);
    std::copy(t.data(), t.data() + t.size(), u.data());
    return u;
  };
  const Shape s5 = {n, steps, 5};
  step("mean_squared_error", "linear", 5, randomNormal(s5, rng), "mean_squared_error");
  step("binary_crossentropy", "sigmoid", 5, twoValueLabels(s5, rng, 0.0f, 1.0f),
       "binary_crossentropy");
  const Tensor dist = reshaped(distributionLabels(n * steps, 5, rng), s5);
  step("kl_divergence", "softmax", 5, dist, "kl_divergence");
  step(lossSpec("CategoricalCrossentropy", {{"label_smoothing", 0.1}}), "softmax", 5, dist,
       "CategoricalCrossentropy(label_smoothing 0.1)");
  const Tensor ids = reshaped(randomLabels(n * steps, 40, rng), {n, steps});
  step("sparse_categorical_crossentropy", "softmax", 40, ids,
       "sparse_categorical_crossentropy [40 classes]");
  step(lossSpec("SparseCategoricalCrossentropy", {{"from_logits", true}}), "linear", 5,
       reshaped(randomLabels(n * steps, 5, rng), {n, steps}),
       "SparseCategoricalCrossentropy(from_logits)");
  return r;
}

}  // namespace tessel::gpucheck
