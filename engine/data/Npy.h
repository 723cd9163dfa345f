#pragma once
// NumPy .npy files (format versions 1.0, 2.0 and 3.0), C order.
// dtypes: '<f4' float32, '<f8' float64, '|u1' uint8, '|i1' int8, '<i2' int16, '<i4' int32,
// '<i8' int64, '|b1' bool. Big-endian ('>f4', ...) files are byte-swapped on reading.
// fortran_order True, structured or other dtypes are refused with an Error naming them.
// Writing produces the same bytes as numpy.save (version 1.0 header, or 2.0 when the header does
// not fit in 65535 bytes), storing the raw values (the array's scale/offset are not stored).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/Array.h"

namespace tessel {

Array readNpy(const std::string& path);
void writeNpy(const std::string& path, const Array& array);

// In memory (e.g. a blob in the project file). `name` is used in error messages.
Array decodeNpy(const std::uint8_t* data, size_t size, const std::string& name = "npy data");
std::vector<std::uint8_t> encodeNpy(const Array& array);

// The numpy descr of a dtype: "<f4", "|u1", ...
std::string npyDescr(DType t);

}  // namespace tessel
