// boxIou and nonMaxSuppression (tf.image.non_max_suppression semantics) against hand-computed
// cases.
#include <QtTest>

#include <cmath>
#include <limits>
#include <vector>

#include "engine/core/Error.h"
#include "engine/data/Boxes.h"

using namespace tessel;

class TestBoxes : public QObject {
  Q_OBJECT

 private slots:
  void iouByHand() {
    // a = [0,0,2,2] (area 4), b = [1,1,3,3] (area 4): intersection 1x1 = 1, union 7.
    const float a[4] = {0, 0, 2, 2}, b[4] = {1, 1, 3, 3};
    QCOMPARE(boxIou(a, b), 1.0f / 7.0f);
    QCOMPARE(boxIou(b, a), 1.0f / 7.0f);
    QCOMPARE(boxIou(a, a), 1.0f);
    // Corners in any order: [2,2,0,0] is the same box.
    const float aFlipped[4] = {2, 2, 0, 0}, bMixed[4] = {3, 1, 1, 3};
    QCOMPARE(boxIou(aFlipped, bMixed), 1.0f / 7.0f);
    // Disjoint, touching, and a box with no area.
    const float c[4] = {5, 5, 6, 6}, d[4] = {2, 0, 4, 2}, e[4] = {0, 0, 0, 1};
    QCOMPARE(boxIou(a, c), 0.0f);
    QCOMPARE(boxIou(a, d), 0.0f);
    QCOMPARE(boxIou(a, e), 0.0f);
    // Normalised boxes: [0.1,0.2,0.5,0.6] vs [0.3,0.4,0.7,0.8]: each 0.16; overlap 0.2*0.2=0.04,
    // union 0.28 -> 1/7.
    const float f[4] = {0.1f, 0.2f, 0.5f, 0.6f}, g[4] = {0.3f, 0.4f, 0.7f, 0.8f};
    QVERIFY(std::abs(boxIou(f, g) - 1.0f / 7.0f) < 1e-6f);
    // One box inside another: [0,0,4,4] and [1,1,2,2] -> 1/16.
    const float big[4] = {0, 0, 4, 4}, small[4] = {1, 1, 2, 2};
    QCOMPARE(boxIou(big, small), 1.0f / 16.0f);
  }

  void nmsTfDocExample() {
    // The classic TF test case (non_max_suppression_op_test): six boxes as [y1,x1,y2,x2],
    // two clusters plus a far box.
    const std::vector<float> boxes = {0, 0,  1, 1,  0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                      0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100,   1, 101};
    const std::vector<float> scores = {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};
    // IoU(0,1) = 0.9/1.1 = 0.818, IoU(0,2) = 0.818, IoU(3,4) = 0.818: with threshold 0.5 the kept
    // boxes are 3 (0.95), 0 (0.9), 5 (0.3).
    QCOMPARE(nonMaxSuppression(boxes.data(), scores.data(), 6, 3, 0.5f),
             (std::vector<Index>{3, 0, 5}));
    // max_output_size 2 stops early.
    QCOMPARE(nonMaxSuppression(boxes.data(), scores.data(), 6, 2, 0.5f),
             (std::vector<Index>{3, 0}));
    // A threshold above 0.818 keeps every box, by score.
    QCOMPARE(nonMaxSuppression(boxes.data(), scores.data(), 6, 10, 0.9f),
             (std::vector<Index>{3, 0, 1, 2, 4, 5}));
    // score_threshold 0.4 drops box 5 (0.3); box 4 (0.5) is suppressed by 3.
    QCOMPARE(nonMaxSuppression(boxes.data(), scores.data(), 6, 10, 0.5f, 0.4f),
             (std::vector<Index>{3, 0}));
    // max_output_size 0: nothing.
    QVERIFY(nonMaxSuppression(boxes.data(), scores.data(), 6, 0, 0.5f).empty());
  }

  void nmsCornerOrderTiesAndThreshold() {
    // Box 1 is box 0 with its corners swapped: IoU 1 -> suppressed.
    const std::vector<float> boxes = {0, 0, 1, 1, 1, 1, 0, 0, 2, 2, 3, 3};
    std::vector<float> scores = {0.5f, 0.8f, 0.1f};
    QCOMPARE(nonMaxSuppression(boxes.data(), scores.data(), 3, 10), (std::vector<Index>{1, 2}));
    // Equal scores: the lower index wins.
    scores = {0.7f, 0.7f, 0.7f};
    QCOMPARE(nonMaxSuppression(boxes.data(), scores.data(), 3, 10), (std::vector<Index>{0, 2}));
    // score_threshold is strict (> threshold): 0.7 is not above 0.7.
    QVERIFY(nonMaxSuppression(boxes.data(), scores.data(), 3, 10, 0.5f, 0.7f).empty());
    // Default score_threshold -inf keeps even -inf-free negative scores.
    scores = {-5.0f, -1.0f, -3.0f};
    QCOMPARE(nonMaxSuppression(boxes.data(), scores.data(), 3, 10), (std::vector<Index>{1, 2}));
  }

  void nmsIouAtThreshold() {
    // Two boxes with IoU exactly 1/3: [0,0,2,2] and [0,1,2,3] (overlap 2, union 6).
    const std::vector<float> boxes = {0, 0, 2, 2, 0, 1, 2, 3};
    const std::vector<float> scores = {0.9f, 0.8f};
    // TF.js suppresses when IoU >= iou_threshold.
    const float third = boxIou(boxes.data(), boxes.data() + 4);
    QCOMPARE(nonMaxSuppression(boxes.data(), scores.data(), 2, 10, third), (std::vector<Index>{0}));
    QCOMPARE(nonMaxSuppression(boxes.data(), scores.data(), 2, 10, 0.34f),
             (std::vector<Index>{0, 1}));
    QCOMPARE(nonMaxSuppression(boxes.data(), scores.data(), 2, 10, 0.33f), (std::vector<Index>{0}));
  }

  void nmsBadArguments() {
    const float box[4] = {0, 0, 1, 1}, score[1] = {1};
    auto message = [&](Index maxOut, float iou) -> std::string {
      try {
        nonMaxSuppression(box, score, 1, maxOut, iou);
      } catch (const Error& e) {
        return e.what();
      }
      return "";
    };
    QVERIFY(QString::fromStdString(message(1, 1.5f)).contains("iou_threshold must be in [0, 1]"));
    QVERIFY(QString::fromStdString(message(-1, 0.5f)).contains("max_output_size"));
    QVERIFY(message(1, 0.5f).empty());
  }
};

QTEST_APPLESS_MAIN(TestBoxes)
#include "tst_engine_boxes.moc"
