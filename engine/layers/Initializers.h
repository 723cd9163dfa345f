#pragma once
// Keras weight initializers. Accepts the string forms ("glorot_uniform", "he_normal", "zeros",
// TF.js "glorotUniform") and the object forms ({"class_name": "GlorotUniform", "config":
// {"seed": null}}, {"class_name": "VarianceScaling", "config": {...}} as TF.js writes them).
// Values are drawn from the Rng passed to fill() (reproducible for the same seed); an initializer
// whose config has a non-null "seed" draws from its own Rng(seed) instead, as Keras does.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/core/Rng.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

// Keras's truncated-normal correction: stddev of a unit normal truncated at ±2 stddev.
inline constexpr double kTruncatedNormalStddev = 0.87962566103423978;

struct Initializer {
  enum class Kind {
    VarianceScaling,
    RandomUniform,
    RandomNormal,
    TruncatedNormal,
    Constant,
    Orthogonal,
    Identity
  };
  Kind kind = Kind::Constant;
  std::string className;  // canonical Keras class name ("GlorotUniform", "Zeros", ...)
  // VarianceScaling (Glorot/He/Lecun are VarianceScaling with fixed scale/mode/distribution)
  double scale = 1.0;
  std::string mode = "fan_in";                    // fan_in | fan_out | fan_avg
  std::string distribution = "truncated_normal";  // truncated_normal | untruncated_normal | uniform
  // RandomUniform: minval/maxval; RandomNormal/TruncatedNormal: mean/stddev
  double minval = -0.05, maxval = 0.05, mean = 0.0, stddev = 0.05;
  double value = 0.0;  // Constant (Zeros = 0, Ones = 1)
  double gain = 1.0;   // Orthogonal, Identity
  std::optional<std::uint64_t> seed;

  // Throws Error naming the problem (unknown initializer, unknown config key, bad value).
  static Initializer fromJson(const nlohmann::json& spec);
  // Fills t (already sized to the weight shape) with initial values.
  void fill(Tensor& t, Rng& rng) const;
};

// Keras _compute_fans: rank 2 (in, out); rank > 2 multiplies by the receptive field
// (prod(shape[:-2])); rank 1 fan_in = fan_out = shape[0]; rank 0: 1, 1.
void computeFans(const Shape& shape, double& fanIn, double& fanOut);

}  // namespace tessel
