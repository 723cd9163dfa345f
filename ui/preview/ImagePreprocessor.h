#pragma once
// Turns an image file the user drops into a model input, the way the data set's images were
// prepared: converted to grayscale or RGB, resized to the model input (H, W), pixel bytes mapped
// to the data set's raw range (0..255 for uint8 arrays, 0..1 for float arrays holding [0, 1]),
// then the array's affine map (value = raw * scale + offset, e.g. a StandardScaler).
#include <QImage>

#include "engine/data/Array.h"
#include "engine/tensor/Tensor.h"

namespace tessel::ui {

struct ImagePreprocessor {
  int height = 0, width = 0, channels = 1;
  bool flat = false;            // model input (N, H*W*C) instead of (N, H, W[, C])
  bool hasChannelAxis = false;  // (N, H, W, C) rather than (N, H, W)
  float pixelScale = 1.0f;      // byte → raw value of the data set
  float scale = 1.0f, offset = 0.0f;

  // From the data set's image array (N, H, W[, C]) or (N, D) and the model input shape (batch
  // dimension first). Returns an invalid preprocessor when the input is not an image.
  static ImagePreprocessor fromData(const Array& x, const Shape& modelInput);
  bool valid() const { return height > 0 && width > 0; }

  // The image as the model sees it: Grayscale8 or RGB888, width × height, decoded, converted and
  // resized by the engine exactly as the data set's image files are (stb, ImageDecode.h), so a
  // dropped file gets the training pixels. Null when the bytes are no decodable image.
  QImage modelImage(const QByteArray& encodedFile, const QString& name = {}) const;
  // Same for an image already in memory (encoded losslessly as PNG first).
  QImage modelImage(const QImage& source) const;
  // (1, model input dims...) from a modelImage().
  Tensor tensor(const QImage& modelImage) const;
};

}  // namespace tessel::ui
