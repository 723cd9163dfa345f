#pragma once
// Element conversions of Array (internal to engine/data): stored values of any DType to float32
// with the affine map applied (AVX2 + FMA paths bit-identical to the scalar ones), and single
// values stored or loaded in a DType.
#include <cstdint>

#include "engine/data/Array.h"

namespace tessel {

// n elements of type t starting at src -> dst (float32), affine applied: raw * s + o.
void convertRun(DType t, const std::uint8_t* src, Index n, float* dst, float s, float o);

// dst[i] = raw[i] * s + o in place (the float path of convertRun: bit-identical to it).
void affineInPlace(float* dst, Index n, float s, float o);

// v converted to dtype t (truncation for integer types, as numpy's astype) at dst.
void storeValue(DType t, std::uint8_t* dst, double v);

// The stored value of dtype t at src.
double loadValue(DType t, const std::uint8_t* src);

}  // namespace tessel
