#pragma once
// Bounds on what a well-formed but hostile input (a model.json, an IDX or .npy header, a CSV, an
// image) may make the engine allocate. Each loader checks its input against these BEFORE it
// allocates and refuses with an Error that names the limit. The values are far above anything
// the studio trains on a desktop, and far below what would exhaust its memory.
#include <cstdint>
#include <string>

#include "engine/tensor/Shape.h"

namespace tessel {

// Parameters (weights, trainable or not) of one built model: 2^30, 4 GiB as float32 (training
// with Adam holds four times that: values, gradients and two moments).
inline constexpr std::int64_t kMaxModelParameters = std::int64_t(1) << 30;
// Bytes of one array read from a file (IDX, .npy): 4 GiB.
inline constexpr std::int64_t kMaxArrayBytes = std::int64_t(4) << 30;
// Bytes of one physical line of a delimited text file (CSV, TSV): 64 MiB.
inline constexpr std::int64_t kMaxCsvLineBytes = std::int64_t(64) << 20;
// Columns one feature column may encode to (one-hot vocabulary + OOV buckets, crossed hash
// buckets): 2^20.
inline constexpr std::int64_t kMaxFeatureColumns = std::int64_t(1) << 20;
// Pixels (width x height) of one decoded image: 2^28 (16384 x 16384).
inline constexpr std::int64_t kMaxImagePixels = std::int64_t(1) << 28;
// Pixels an image file may claim per byte of the file: 8,256, what a 1-bit PNG of one colour
// compresses to (deflate's 1032:1 at 8 pixels a byte); JPEG, GIF and BMP stay far below. A header
// claiming more comes from a truncated or hostile file and is refused before the decoder
// allocates the pixels.
inline constexpr std::int64_t kMaxImagePixelsPerFileByte = 8256;
// Deflate expands at most 1032:1: the most bytes a gzip file of n bytes can decompress to.
inline constexpr std::int64_t kMaxDeflateRatio = 1032;

// Product of the dimensions (each >= 0), or -1 when it exceeds `limit` (no overflow).
std::int64_t boundedProduct(const Shape& shape, std::int64_t limit);
// "4 GiB", "64 MiB", "1,073,741,824" for messages.
std::string byteSizeText(std::int64_t bytes);
std::string countText(std::int64_t count);

}  // namespace tessel
