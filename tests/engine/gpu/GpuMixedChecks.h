#pragma once
// Mixed precision on the GPU (Keras's mixed_float16 / mixed_bfloat16 dtype policies,
// gpu::Numerics::precision): the 16-bit products against a host reference that rounds the same
// operands (Eigen::half / Eigen::bfloat16, round to nearest even, as the device's casts), Keras 3's
// dynamic loss scaling (a skipped step, the halving, the growth after 2000 finite steps, small
// gradients that float16 would flush to zero), and whole fits against the CPU's FP32.
#include <Eigen/Core>

#include "GpuChecks.h"

namespace tessel::gpucheck {

// x rounded to the policy's 16-bit type and back.
inline float round16(float x, bool bf16) {
  return bf16 ? float(Eigen::bfloat16(x)) : float(Eigen::half(x));
}

// Row-major (m, k) = a (m, r) b (r, k) in double, to float; a or b transposed as stored.
inline std::vector<float> hostProduct(const std::vector<float>& a, bool ta,
                                      const std::vector<float>& b, bool tb, Index m, Index k,
                                      Index r) {
  std::vector<float> c(size_t(m * k));
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < k; ++j) {
      double s = 0;
      for (Index q = 0; q < r; ++q)
        s += double(ta ? a[size_t(q * m + i)] : a[size_t(i * r + q)]) *
             double(tb ? b[size_t(j * r + q)] : b[size_t(q * k + j)]);
      c[size_t(i * k + j)] = float(s);
    }
  return c;
}

// Two linear Dense layers (12 -> 8 -> 6, mean squared error), one training step on the GPU under
// `policy`, against the host computing what the policy asks: products of 16-bit operands (the
// weights, the input, the hidden activation, and dLoss/dZ scaled by the loss scale, 2^15 under
// mixed_float16 and 1 under mixed_bfloat16) summed in double, everything else in FP32.
inline void checkMixedDenseStep(int device, gpu::Precision policy, const std::string& name,
                                std::vector<Result>& r) {
  const bool bf16 = policy == gpu::Precision::MixedBFloat16;
  const double S = bf16 ? 1.0 : gpu::kInitialLossScale;
  const Index n = 16, d0 = 12, d1 = 8, d2 = 6;
  Rng rng(61);
  const Tensor x = randomNormal({n, d0}, rng);
  const Tensor y = randomNormal({n, d2}, rng);
  const ModelSpec spec = sequential(json::array(
      {denseLayer("a", int(d1), "linear", int(d0)), denseLayer("b", int(d2), "linear")}));
  std::unique_ptr<Loss> loss = makeLoss("mean_squared_error");
  std::vector<float> scale(size_t(n), 1.0f / float(n));

  Model gm(spec, 1);
  // Host copies of the initial weights (kernel a, bias a, kernel b, bias b).
  std::vector<std::vector<float>> w;
  for (Variable* v : gm.trainableWeights())
    w.emplace_back(v->value.data(), v->value.data() + v->value.size());
  std::unique_ptr<Optimizer> opt =
      makeOptimizer({{"class_name", "SGD"}, {"config", {{"learning_rate", 0.0}}}});
  std::unique_ptr<gpu::Executor> ex =
      gpu::Executor::create(device, gm, {loss.get()}, {1.0}, *opt, gm.trainableWeights(), n,
                            gpu::Numerics{false, false, policy});
  ex->upload(*opt);
  RunContext ctx;
  Rng drng(7);
  ctx.rng = &drng;
  ex->run({x}, {y}, scale.data(), n, true, *opt, ctx);
  ex->downloadGradients();

  auto rounded = [&](const std::vector<float>& v) {
    std::vector<float> o(v.size());
    for (size_t i = 0; i < v.size(); ++i) o[i] = round16(v[i], bf16);
    return o;
  };
  const std::vector<float> x16 = rounded(std::vector<float>(x.data(), x.data() + x.size()));
  const std::vector<float> wa16 = rounded(w[0]), wb16 = rounded(w[2]);
  std::vector<float> h = hostProduct(x16, false, wa16, false, n, d1, d0);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < d1; ++j) h[size_t(i * d1 + j)] += w[1][size_t(j)];
  const std::vector<float> h16 = rounded(h);
  std::vector<float> z = hostProduct(h16, false, wb16, false, n, d2, d1);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < d2; ++j) z[size_t(i * d2 + j)] += w[3][size_t(j)];
  r.push_back({name + ": forward vs the host on 16-bit operands",
               relErr(ex->output(0).data(), z.data(), n * d2), 1e-5});

  // Backward with the loss's own gradient of the reference output, scaled as the device scales.
  Tensor zt({n, d2}), dOut;
  std::copy(z.begin(), z.end(), zt.data());
  loss->gradient(y, zt, scale.data(), dOut);
  std::vector<float> gs(size_t(dOut.size()));
  for (Index i = 0; i < dOut.size(); ++i) gs[size_t(i)] = float(double(dOut[i]) * S);
  const std::vector<float> gs16 = rounded(gs);
  std::vector<float> dWb = hostProduct(h16, true, gs16, false, d1, d2, n);
  const std::vector<float> dh = hostProduct(gs16, false, wb16, true, n, d1, d2);
  const std::vector<float> dh16 = rounded(dh);
  std::vector<float> dWa = hostProduct(x16, true, dh16, false, d0, d1, n);
  std::vector<float> dba(size_t(d1), 0.0f), dbb(size_t(d2), 0.0f);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < d1; ++j) dba[size_t(j)] += dh[size_t(i * d1 + j)];
    for (Index j = 0; j < d2; ++j) dbb[size_t(j)] += gs[size_t(i * d2 + j)];
  }
  for (auto* v : {&dWa, &dWb, &dba, &dbb})
    for (float& g : *v) g = float(double(g) / S);
  const std::vector<const std::vector<float>*> want{&dWa, &dba, &dWb, &dbb};
  const char* names[] = {"kernel a", "bias a", "kernel b", "bias b"};
  std::vector<Variable*> vars = gm.trainableWeights();
  for (size_t k = 0; k < 4; ++k)
    r.push_back({name + ": gradient of " + names[k] + " vs the host",
                 relErr(vars[k]->grad.data(), want[k]->data(), Index(want[k]->size())), 1e-4});
  r.push_back({name + ": loss scale after a finite step", std::abs(ex->lossScale() - S) / S, 0.0});
}

// Keras 3's LossScaleOptimizer on the device: a step whose gradient overflows float16 changes no
// weight and no Adam slot, is reported as not applied, and halves the scale; the next finite step
// applies; 2000 finite steps in a row double the scale (not 1999); gradients far below float16's
// smallest normal (1e-8 loss weight) still match the CPU's FP32 gradients thanks to the scale.
inline void checkLossScaling(int device, std::vector<Result>& r) {
  const Index n = 8;
  Rng rng(62);
  const Tensor x = randomNormal({n, 12}, rng);
  const Tensor y = randomNormal({n, 4}, rng);
  Tensor huge({n, 4});
  huge.fill(1e30f);  // (z - y) * 2^15 fits FP32, not float16: the cast overflows
  const ModelSpec spec =
      sequential(json::array({denseLayer("a", 16, "tanh", 12), denseLayer("b", 4, "linear")}));
  std::unique_ptr<Loss> loss = makeLoss("mean_squared_error");
  std::vector<float> scale(size_t(n), 1.0f / float(n));
  Model gm(spec, 1);
  std::unique_ptr<Optimizer> opt =
      makeOptimizer({{"class_name", "Adam"}, {"config", {{"learning_rate", 0.01}}}});
  std::unique_ptr<gpu::Executor> ex =
      gpu::Executor::create(device, gm, {loss.get()}, {1.0}, *opt, gm.trainableWeights(), n,
                            gpu::Numerics{false, false, gpu::Precision::MixedFloat16});
  ex->upload(*opt);
  RunContext ctx;
  Rng drng(7);
  ctx.rng = &drng;
  auto state = [&] {
    ex->download(*opt);
    std::vector<float> s = allValues(gm);
    for (Tensor* t : opt->state()) s.insert(s.end(), t->data(), t->data() + t->size());
    return s;
  };
  const std::vector<float> s0 = state();
  r.push_back({"loss scaling: initial scale 2^15", std::abs(ex->lossScale() - 32768.0), 0.0});
  ex->run({x}, {huge}, scale.data(), n, true, *opt, ctx);
  r.push_back(
      {"loss scaling: an overflowing step is not applied", ex->stepApplied() ? 1.0 : 0.0, 0.0});
  r.push_back({"loss scaling: the scale halves", std::abs(ex->lossScale() - 16384.0), 0.0});
  const std::vector<float> s1 = state();
  double changed = 0;
  for (size_t i = 0; i < s0.size(); ++i) changed += std::memcmp(&s0[i], &s1[i], 4) != 0;
  r.push_back({"loss scaling: the skipped step changed no weight or slot (count)", changed, 0.0});
  ex->run({x}, {y}, scale.data(), n, true, *opt, ctx);
  opt->setIterations(opt->iterations() + 1);
  r.push_back(
      {"loss scaling: the next finite step is applied", ex->stepApplied() ? 0.0 : 1.0, 0.0});
  const std::vector<float> s2 = state();
  changed = 0;
  for (size_t i = 0; i < s0.size(); ++i) changed += std::memcmp(&s0[i], &s2[i], 4) != 0;
  r.push_back({"loss scaling: the finite step changed the weights", changed > 0 ? 0.0 : 1.0, 0.0});
  // 1 finite step so far; 1998 more keep 2^14, the 2000th doubles it.
  for (int i = 0; i < gpu::kLossScaleGrowthSteps - 2; ++i) {
    ex->run({x}, {y}, scale.data(), n, true, *opt, ctx);
    opt->setIterations(opt->iterations() + 1);
  }
  r.push_back(
      {"loss scaling: 1999 finite steps keep the scale", std::abs(ex->lossScale() - 16384.0), 0.0});
  ex->run({x}, {y}, scale.data(), n, true, *opt, ctx);
  r.push_back({"loss scaling: the 2000th finite step doubles it",
               std::abs(ex->lossScale() - 32768.0), 0.0});

  // Small gradients: a 1e-8 loss weight puts dLoss/dZ near 1e-9, below float16's smallest
  // subnormal (6e-8) unless scaled. One step against the CPU's FP32 gradients.
  std::vector<float> tiny(size_t(n), 1e-8f / float(n));
  Model cm(spec, 1), g2(spec, 1);
  cpuStep(cm, *loss, {x}, y, tiny.data());
  std::unique_ptr<Optimizer> sgd =
      makeOptimizer({{"class_name", "SGD"}, {"config", {{"learning_rate", 0.0}}}});
  std::unique_ptr<gpu::Executor> e2 =
      gpu::Executor::create(device, g2, {loss.get()}, {1.0}, *sgd, g2.trainableWeights(), n,
                            gpu::Numerics{false, false, gpu::Precision::MixedFloat16});
  e2->upload(*sgd);
  e2->run({x}, {y}, tiny.data(), n, true, *sgd, ctx);
  e2->downloadGradients();
  std::vector<std::vector<float>> gc, gg;
  for (Variable* v : cm.trainableWeights())
    gc.emplace_back(v->grad.data(), v->grad.data() + v->grad.size());
  for (Variable* v : g2.trainableWeights())
    gg.emplace_back(v->grad.data(), v->grad.data() + v->grad.size());
  r.push_back({"loss scaling: gradients of a 1e-8 loss weight vs the CPU's FP32",
               gradientErrors(gg, gc).first, 1e-2});
}

// Whole fits (Trainer::fit, FitOptions::dtypePolicy): the 3-layer MLP of the optimizers group
// (Adam, 2 epochs, validation split) and the Fashion CNN (SGD, 2 epochs)
// under each mixed policy against the CPU's FP32, and different from the GPU's own FP32 run.
inline void checkMixedFits(int device, std::vector<Result>& r) {
  const std::string gpu = "cuda:" + std::to_string(device);
  const Dataset d = syntheticData(500, {20}, 4, false, 31);
  const ModelSpec mlp =
      sequential(json::array({denseLayer("d0", 64, "relu", 20), denseLayer("d1", 32, "tanh"),
                              denseLayer("d2", 4, "softmax")}));
  auto fit = [&](const ModelSpec& spec, const Dataset& data, const std::string& dev,
                 const std::string& policy, int batch, int epochs, const json& optimizer,
                 float perturb = 0.0f) {
    Model m(spec, 1);
    perturbWeights(m, perturb);
    CompileOptions compile = adamSparseCompile();
    compile.optimizer = optimizer;
    Trainer t(m, compile);
    FitOptions o = quietFit(batch, 5, epochs, dev);
    o.validationSplit = 0.2;
    o.dtypePolicy = policy;
    FitResult f;
    f.before = allValues(m);
    f.history = t.fit(data, o);
    f.after = allValues(m);
    return f;
  };
  const Dataset img = syntheticData(256, {28, 28, 1}, 10, false, 26);
  struct Case {
    std::string name;
    const ModelSpec* spec;
    const Dataset* data;
    int batch, epochs;
    json optimizer;
  };
  // The CNN with SGD: Adam's first steps are lr * sign(g), so rounding noise on the many
  // near-zero gradients of a ReLU / max-pooling CNN flips whole steps (4e-2 apart after 4 steps
  // under either policy, 2026-12-07), which measures Adam, not the 16-bit arithmetic.
  const json adam = {{"class_name", "Adam"}, {"config", {{"learning_rate", 0.001}}}};
  const json sgd = {{"class_name", "SGD"}, {"config", {{"learning_rate", 0.05}}}};
  const ModelSpec cnn = fashionCnn();
  for (const Case& c : {Case{"MLP, Adam, 2 epochs", &mlp, &d, 32, 2, adam},
                        Case{"Fashion CNN, SGD, 2 epochs", &cnn, &img, 32, 2, sgd}}) {
    const FitResult cpu = fit(*c.spec, *c.data, "cpu", "float32", c.batch, c.epochs, c.optimizer);
    const FitResult fp32 = fit(*c.spec, *c.data, gpu, "float32", c.batch, c.epochs, c.optimizer);
    const Index nw = Index(cpu.after.size());
    for (const std::string policy : {"mixed_float16", "mixed_bfloat16"}) {
      // The CPU's own sensitivity to a perturbation of the policy's rounding size (ReLU, max
      // pooling and Adam's normalised steps amplify it): the tolerance is at least 3x that.
      const bool half = policy == "mixed_float16";
      const double base = half ? 1e-2 : 4e-2;
      const FitResult self = fit(*c.spec, *c.data, "cpu", "float32", c.batch, c.epochs, c.optimizer,
                                 half ? 1e-3f : 8e-3f);
      const FitResult m = fit(*c.spec, *c.data, gpu, policy, c.batch, c.epochs, c.optimizer);
      const std::string name = policy + " " + c.name;
      const double selfW = relErr(self.after.data(), cpu.after.data(), nw);
      char label[240];
      std::snprintf(label, sizeof label, "%s: weights vs the CPU's FP32 (CPU vs CPU+%.0e: %.2g)",
                    name.c_str(), half ? 1e-3 : 8e-3, selfW);
      r.push_back({label, relErr(m.after.data(), cpu.after.data(), nw), std::max(base, 3 * selfW)});
      for (const std::string key : {"loss", "val_loss"}) {
        const double a = cpu.history[key].back();
        const double selfL = std::abs(self.history[key].back() - a) / std::abs(a);
        std::snprintf(label, sizeof label, "%s: %s vs the CPU's FP32 (CPU vs CPU+%.0e: %.2g)",
                      name.c_str(), key.c_str(), half ? 1e-3 : 8e-3, selfL);
        r.push_back(
            {label, std::abs(m.history[key].back() - a) / std::abs(a), std::max(base, 3 * selfL)});
      }
      const double fromFp32 = relErr(m.after.data(), fp32.after.data(), nw);
      std::printf(
          "info %s: weights %.3g from the GPU's FP32 (FP32 GPU vs CPU: %.3g), loss %.6g "
          "(CPU FP32 %.6g)\n",
          name.c_str(), fromFp32, relErr(fp32.after.data(), cpu.after.data(), nw),
          m.history["loss"].back(), cpu.history["loss"].back());
      r.push_back({name + ": differs from FP32 on the GPU (the policy takes effect)",
                   fromFp32 > 1e-6 ? 0.0 : 1.0, 0.0});
    }
  }
}

// Every convolution layer case of the cnn-layers group (Conv1D, Conv2D with every padding,
// stride, dilation, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose with and without explicit
// padding) for one step under `policy` against the CPU's FP32: the 16-bit operands (about 5e-4
// relative under float16, 4e-3 under bfloat16) keep the forward pass and the gradients within a
// few roundings of FP32. Gradients through ReLU and max pooling are not continuous in the
// weights (a pre-activation within rounding of 0 sends its gradient elsewhere), so they are held
// to max(tolerance, 3 x the CPU's own gradient change when its weights move by the policy's
// rounding: 1e-3 relative for float16, 8e-3 for bfloat16), as compareStep measures.
inline void checkMixedConvolutions(int device, gpu::Precision policy, const std::string& tag,
                                   std::vector<Result>& r) {
  const bool bf16 = policy == gpu::Precision::MixedBFloat16;
  const double tol = bf16 ? 8e-2 : 5e-3;  // bfloat16 keeps 8 bits: ~3 significant digits
  const float drift = bf16 ? 8e-3f : 1e-3f;
  const gpu::Numerics numerics{false, false, policy};
  Rng rng(13);
  const Tensor x = randomNormal({8, 9, 9, 3}, rng);
  const Tensor y = randomNormal({8, 4}, rng);
  for (const auto& [name, spec] : cnnLayerModels())
    compareStep(device, spec, "mse", x, y, tag + " " + name, tol, tol, r, drift, numerics);
  const Tensor x1 = randomNormal({8, 12, 3}, rng);
  for (const auto& [name, spec] : conv1dLayerModels())
    compareStep(device, spec, "mse", x1, y, tag + " " + name, tol, tol, r, drift, numerics);
}

inline std::vector<Result> checkMixed(int device) {
  std::vector<Result> r;
  auto guarded = [&](const std::string& name, auto f) {
    try {
      f();
    } catch (const std::exception& e) {
      r.push_back({name + ": ERROR " + e.what(), 1e30, 0});
    }
  };
  guarded("mixed_float16 Dense step", [&] {
    checkMixedDenseStep(device, gpu::Precision::MixedFloat16, "mixed_float16 Dense step", r);
  });
  guarded("mixed_bfloat16 Dense step", [&] {
    checkMixedDenseStep(device, gpu::Precision::MixedBFloat16, "mixed_bfloat16 Dense step", r);
  });
  guarded("loss scaling", [&] { checkLossScaling(device, r); });
  guarded("mixed_float16 convolutions", [&] {
    checkMixedConvolutions(device, gpu::Precision::MixedFloat16, "mixed_float16", r);
  });
  guarded("mixed_bfloat16 convolutions", [&] {
    checkMixedConvolutions(device, gpu::Precision::MixedBFloat16, "mixed_bfloat16", r);
  });
  guarded("mixed fits", [&] { checkMixedFits(device, r); });
  return r;
}

}  // namespace tessel::gpucheck
