// Box annotations: the CSV (filename, y_min, x_min, y_max, x_max, label; normalised; several boxes
// per image) and Pascal VOC XML (pixels normalised with <size>), and bad boxes reported with file
// and line.
#include <QtTest>

#include <fstream>
#include <functional>

#include "engine/core/Error.h"
#include "engine/data/BoxAnnotations.h"
#include "tests/engine/data/DataTestUtil.h"

using namespace tessel;
using namespace tessel::testutil;

namespace {

std::string voc(const std::string& object) {
  return "<annotation>\n"
         "  <folder>imgs</folder>\n"
         "  <filename>000001.jpg</filename>\n"
         "  <size><width>200</width><height>100</height><depth>3</depth></size>\n" +
         object + "</annotation>\n";
}

}  // namespace

class TestBoxAnnotations : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

 private slots:
  void csv() {
    const auto p = path("boxes.csv");
    writeText(p,
              "filename,y_min,x_min,y_max,x_max,label\n"
              "a.png,0.1,0.2,0.5,0.6,shirt\n"
              "b.png,0,0,1,1,bag\n"
              "a.png,0.5,0.5,0.9,0.95,bag\n");
    const auto images = readBoxCsv(p);
    QCOMPARE(images.size(), size_t(2));
    QCOMPARE(QString::fromStdString(images[0].filename), QString("a.png"));
    QCOMPARE(images[0].boxes.size(), size_t(2));
    QCOMPARE(images[0].boxes[0].yMin, 0.1f);
    QCOMPARE(images[0].boxes[0].xMax, 0.6f);
    QCOMPARE(QString::fromStdString(images[0].boxes[1].label), QString("bag"));
    QCOMPARE(images[0].boxes[1].line, std::int64_t(4));
    QCOMPARE(images[1].boxes[0].yMax, 1.0f);
    QCOMPARE(boxLabels(images), (std::vector<std::string>{"bag", "shirt"}));
    // No header works too.
    writeText(p, "a.png,0.1,0.2,0.5,0.6,shirt\n");
    QCOMPARE(readBoxCsv(p).size(), size_t(1));
  }

  void csvBadBoxes() {
    const auto p = path("bad.csv");
    const QString file = QString::fromStdString(p);
    writeText(p,
              "filename,y_min,x_min,y_max,x_max,label\na.png,0.1,0.2,0.5,0.6,x\nb.png,0.1,0.2,1.5,"
              "0.6,x\n");
    QString e = errorOf([&] { readBoxCsv(p); });
    QVERIFY2(e.startsWith(file + ":3: box y_max = 1.5 is outside [0, 1]"), qPrintable(e));
    writeText(p, "a.png,0.7,0.2,0.5,0.6,x\n");
    e = errorOf([&] { readBoxCsv(p); });
    QVERIFY2(e.startsWith(file + ":1: box y_min 0.7 > y_max 0.5"), qPrintable(e));
    writeText(p, "a.png,0.1,0.9,0.5,0.6,x\n");
    QVERIFY(errorOf([&] { readBoxCsv(p); }).contains(":1: box x_min 0.9 > x_max 0.6"));
    writeText(p, "a.png,0.1,0.2,0.5,0.6,x\na.png,0.1,0.2,0.5\n");
    QVERIFY(errorOf([&] { readBoxCsv(p); }).contains(":2: expected 6 fields"));
    writeText(p, "a.png,0.1,0.2,0.5,0.6,x\na.png,0.1,abc,0.5,0.6,x\n");
    QVERIFY(errorOf([&] { readBoxCsv(p); }).contains(":2: x_min 'abc' is not a number"));
    writeText(p, "a.png,-0.1,0.2,0.5,0.6,x\n");
    QVERIFY(errorOf([&] { readBoxCsv(p); }).contains("y_min = -0.1 is outside [0, 1]"));
  }

  void vocXml() {
    const auto p = path("000001.xml");
    writeText(p, voc("  <object>\n    <name>dog</name>\n    <bndbox><xmin>20</xmin><ymin>10</ymin>"
                     "<xmax>120</xmax><ymax>60</ymax></bndbox>\n  </object>\n"
                     "  <object>\n    <name>cat</name>\n    <bndbox><xmin>0</xmin><ymin>0</ymin>"
                     "<xmax>200</xmax><ymax>100</ymax></bndbox>\n  </object>\n"));
    const auto img = readVocXml(p);
    QCOMPARE(QString::fromStdString(img.filename), QString("000001.jpg"));
    QCOMPARE(img.width, 200);
    QCOMPARE(img.height, 100);
    QCOMPARE(img.boxes.size(), size_t(2));
    // y / height, x / width: [10/100, 20/200, 60/100, 120/200].
    QCOMPARE(img.boxes[0].yMin, 0.1f);
    QCOMPARE(img.boxes[0].xMin, 0.1f);
    QCOMPARE(img.boxes[0].yMax, 0.6f);
    QCOMPARE(img.boxes[0].xMax, 0.6f);
    QCOMPARE(QString::fromStdString(img.boxes[1].label), QString("cat"));
    QCOMPARE(img.boxes[1].xMax, 1.0f);
    QCOMPARE(img.boxes[0].line, std::int64_t(5));
    // A folder of them.
    QCOMPARE(readVocFolder(dir_.path().toStdString()).size(), size_t(1));
  }

  void vocBadBoxes() {
    const auto p = path("bad.xml.txt");
    const QString file = QString::fromStdString(p);
    writeText(p, voc("  <object>\n    <name>dog</name>\n    <bndbox><xmin>20</xmin><ymin>10</ymin>"
                     "<xmax>220</xmax><ymax>60</ymax></bndbox>\n  </object>\n"));
    QString e = errorOf([&] { readVocXml(p); });
    QVERIFY2(e.startsWith(file + ":7: box (xmin 20, ymin 10, xmax 220, ymax 60) is outside the "
                                 "200x100 image"),
             qPrintable(e));
    writeText(p, voc("  <object>\n    <name>dog</name>\n    <bndbox><xmin>20</xmin><ymin>70</ymin>"
                     "<xmax>120</xmax><ymax>60</ymax></bndbox>\n  </object>\n"));
    e = errorOf([&] { readVocXml(p); });
    QVERIFY2(e.startsWith(file + ":7: box ymin 70 > ymax 60"), qPrintable(e));
    writeText(p, "<annotation><filename>x</filename></annotation>");
    QVERIFY(errorOf([&] { readVocXml(p); }).contains("no <size>"));
    writeText(p, "<annotation><filename>x</filename><size><width>10</wid");
    QVERIFY(errorOf([&] { readVocXml(p); }).contains("not valid XML"));
    QVERIFY(errorOf([&] { readVocXml(path("none.xml")); }).contains("none.xml: no such file"));
  }
};

QTEST_APPLESS_MAIN(TestBoxAnnotations)
#include "tst_engine_boxannotations.moc"
