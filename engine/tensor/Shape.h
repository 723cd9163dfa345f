#pragma once
// Shapes as Keras writes them: the batch dimension first, kNone (-1) where unknown ("None").
#include <cstdint>
#include <string>
#include <vector>

namespace tessel {

using Index = std::int64_t;
using Shape = std::vector<Index>;
inline constexpr Index kNone = -1;

// "(None, 28, 28, 1)" as Keras prints it; a rank-1 shape prints as "(None,)".
std::string shapeToString(const Shape& shape);
// Product of all dimensions; kNone dimensions count as `noneAs`.
Index shapeProduct(const Shape& shape, Index noneAs = 1);
// Shape with the batch dimension replaced by `batch`.
Shape withBatch(Shape shape, Index batch);

}  // namespace tessel
