// BatchAugmenter (engine/train/BatchAugmenter.h): the data settings' augmentation applied to a
// training batch. Hand-computed flips of an image and its box, a 90° and a 45° rotation of a box,
// the box following the image content for every geometric op (a white rectangle in a black
// image, measured after the warp), identity with all factors 0, seeding by
// (seed, fit seed, epoch, sample) independent of the batch, the photometric ops against the
// RandomContrast / RandomBrightness layers, draw ranges, and attachAugmentation's checks.
#include <QtTest>

#include <cmath>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/core/Rng.h"
#include "engine/layers/RandomBrightness.h"
#include "engine/layers/RandomContrast.h"
#include "engine/train/BatchAugmenter.h"
#include "engine/train/FitOptions.h"
#include "tests/engine/layers/LayerTestUtil.h"

using namespace tessel;
using namespace tessel::test;

namespace {

using Aug = DataSettings::Augmentation;
using Params = BatchAugmenter::Params;

bool closeBox(const float* got, const std::vector<float>& want, float tol) {
  for (int i = 0; i < 4; ++i)
    if (!(std::fabs(got[i] - want[size_t(i)]) <= tol)) {
      qWarning("box [%g %g %g %g], expected [%g %g %g %g] (tol %g)", got[0], got[1], got[2], got[3],
               want[0], want[1], want[2], want[3], tol);
      return false;
    }
  return true;
}

bool sameTensor(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::equal(a.data(), a.data() + a.size(), b.data());
}

// A black (h, w, 1) image with a white rectangle on rows [r0, r1], columns [c0, c1] (inclusive),
// and its box [r0 / h, c0 / w, (r1 + 1) / h, (c1 + 1) / w].
Tensor rectangleImage(Index h, Index w, Index r0, Index r1, Index c0, Index c1, float box[4]) {
  Tensor x({1, h, w, 1}, 0.0f);
  for (Index r = r0; r <= r1; ++r)
    for (Index c = c0; c <= c1; ++c) x[r * w + c] = 1.0f;
  box[0] = float(r0) / float(h), box[1] = float(c0) / float(w);
  box[2] = float(r1 + 1) / float(h), box[3] = float(c1 + 1) / float(w);
  return x;
}

// The box of the pixels >= 0.5 in a (1, h, w, 1) image, normalised as rectangleImage.
std::vector<float> measuredBox(const Tensor& x) {
  const Index h = x.dim(1), w = x.dim(2);
  Index r0 = h, r1 = -1, c0 = w, c1 = -1;
  for (Index r = 0; r < h; ++r)
    for (Index c = 0; c < w; ++c)
      if (x[r * w + c] >= 0.5f)
        r0 = std::min(r0, r), r1 = std::max(r1, r), c0 = std::min(c0, c), c1 = std::max(c1, c);
  return {float(r0) / float(h), float(c0) / float(w), float(r1 + 1) / float(h),
          float(c1 + 1) / float(w)};
}

// Augments the rectangle image with p through the augmenter (geometric ops only) and checks that
// the returned box lies within one pixel of the measured content box.
bool boxFollowsContent(const Params& p, const char* what) {
  const Index h = 64, w = 64;
  float box[4];
  Tensor x = rectangleImage(h, w, 24, 35, 20, 39, box);
  Aug a;
  a.rotation = 0.5, a.zoom = 0.5, a.translate = 0.5, a.flipHorizontal = a.flipVertical = true;
  BatchAugmenter aug(a);
  std::vector<float> scratch(size_t(h * w));
  aug.applyOne(x.data(), box, p, h, w, 1, scratch.data());
  const std::vector<float> m = measuredBox(x);
  const float tol = 1.0f / 64.0f + 1e-5f;
  if (!closeBox(box, m, tol)) {
    qWarning("%s: the box does not follow the content", what);
    return false;
  }
  return true;
}

Tensor randomImages(Index n, Index h, Index w, Index c, std::uint64_t seed, float hi = 255.0f) {
  Rng rng(seed);
  Tensor x({n, h, w, c});
  for (Index i = 0; i < x.size(); ++i) x[i] = rng.uniform(0.0f, hi);
  return x;
}

Aug everything() {
  Aug a;
  a.flipHorizontal = a.flipVertical = true;
  a.rotation = 0.1, a.zoom = 0.2, a.translate = 0.1, a.contrast = 0.3, a.brightness = 0.2;
  a.seed = 11;
  return a;
}

}  // namespace

class TestAugmenter : public QObject {
  Q_OBJECT
 private slots:
  void flipsMirrorImageAndBox() {
    // 4 x 4, one channel, value = 10 row + col.
    Tensor x({1, 4, 4, 1});
    for (Index i = 0; i < 16; ++i) x[i] = float(10 * (i / 4) + i % 4);
    Aug a;
    a.flipHorizontal = a.flipVertical = true;
    BatchAugmenter aug(a);
    std::vector<float> scratch(16);

    Tensor hx = x;
    float box[4] = {0.1f, 0.2f, 0.5f, 0.6f};
    Params ph;
    ph.flipH = true;
    aug.applyOne(hx.data(), box, ph, 4, 4, 1, scratch.data());
    for (Index r = 0; r < 4; ++r)
      for (Index c = 0; c < 4; ++c) QCOMPARE(hx[r * 4 + c], float(10 * r + (3 - c)));
    QVERIFY(closeBox(box, {0.1f, 0.4f, 0.5f, 0.8f}, 1e-6f));

    Tensor vx = x;
    float vbox[4] = {0.1f, 0.2f, 0.5f, 0.6f};
    Params pv;
    pv.flipV = true;
    aug.applyOne(vx.data(), vbox, pv, 4, 4, 1, scratch.data());
    for (Index r = 0; r < 4; ++r)
      for (Index c = 0; c < 4; ++c) QCOMPARE(vx[r * 4 + c], float(10 * (3 - r) + c));
    QVERIFY(closeBox(vbox, {0.5f, 0.2f, 0.9f, 0.6f}, 1e-6f));

    // Through apply(): each drawn flip mirrors the image exactly, undrawn ones leave it alone.
    Tensor batch({8, 4, 4, 1});
    for (Index j = 0; j < 8; ++j)
      for (Index i = 0; i < 16; ++i) batch[j * 16 + i] = x[i];
    Tensor boxes({8, 4});
    for (Index j = 0; j < 8; ++j)
      boxes[j * 4] = 0.1f, boxes[j * 4 + 1] = 0.2f, boxes[j * 4 + 2] = 0.5f,
                boxes[j * 4 + 3] = 0.6f;
    std::vector<Index> idx = {3, 1, 4, 15, 9, 2, 6, 5};
    aug.apply(batch, &boxes, idx.data(), 8, 42, 0);
    int flippedH = 0, flippedV = 0;
    for (Index j = 0; j < 8; ++j) {
      const Params p = aug.draw(42, 0, idx[size_t(j)], 4, 4);
      flippedH += p.flipH, flippedV += p.flipV;
      for (Index r = 0; r < 4; ++r)
        for (Index c = 0; c < 4; ++c) {
          const Index sr = p.flipV ? 3 - r : r, sc = p.flipH ? 3 - c : c;
          QCOMPARE(batch[j * 16 + r * 4 + c], float(10 * sr + sc));
        }
      const std::vector<float> want = {p.flipV ? 0.5f : 0.1f, p.flipH ? 0.4f : 0.2f,
                                       p.flipV ? 0.9f : 0.5f, p.flipH ? 0.8f : 0.6f};
      QVERIFY(closeBox(boxes.data() + j * 4, want, 1e-6f));
    }
    QVERIFY(flippedH > 0 && flippedH < 8);  // both outcomes occur
    QVERIFY(flippedV > 0 && flippedV < 8);
  }

  void rotatedBoxByHand() {
    // 90° counter-clockwise on a 10 x 10 image: the output point (x, y) reads the input point
    // (9 - y, x), so an input point goes to (x', y') = (y, 9 - x); normalised u' = v, v' = 1 - u.
    // [y0, x0, y1, x1] = [0.1, 0.2, 0.5, 0.6] → x' in [0.1, 0.5], y' in [1 - 0.6, 1 - 0.2].
    Params p;
    p.angle = float(M_PI / 2);
    float box[4] = {0.1f, 0.2f, 0.5f, 0.6f};
    BatchAugmenter::transformBox(box, p, 10, 10);
    QVERIFY(closeBox(box, {0.4f, 0.1f, 0.8f, 0.5f}, 1e-5f));
    // The pixels move the same way (4 x 4: output (x, y) = input (3 - y, x)).
    Tensor x({1, 4, 4, 1});
    for (Index i = 0; i < 16; ++i) x[i] = float(10 * (i / 4) + i % 4);
    Aug a;
    a.rotation = 0.25;
    BatchAugmenter aug(a);
    std::vector<float> scratch(16);
    Tensor y = x;
    aug.applyOne(y.data(), nullptr, p, 4, 4, 1, scratch.data());
    for (Index r = 0; r < 4; ++r)
      for (Index c = 0; c < 4; ++c) QVERIFY(std::fabs(y[r * 4 + c] - x[c * 4 + (3 - r)]) < 1e-4f);
    // 45° of a centred square box [0.3, 0.7]²: corners at 0.2 from the centre along each axis
    // go to 0.2·√2 along the diagonals; the bounding box is 0.5 ± 0.2√2.
    Params q;
    q.angle = float(M_PI / 4);
    float sq[4] = {0.3f, 0.3f, 0.7f, 0.7f};
    BatchAugmenter::transformBox(sq, q, 20, 20);
    const float d = 0.2f * std::sqrt(2.0f);
    QVERIFY(closeBox(sq, {0.5f - d, 0.5f - d, 0.5f + d, 0.5f + d}, 1e-5f));
    // A rotation that pushes corners out of the image: clipped to [0, 1].
    float big[4] = {0.05f, 0.05f, 0.95f, 0.95f};
    BatchAugmenter::transformBox(big, q, 20, 20);
    QVERIFY(closeBox(big, {0, 0, 1, 1}, 0));
  }

  void zoomAndTranslateBoxesByHand() {
    // Zoom out by 2 about the centre of a 10 x 10 image: normalised u' = 0.5 + (u - 0.5) / 2.
    Params z;
    z.zoomX = z.zoomY = 2.0f;
    float box[4] = {0.1f, 0.2f, 0.5f, 0.6f};
    BatchAugmenter::transformBox(box, z, 10, 10);
    QVERIFY(closeBox(box, {0.3f, 0.35f, 0.5f, 0.55f}, 1e-5f));
    // Shift 2 rows down and 3 columns left on 10 x 20 (h x w).
    Params t;
    t.shiftY = 2.0f, t.shiftX = -3.0f;
    float tb[4] = {0.1f, 0.2f, 0.5f, 0.6f};
    BatchAugmenter::transformBox(tb, t, 10, 20);
    QVERIFY(closeBox(tb, {0.3f, 0.05f, 0.7f, 0.45f}, 1e-5f));
    // Moved half out of the image: clipped.
    Params out;
    out.shiftX = -5.0f;
    float ob[4] = {0.1f, 0.2f, 0.5f, 0.6f};
    BatchAugmenter::transformBox(ob, out, 10, 10);
    QVERIFY(closeBox(ob, {0.1f, 0.0f, 0.5f, 0.1f}, 1e-5f));
  }

  void boxesFollowTheContent() {
    Params p;
    QVERIFY(boxFollowsContent(p, "identity"));
    p = {}, p.flipH = true;
    QVERIFY(boxFollowsContent(p, "flip horizontal"));
    p = {}, p.flipV = true;
    QVERIFY(boxFollowsContent(p, "flip vertical"));
    for (float deg : {90.0f, 180.0f, -90.0f, 12.0f, -25.0f}) {
      p = {}, p.angle = deg * float(M_PI) / 180.0f;
      QVERIFY(boxFollowsContent(p, qPrintable(QString("rotation %1°").arg(deg))));
    }
    for (float zf : {0.7f, 1.3f, 0.85f}) {
      p = {}, p.zoomX = p.zoomY = zf;
      QVERIFY(boxFollowsContent(p, qPrintable(QString("zoom %1").arg(zf))));
    }
    p = {}, p.zoomX = 1.2f, p.zoomY = 0.8f;
    QVERIFY(boxFollowsContent(p, "zoom x 1.2, y 0.8"));
    for (auto [dy, dx] : std::vector<std::pair<float, float>>{{5, -7}, {-10.5f, 3.25f}, {0, 12}}) {
      p = {}, p.shiftY = dy, p.shiftX = dx;
      QVERIFY(boxFollowsContent(p, qPrintable(QString("translate %1, %2").arg(dy).arg(dx))));
    }
    // Everything at once: flip, rotation, zoom and translation composed.
    p = {}, p.flipH = true, p.angle = 0.2f, p.zoomX = p.zoomY = 0.9f, p.shiftY = 4, p.shiftX = -3;
    QVERIFY(boxFollowsContent(p, "composed"));
    p = {}, p.flipV = true, p.angle = -1.3f, p.zoomX = p.zoomY = 1.15f, p.shiftY = -6;
    QVERIFY(boxFollowsContent(p, "composed 2"));
    // Drawn parameters (every geometric factor on) for a few samples.
    Aug a;
    a.flipHorizontal = a.flipVertical = true;
    a.rotation = 0.05, a.zoom = 0.2, a.translate = 0.1, a.seed = 3;
    BatchAugmenter aug(a);
    for (Index s = 0; s < 6; ++s)
      QVERIFY(boxFollowsContent(aug.draw(9, 2, s, 64, 64), qPrintable(QString("drawn %1").arg(s))));
  }

  void allFactorsZeroIsIdentity() {
    Aug a;
    a.seed = 123;
    BatchAugmenter aug(a);
    Tensor x = randomImages(5, 6, 7, 3, 1);
    Tensor y = x;
    Tensor boxes({5, 4});
    for (Index i = 0; i < boxes.size(); ++i) boxes[i] = float(i % 4) * 0.25f + 0.1f;
    Tensor b = boxes;
    std::vector<Index> idx = {0, 1, 2, 3, 4};
    aug.apply(y, &b, idx.data(), 5, 77, 3);
    QVERIFY(sameTensor(x, y));
    QVERIFY(sameTensor(boxes, b));
    const Params p = aug.draw(77, 3, 2, 6, 7);
    QVERIFY(!p.flipH && !p.flipV && p.angle == 0 && p.zoomX == 1 && p.zoomY == 1 && p.shiftX == 0 &&
            p.shiftY == 0 && p.contrast == 1 && p.brightness == 0);
  }

  void seededBySampleAndEpoch() {
    BatchAugmenter aug(everything());
    const Tensor x = randomImages(10, 8, 8, 2, 5);
    // Sample 7 in two different batches (different positions and neighbours) of epoch 1.
    auto run = [&](const std::vector<Index>& idx, std::uint64_t fitSeed, int epoch) {
      Tensor b({Index(idx.size()), 8, 8, 2});
      for (size_t j = 0; j < idx.size(); ++j)
        std::copy(x.data() + idx[j] * 128, x.data() + (idx[j] + 1) * 128, b.data() + j * 128);
      aug.apply(b, nullptr, idx.data(), Index(idx.size()), fitSeed, epoch);
      return b;
    };
    auto row = [](const Tensor& b, Index j) {
      return std::vector<float>(b.data() + j * 128, b.data() + (j + 1) * 128);
    };
    const Tensor b1 = run({5, 7}, 42, 1);
    const Tensor b2 = run({7, 9, 2}, 42, 1);
    QVERIFY(row(b1, 1) == row(b2, 0));
    QVERIFY(row(b1, 1) != std::vector<float>(x.data() + 7 * 128, x.data() + 8 * 128));
    // Another epoch, fit seed or augmentation seed: another transform.
    QVERIFY(row(run({7}, 42, 2), 0) != row(b2, 0));
    QVERIFY(row(run({7}, 43, 1), 0) != row(b2, 0));
    Aug other = everything();
    other.seed = 12;
    BatchAugmenter aug2(other);
    Tensor b3({1, 8, 8, 2});
    std::copy(x.data() + 7 * 128, x.data() + 8 * 128, b3.data());
    const Index seven = 7;
    aug2.apply(b3, nullptr, &seven, 1, 42, 1);
    QVERIFY(row(b3, 0) != row(b2, 0));
    // Same everything: same output.
    QVERIFY(sameTensor(run({1, 2, 3}, 5, 0), run({1, 2, 3}, 5, 0)));
  }

  void drawRanges() {
    Aug a = everything();
    BatchAugmenter aug(a);
    aug.setValueRange(-1.0f, 3.0f);  // brightness deltas scale with the range (4)
    int flipsH = 0, flipsV = 0;
    float maxAngle = 0, maxZoom = 0, maxShiftY = 0, maxShiftX = 0, maxC = 0, maxB = 0;
    const int n = 2000;
    for (Index s = 0; s < n; ++s) {
      const Params p = aug.draw(1, 0, s, 20, 30);
      flipsH += p.flipH, flipsV += p.flipV;
      QVERIFY(p.zoomX == p.zoomY);
      maxAngle = std::max(maxAngle, std::fabs(p.angle));
      maxZoom = std::max(maxZoom, std::fabs(p.zoomY - 1.0f));
      maxShiftY = std::max(maxShiftY, std::fabs(p.shiftY));
      maxShiftX = std::max(maxShiftX, std::fabs(p.shiftX));
      maxC = std::max(maxC, std::fabs(p.contrast - 1.0f));
      maxB = std::max(maxB, std::fabs(p.brightness));
    }
    QVERIFY(std::abs(flipsH - n / 2) < 100 && std::abs(flipsV - n / 2) < 100);
    auto fills = [](float m, double bound) { return m <= bound * 1.0001 && m > bound * 0.98; };
    QVERIFY(fills(maxAngle, 0.1 * 2 * M_PI));
    QVERIFY(fills(maxZoom, 0.2));
    QVERIFY(fills(maxShiftY, 0.1 * 20));
    QVERIFY(fills(maxShiftX, 0.1 * 30));
    QVERIFY(fills(maxC, 0.3));
    QVERIFY(fills(maxB, 0.2 * 4));
  }

  void contrastMatchesRandomContrast() {
    // Hand values: two pixels 10 and 30 (mean 20), f = 2 → 0 and 40; channel 2 (mean 250)
    // 240 and 260 → 230 and 270, clipped to 255.
    float img[4] = {10, 240, 30, 260};
    BatchAugmenter::adjustContrast(img, 2, 2, 2.0f, 0.0f, 255.0f);
    QCOMPARE(img[0], 0.0f);
    QCOMPARE(img[2], 40.0f);
    QCOMPARE(img[1], 230.0f);
    QCOMPARE(img[3], 255.0f);
    // The engine's layer with the factor it drew.
    auto layer = makeBuilt("RandomContrast", {{"factor", 0.5}, {"seed", 4}}, {{kNone, 5, 6, 3}});
    const Tensor x = randomImages(3, 5, 6, 3, 8);
    const Tensor y = runForward(*layer, {x}, true);
    const auto& f = static_cast<RandomContrast&>(*layer).lastFactors();
    Tensor mine = x;
    for (Index b = 0; b < 3; ++b)
      BatchAugmenter::adjustContrast(mine.data() + b * 90, 30, 3, f[size_t(b)], 0.0f, 255.0f);
    QVERIFY(sameTensor(mine, y));
    // Through apply() with the drawn factor.
    Aug a;
    a.contrast = 0.5;
    BatchAugmenter aug(a);
    Tensor z = x;
    std::vector<Index> idx = {0, 1, 2};
    aug.apply(z, nullptr, idx.data(), 3, 1, 0);
    Tensor want = x;
    for (Index b = 0; b < 3; ++b) {
      const float fb = aug.draw(1, 0, b, 5, 6).contrast;
      QVERIFY(fb >= 0.5f && fb <= 1.5f);
      BatchAugmenter::adjustContrast(want.data() + b * 90, 30, 3, fb, 0.0f, 255.0f);
    }
    QVERIFY(sameTensor(z, want));
  }

  void brightnessMatchesRandomBrightness() {
    float img[3] = {200, 10, 100};
    BatchAugmenter::adjustBrightness(img, 3, 100.0f, 0.0f, 255.0f);
    QCOMPARE(img[0], 255.0f);
    QCOMPARE(img[1], 110.0f);
    QCOMPARE(img[2], 200.0f);
    auto layer = makeBuilt("RandomBrightness", {{"factor", 0.3}, {"seed", 2}}, {{kNone, 4, 4, 2}});
    const Tensor x = randomImages(4, 4, 4, 2, 9);
    const Tensor y = runForward(*layer, {x}, true);
    const auto& d = static_cast<RandomBrightness&>(*layer).lastDeltas();
    Tensor mine = x;
    for (Index b = 0; b < 4; ++b)
      BatchAugmenter::adjustBrightness(mine.data() + b * 32, 32, d[size_t(b)], 0.0f, 255.0f);
    QVERIFY(sameTensor(mine, y));
    // Through apply() on data rescaled to [0, 1]: delta = u · factor · (1 - 0), clip to [0, 1].
    Aug a;
    a.brightness = 0.3;
    BatchAugmenter aug(a);
    aug.setValueRange(0.0f, 1.0f);
    Tensor z = randomImages(4, 4, 4, 2, 9, 1.0f);
    const Tensor z0 = z;
    std::vector<Index> idx = {10, 11, 12, 13};
    aug.apply(z, nullptr, idx.data(), 4, 3, 1);
    for (Index b = 0; b < 4; ++b) {
      const float delta = aug.draw(3, 1, idx[size_t(b)], 4, 4).brightness;
      QVERIFY(std::fabs(delta) <= 0.3f);
      for (Index i = b * 32; i < (b + 1) * 32; ++i)
        QCOMPARE(z[i], std::clamp(z0[i] + delta, 0.0f, 1.0f));
    }
  }

  void flattenedRowsWithImageShape() {
    // (n, 784)-style rows: with setImageShape the same transform as on (n, h, w, c).
    BatchAugmenter aug(everything());
    const Tensor x = randomImages(3, 6, 5, 2, 4);
    Tensor four = x;
    Tensor flat({3, 60});
    std::copy(x.data(), x.data() + x.size(), flat.data());
    std::vector<Index> idx = {4, 8, 1};
    aug.apply(four, nullptr, idx.data(), 3, 1, 1);
    QVERIFY_THROWS_EXCEPTION(Error, aug.apply(flat, nullptr, idx.data(), 3, 1, 1));
    aug.setImageShape(6, 5, 2);
    aug.apply(flat, nullptr, idx.data(), 3, 1, 1);
    QVERIFY(std::equal(four.data(), four.data() + four.size(), flat.data()));
  }

  void attachChecksAndValueRange() {
    DataSettings s;
    Dataset d;
    Array x(DType::UInt8, {6, 4, 4, 1});
    x.scale = 1.0f / 255.0f;
    d.x = {x};
    d.y = {Array(DType::Float32, {6}), Array(DType::Float32, {6, 4})};
    attachAugmentation(d, s, 1);  // nothing set: nothing attached
    QVERIFY(!d.augment);
    QCOMPARE(d.augmentBoxOutput, -1);
    s.augmentation.flipHorizontal = true;
    s.augmentation.brightness = 0.1;
    attachAugmentation(d, s, 1);
    QVERIFY(d.augment);
    QCOMPARE(d.augmentBoxOutput, 1);
    QCOMPARE(d.augment->valueLow(), 0.0f);
    QCOMPARE(d.augment->valueHigh(), 1.0f);
    // Standardised: [0, 255] through (x - 100) / 50.
    d.x[0].scale = 1.0f / 50.0f, d.x[0].offset = -2.0f;
    attachAugmentation(d, s, -1);
    QCOMPARE(d.augment->valueLow(), -2.0f);
    QCOMPARE(d.augment->valueHigh(), 3.1f);
    QCOMPARE(d.augmentBoxOutput, -1);
    // (N, H, W) grayscale is accepted.
    Dataset g;
    g.x = {Array(DType::UInt8, {6, 28, 28})};
    g.y = {Array(DType::Float32, {6})};
    attachAugmentation(g, s, -1);
    QVERIFY(g.augment);
    auto fails = [&](Dataset& data, int box, const std::string& part) {
      try {
        attachAugmentation(data, s, box);
      } catch (const Error& e) {
        if (std::string(e.what()).find(part) != std::string::npos) return true;
        qWarning("unexpected message: %s", e.what());
        return false;
      }
      qWarning("no error");
      return false;
    };
    Dataset flat;
    flat.x = {Array(DType::Float32, {6, 10})};
    flat.y = {Array(DType::Float32, {6})};
    QVERIFY(fails(flat, -1, "needs images (N, height, width, channels); x is (6, 10)"));
    QVERIFY(fails(d, 0, "box target must be (N, 4)"));
    QVERIFY(fails(d, 2, "box output 2 but the data has 2 targets"));
    Dataset two;
    two.x = {x, x};
    two.y = {Array(DType::Float32, {6})};
    QVERIFY(fails(two, -1, "one image input"));
    // Factors Keras refuses.
    DataSettings::Augmentation bad;
    bad.zoom = 1.5;
    QVERIFY_THROWS_EXCEPTION(Error, BatchAugmenter{bad});
    bad.zoom = 0, bad.rotation = -0.1;
    QVERIFY_THROWS_EXCEPTION(Error, BatchAugmenter{bad});
  }
};

QTEST_APPLESS_MAIN(TestAugmenter)
#include "tst_engine_augmenter.moc"
