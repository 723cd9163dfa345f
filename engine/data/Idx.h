#pragma once
// IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed (decided by the file's
// content when reading; by a ".gz" suffix when writing).
//   magic: 0x00 0x00 <type> <ndim>; type 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
//   0x0D float32, 0x0E float64; then ndim big-endian uint32 dimensions; then the data in C order,
//   big-endian.
// Errors are tessel::Error with one line starting with the file name.
#include <string>

#include "engine/data/Array.h"

namespace tessel {

struct IdxHeader {
  DType dtype = DType::UInt8;
  Shape shape;
};

// Reads only the header (cheap even for a large .gz).
IdxHeader readIdxHeader(const std::string& path);
// Reads the array. maxRows >= 0 reads at most that many rows of dimension 0 (the rest of the
// file is not decompressed). Multi-byte values are converted to the host's little-endian order.
Array readIdx(const std::string& path, Index maxRows = -1);
// Writes a (uint8, int8, int16, int32, float32 or float64) array; gzip when path ends in ".gz".
// Writes the raw values: the array's scale/offset are not stored.
void writeIdx(const std::string& path, const Array& array);

}  // namespace tessel
