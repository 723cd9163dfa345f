#include "ui/preview/ImagePreprocessor.h"

#include <QBuffer>
#include <cstring>

#include "engine/data/ImageDecode.h"

#include <algorithm>
#include <cmath>

namespace tessel::ui {

ImagePreprocessor ImagePreprocessor::fromData(const Array& x, const Shape& in) {
  ImagePreprocessor p;
  if (in.size() == 3) {
    p.height = static_cast<int>(in[1]);
    p.width = static_cast<int>(in[2]);
  } else if (in.size() == 4 && (in[3] == 1 || in[3] == 3)) {
    p.height = static_cast<int>(in[1]);
    p.width = static_cast<int>(in[2]);
    p.channels = static_cast<int>(in[3]);
    p.hasChannelAxis = true;
  } else if (in.size() == 2 && in[1] > 0) {
    const auto side = static_cast<Index>(std::lround(std::sqrt(static_cast<double>(in[1]))));
    if (side * side != in[1]) return {};
    p.height = p.width = static_cast<int>(side);
    p.flat = true;
  } else {
    return {};
  }
  if (p.height <= 0 || p.width <= 0) return {};
  p.scale = x.scale;
  p.offset = x.offset;
  if (x.dtype() == DType::UInt8 || x.size() == 0) return p;
  // Float data: [0, 1] images take byte / 255; larger ranges take the byte as is.
  double hi = 0;
  const Index n = std::min<Index>(x.size(), 1 << 16);
  for (Index i = 0; i < n; ++i) hi = std::max(hi, x.raw(i));
  p.pixelScale = hi <= 1.0 ? 1.0f / 255.0f : 1.0f;
  return p;
}

QImage ImagePreprocessor::modelImage(const QByteArray& encodedFile, const QString& name) const {
  if (!valid() || encodedFile.isEmpty()) return {};
  DecodedImage d;
  try {
    d = decodeImage(reinterpret_cast<const std::uint8_t*>(encodedFile.constData()),
                    static_cast<std::size_t>(encodedFile.size()), name.toStdString(), channels,
                    height, width);
  } catch (const std::exception&) {
    return {};
  }
  QImage img(d.width, d.height, channels == 3 ? QImage::Format_RGB888 : QImage::Format_Grayscale8);
  const qsizetype row = static_cast<qsizetype>(d.width) * d.channels;
  for (int y = 0; y < d.height; ++y)
    std::memcpy(img.scanLine(y), d.pixels.data() + y * row, static_cast<size_t>(row));
  return img;
}

QImage ImagePreprocessor::modelImage(const QImage& source) const {
  if (!valid() || source.isNull()) return {};
  QByteArray png;
  QBuffer buffer(&png);
  buffer.open(QIODevice::WriteOnly);
  if (!source.save(&buffer, "PNG")) return {};
  return modelImage(png, QStringLiteral("image"));
}

Tensor ImagePreprocessor::tensor(const QImage& image) const {
  Shape s;
  if (flat)
    s = {1, static_cast<Index>(height) * width * channels};
  else if (hasChannelAxis)
    s = {1, height, width, channels};
  else
    s = {1, height, width};
  Tensor t(s);
  if (image.width() != width || image.height() != height) return t;
  float* out = t.data();
  for (int y = 0; y < height; ++y) {
    const uchar* line = image.constScanLine(y);
    for (int xx = 0; xx < width * channels; ++xx)
      *out++ = static_cast<float>(line[xx]) * pixelScale * scale + offset;
  }
  return t;
}

}  // namespace tessel::ui
