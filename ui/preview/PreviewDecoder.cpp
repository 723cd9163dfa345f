#include "ui/preview/PreviewDecoder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <string>

#include "engine/data/Boxes.h"

namespace tessel::ui {

namespace {

// Lower-case loss name of a compile() loss entry ("sparse_categorical_crossentropy", or a
// {"class_name": ...} object).
std::string lossName(const CompileOptions& compile, size_t k) {
  if (compile.losses.empty()) return {};
  const json& l = compile.losses[compile.losses.size() == 1 ? 0 : k];
  std::string s;
  if (l.is_string())
    s = l.get<std::string>();
  else if (l.is_object() && l.contains("class_name") && l["class_name"].is_string())
    s = l["class_name"].get<std::string>();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool isCategorical(const std::string& loss) {
  return loss.find("categorical") != std::string::npos;
}

Index squareSide(Index d) {
  const auto s = static_cast<Index>(std::lround(std::sqrt(static_cast<double>(d))));
  return s * s == d ? s : -1;
}

}  // namespace

PreviewHeads PreviewDecoder::detect(const std::vector<Shape>& shapes,
                                    const CompileOptions& compile) {
  PreviewHeads h;
  // Many-box form first: (N, K, 4) boxes and their (N, K) / (N, K, C) scores.
  for (size_t k = 0; k < shapes.size() && h.boxOutput < 0; ++k)
    if (shapes[k].size() == 3 && shapes[k][2] == 4) h.boxOutput = static_cast<int>(k);
  if (h.boxOutput >= 0) {
    const Index kBoxes = shapes[h.boxOutput][1];
    for (size_t k = 0; k < shapes.size(); ++k) {
      if (static_cast<int>(k) == h.boxOutput) continue;
      const Shape& s = shapes[k];
      if ((s.size() == 2 || s.size() == 3) && s[1] == kBoxes && kBoxes != kNone) {
        h.scoreOutput = static_cast<int>(k);
        break;
      }
    }
  }
  for (size_t k = 0; k < shapes.size(); ++k) {
    const int ki = static_cast<int>(k);
    if (ki == h.boxOutput || ki == h.scoreOutput) continue;
    const Shape& s = shapes[k];
    if (s.size() != 2 || s[1] == kNone) continue;
    const std::string loss = lossName(compile, k);
    if (isCategorical(loss) && s[1] >= 2) {
      h.classOutputs.push_back(ki);
    } else if (s[1] == 4 && h.boxOutput < 0) {
      h.boxOutput = ki;
    } else if (loss.empty() && s[1] >= 2) {
      h.classOutputs.push_back(ki);
    }
  }
  return h;
}

bool PreviewDecoder::isImageArray(const Array& x) {
  const Shape& s = x.shape();
  if (s.size() == 3) return s[1] > 0 && s[2] > 0;
  if (s.size() == 4) return s[3] == 1 || s[3] == 3 || s[3] == 4;
  if (s.size() == 2) return squareSide(s[1]) > 1;
  return false;
}

QImage PreviewDecoder::image(const Array& x, Index row) {
  const Shape& s = x.shape();
  Index h = 0, w = 0, c = 1;
  if (s.size() == 3) {
    h = s[1];
    w = s[2];
  } else if (s.size() == 4) {
    h = s[1];
    w = s[2];
    c = s[3];
  } else if (s.size() == 2) {
    h = w = squareSide(s[1]);
  }
  if (h <= 0 || w <= 0 || row < 0 || row >= x.rows()) return {};
  const Index n = h * w * c;
  if (n > x.rowSize()) return {};
  // The row's raw values in one gather (a lazy image-folder array decodes the image once).
  Array rawX = x;
  rawX.scale = 1.0f;
  rawX.offset = 0.0f;
  Tensor t;
  rawX.gather(&row, 1, t);
  std::vector<double> v(static_cast<size_t>(n));
  double lo = 0, hi = 0;
  for (Index i = 0; i < n; ++i) {
    v[i] = t.data()[i];
    lo = i == 0 ? v[i] : std::min(lo, v[i]);
    hi = i == 0 ? v[i] : std::max(hi, v[i]);
  }
  double scale = 1, offset = 0;
  if (lo >= 0 && hi <= 1.0)
    scale = 255;
  else if (lo >= 0 && hi <= 255)
    scale = 1;
  else if (hi > lo) {
    scale = 255 / (hi - lo);
    offset = -lo * scale;
  }
  auto px = [&](Index i) {
    return static_cast<uchar>(std::clamp(std::lround(v[i] * scale + offset), 0L, 255L));
  };
  const bool rgb = c >= 3;
  QImage img(static_cast<int>(w), static_cast<int>(h),
             rgb ? QImage::Format_RGB888 : QImage::Format_Grayscale8);
  for (Index y = 0; y < h; ++y) {
    uchar* line = img.scanLine(static_cast<int>(y));
    for (Index xx = 0; xx < w; ++xx) {
      const Index p = (y * w + xx) * c;
      if (rgb) {
        line[xx * 3] = px(p);
        line[xx * 3 + 1] = px(p + 1);
        line[xx * 3 + 2] = px(p + 2);
      } else {
        line[xx] = px(p);
      }
    }
  }
  return img;
}

int PreviewDecoder::labelClass(const Array& y, Index row) {
  if (row < 0 || row >= y.rows()) return -1;
  const Index d = y.rowSize();
  if (d == 1) return static_cast<int>(std::lround(y.value(row)));
  int best = 0;
  for (Index j = 1; j < d; ++j)
    if (y.value(row * d + j) > y.value(row * d + best)) best = static_cast<int>(j);
  return best;
}

std::vector<PreviewBox> PreviewDecoder::labelBoxes(const Array& y, Index row) {
  std::vector<PreviewBox> out;
  if (row < 0 || row >= y.rows()) return out;
  const Index d = y.rowSize();
  if (d % 4 != 0) return out;
  for (Index j = 0; j < d; j += 4) {
    const Index p = row * d + j;
    PreviewBox b{y.value(p), y.value(p + 1), y.value(p + 2), y.value(p + 3)};
    if (b.valid()) out.push_back(b);
  }
  return out;
}

void PreviewDecoder::fillTruth(const PreviewHeads& heads, const Dataset& data, Index row,
                               PreviewRecord& rec) {
  rec.sample = row;
  if (!data.x.empty() && isImageArray(data.x[0])) rec.image = image(data.x[0], row);
  rec.trueClass = -1;
  rec.trueBoxes.clear();
  if (heads.hasClass() && heads.classOutputs[0] < static_cast<int>(data.y.size()))
    rec.trueClass = labelClass(data.y[heads.classOutputs[0]], row);
  if (heads.hasBoxes() && heads.boxOutput < static_cast<int>(data.y.size())) {
    rec.trueBoxes = labelBoxes(data.y[heads.boxOutput], row);
    for (auto& b : rec.trueBoxes) b.classId = rec.trueClass;
  }
}

std::pair<int, float> PreviewDecoder::argmax(const Tensor& probs, Index row) {
  const Index n = probs.dim(0);
  if (row < 0 || row >= n || n == 0) return {-1, 0.0f};
  const Index c = probs.size() / n;
  const float* p = probs.data() + row * c;
  const auto best = static_cast<int>(std::max_element(p, p + c) - p);
  return {best, p[best]};
}

void PreviewDecoder::fillPrediction(const PreviewHeads& heads, const std::vector<Tensor>& outputs,
                                    Index row, PreviewRecord& rec) {
  auto has = [&](int k) { return k >= 0 && k < static_cast<int>(outputs.size()); };
  rec.predClass = -1;
  rec.confidence = 0;
  rec.probs.clear();
  rec.predBoxes.clear();
  rec.iou = -1;
  if (heads.hasClass() && has(heads.classOutputs[0])) {
    const Tensor& t = outputs[heads.classOutputs[0]];
    const Index n = t.dim(0);
    if (row < n) {
      const Index c = t.size() / n;
      rec.probs.assign(t.data() + row * c, t.data() + (row + 1) * c);
      std::tie(rec.predClass, rec.confidence) = argmax(t, row);
    }
  }
  if (heads.hasBoxes() && has(heads.boxOutput)) {
    const Tensor& t = outputs[heads.boxOutput];
    const Index n = t.dim(0);
    if (row < n) {
      const Index d = t.size() / n;
      const float* p = t.data() + row * d;
      std::vector<PreviewBox> boxes;
      for (Index j = 0; j + 3 < d; j += 4) boxes.push_back({p[j], p[j + 1], p[j + 2], p[j + 3]});
      if (boxes.size() == 1 && heads.scoreOutput < 0) {
        boxes[0].classId = rec.predClass;
        boxes[0].score = rec.hasClass() ? rec.confidence : -1.0f;
        rec.predBoxes = boxes;
      } else {
        // Many boxes: scores (and classes) from the score output, then NMS.
        std::vector<float> scores(boxes.size(), 1.0f);
        std::vector<int> cls(boxes.size(), rec.predClass);
        if (has(heads.scoreOutput)) {
          const Tensor& s = outputs[heads.scoreOutput];
          const Index per = s.size() / std::max<Index>(1, s.dim(0));
          const Index c = boxes.empty() ? 1 : per / static_cast<Index>(boxes.size());
          const float* sp = s.data() + row * per;
          for (size_t b = 0; b < boxes.size(); ++b) {
            const float* q = sp + static_cast<Index>(b) * c;
            if (c == 1) {
              scores[b] = q[0];
            } else {
              const auto best = static_cast<int>(std::max_element(q, q + c) - q);
              scores[b] = q[best];
              cls[b] = best;
            }
          }
        }
        for (int i : nonMaxSuppression(boxes, scores, heads.maxOutputSize, heads.iouThreshold,
                                       heads.scoreThreshold)) {
          PreviewBox b = boxes[i];
          b.score = scores[i];
          b.classId = cls[i];
          rec.predBoxes.push_back(b);
        }
      }
      for (auto& b : rec.predBoxes) {
        for (const auto& g : rec.trueBoxes) b.iou = std::max(b.iou, boxIoU(b, g));
        if (!rec.trueBoxes.empty()) rec.iou = std::max(rec.iou, b.iou);
      }
      if (rec.predBoxes.empty() && !rec.trueBoxes.empty()) rec.iou = 0;
    }
  }
}

std::vector<int> PreviewDecoder::nonMaxSuppression(const std::vector<PreviewBox>& boxes,
                                                   const std::vector<float>& scores,
                                                   int maxOutputSize, float iouThreshold,
                                                   float scoreThreshold) {
  const size_t n = std::min(boxes.size(), scores.size());
  std::vector<float> flat(4 * n);
  for (size_t i = 0; i < n; ++i) {
    flat[4 * i] = boxes[i].yMin;
    flat[4 * i + 1] = boxes[i].xMin;
    flat[4 * i + 2] = boxes[i].yMax;
    flat[4 * i + 3] = boxes[i].xMax;
  }
  std::vector<int> kept;
  try {
    for (Index k : tessel::nonMaxSuppression(flat.data(), scores.data(), static_cast<Index>(n),
                                             maxOutputSize, iouThreshold, scoreThreshold))
      kept.push_back(static_cast<int>(k));
  } catch (const std::exception&) {
    // Bad thresholds (outside [0, 1]): nothing is drawn rather than a failing preview.
  }
  return kept;
}

}  // namespace tessel::ui
