#include "engine/data/RowSource.h"

namespace tessel {

Index RowSource::rowSize() const {
  return shapeProduct(rowShape());
}

}  // namespace tessel
