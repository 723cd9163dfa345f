// DatasetBuilder: DataSettings → train + validation Datasets for each source kind (CSV with
// hand-computed standardisation, IDX pair with split and normalisation, image folder with box
// annotations, the generated localization set), default settings per model, reshaping to the
// model's input, and one-line errors.
#include <QTemporaryDir>
#include <QtTest>

#include <stb_image_write.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include "engine/core/Error.h"
#include "engine/data/DatasetBuilder.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/Idx.h"
#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"

using namespace tessel;

namespace {

QString errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

void writeText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

class TestDatasetBuilder : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::string path(const std::string& name) {
    return dir_.filePath(QString::fromStdString(name)).toStdString();
  }

 private slots:
  void csvFeaturesAndLabels() {
    const std::string csv = path("t.csv");
    writeText(csv, "a,color,y\n1,red,0\n2,blue,1\n3,red,1\n6,blue,0\n");
    DataSettings s;
    s.kind = "csv";
    s.path = csv;
    s.fractions = {1.0, 0.0, 0.0};
    s.options = {
        {"columns",
         {{{"name", "a"}, {"role", "feature"}, {"type", "numeric"}},
          {{"name", "color"}, {"role", "feature"}, {"type", "categorical"}},
          {{"name", "y"}, {"role", "label"}, {"type", "numeric"}, {"standardize", false}}}}};
    BuiltData b = buildDataset(s);
    // x: a standardised (mean 3, population std sqrt(3.5)), color one-hot over [blue, red].
    QCOMPARE(b.train.x.size(), size_t(1));
    QCOMPARE(b.train.x[0].shape(), (Shape{4, 3}));
    // The rows are shuffled by the split: find each by its standardised a.
    const float sd = std::sqrt(3.5f);
    const float as[] = {1, 2, 3, 6}, ys[] = {0, 1, 1, 0};
    const bool red[] = {true, false, true, false};
    int found = 0;
    for (Index r = 0; r < 4; ++r)
      for (int k = 0; k < 4; ++k)
        if (std::abs(b.train.x[0].value(r * 3) - (as[k] - 3) / sd) < 1e-5f) {
          ++found;
          QCOMPARE(b.train.x[0].value(r * 3 + 1), red[k] ? 0.0f : 1.0f);  // blue
          QCOMPARE(b.train.x[0].value(r * 3 + 2), red[k] ? 1.0f : 0.0f);  // red
          QCOMPARE(b.train.y[0].value(r), ys[k]);
        }
    QCOMPARE(found, 4);
    QCOMPARE(b.train.y.size(), size_t(1));
    QCOMPARE(b.train.y[0].shape(), (Shape{4}));
    QVERIFY(!b.validation);
    QVERIFY(QString::fromStdString(b.describe()).contains("x (4, 3), y (4,)"));

    // A split with validation: 4 rows, 0.5 / 0.5.
    s.fractions = {0.5, 0.5, 0.0};
    BuiltData v = buildDataset(s);
    QCOMPARE(v.train.size(), Index(2));
    QVERIFY(v.validation);
    QCOMPARE(v.validation->size(), Index(2));
  }

  void idxSplitAndNormalization() {
    std::filesystem::create_directories(path("idx"));
    std::vector<double> px, lab;
    for (int i = 0; i < 10; ++i) {
      for (int k = 0; k < 6; ++k) px.push_back(i * 10 + k);
      lab.push_back(i % 3);
    }
    writeIdx(path("idx/train-images-idx3-ubyte"), Array::fromValues(DType::UInt8, {10, 2, 3}, px));
    writeIdx(path("idx/train-labels-idx1-ubyte"), Array::fromValues(DType::UInt8, {10}, lab));
    DataSettings s;
    s.kind = "idx";
    s.path = path("idx");
    s.fractions = {0.8, 0.2, 0.0};
    s.splitSeed = 3;
    s.normalization = "rescale";
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.x[0].shape(), (Shape{8, 2, 3}));
    QCOMPARE(b.validation->x[0].shape(), (Shape{2, 2, 3}));
    // Each row is i*10 + k: a row's first value / 255 * 255 is a multiple of 10 and its label
    // is (first / 10) % 3.
    for (Index r = 0; r < 8; ++r) {
      const float first = b.train.x[0].value(r * 6) * 255.0f;
      const int i = int(std::lround(first / 10));
      QVERIFY(std::abs(first - i * 10) < 1e-3f);
      QCOMPARE(b.train.y[0].value(r), float(i % 3));
    }
    // Global standardisation fitted on the training x only.
    s.normalization = "standardize_global";
    BuiltData g = buildDataset(s);
    double sum = 0, sq = 0;
    const Index n = g.train.x[0].size();
    for (Index i = 0; i < n; ++i) sum += g.train.x[0].value(i);
    for (Index i = 0; i < n; ++i) sq += std::pow(g.train.x[0].value(i) - sum / n, 2);
    QVERIFY(std::abs(sum / n) < 1e-4);
    QVERIFY(std::abs(sq / n - 1) < 1e-3);
    QVERIFY(g.settings.std > 1);
    // trainLimit.
    BuildOptions o;
    o.trainLimit = 3;
    QCOMPARE(buildDataset(s, o).train.size(), Index(3));
  }

  void imageFolderWithBoxes() {
    const std::string root = path("imgs");
    for (const char* c : {"cat", "dog"}) std::filesystem::create_directories(root + "/" + c);
    std::vector<unsigned char> pixels(8 * 8 * 3, 200);
    for (int i = 0; i < 3; ++i) {
      QVERIFY(stbi_write_png((root + "/cat/c" + std::to_string(i) + ".png").c_str(), 8, 8, 3,
                             pixels.data(), 8 * 3));
      QVERIFY(stbi_write_png((root + "/dog/d" + std::to_string(i) + ".png").c_str(), 8, 8, 3,
                             pixels.data(), 8 * 3));
    }
    std::string boxes = "filename,y_min,x_min,y_max,x_max,label\n";
    for (int i = 0; i < 3; ++i) {
      boxes += "cat/c" + std::to_string(i) + ".png,0.1,0.2,0.5,0.6,cat\n";
      boxes += "dog/d" + std::to_string(i) + ".png,0.0,0.0,1.0,1.0,dog\n";
    }
    writeText(path("boxes.csv"), boxes);
    DataSettings s;
    s.kind = "image_folder";
    s.path = root;
    s.options = {{"height", 4}, {"width", 4}, {"grayscale", true}, {"max_rows", 5}};
    s.annotations = "csv";
    s.annotationsPath = path("boxes.csv");
    s.fractions = {1.0, 0.0, 0.0};
    s.normalization = "rescale";
    BuiltData b = buildDataset(s);
    // max_rows 5 of the 6 images, gathered (4, 4, 1), rescaled to 200/255.
    QCOMPARE(b.train.x[0].shape(), (Shape{5, 4, 4, 1}));
    QVERIFY(std::abs(b.train.x[0].value(0) - 200.0f / 255.0f) < 0.01f);
    QCOMPARE(b.train.y.size(), size_t(2));
    QCOMPARE(b.train.y[1].shape(), (Shape{5, 4}));
    QCOMPARE(b.classNames, (std::vector<std::string>{"cat", "dog"}));
    for (Index r = 0; r < 5; ++r) {
      const bool cat = b.train.y[0].value(r) == 0;
      QCOMPARE(b.train.y[1].value(r * 4 + 2), cat ? 0.5f : 1.0f);
    }
    // An image without a box is an error naming the annotation file.
    writeText(path("few.csv"), "cat/c0.png,0.1,0.2,0.5,0.6,cat\n");
    s.annotationsPath = path("few.csv");
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("few.csv: no box for image"));
  }

  void localizationAndDefaults() {
    const std::string example =
        TESSEL_SOURCE_DIR "/resources/examples/fashion_mnist_localization/model.json";
    if (!std::filesystem::exists(example)) QSKIP("no localization example");
    ModelFile file = readModelFile(example);
    QCOMPARE(defaultDataSettings(file.spec).kind, std::string("fashion_mnist_localization"));
    const std::string mlp = TESSEL_SOURCE_DIR "/resources/examples/fashion_mnist_mlp/model.json";
    ModelFile mlpFile = readModelFile(mlp);
    QCOMPARE(defaultDataSettings(mlpFile.spec).kind, std::string("fashion_mnist"));
    if (!fashionMnistAvailable()) QSKIP("dataset-fashion-mnist is not installed");
    BuildOptions o;
    o.trainLimit = 40;
    BuiltData b = buildDataset(defaultDataSettings(file.spec), o);
    QCOMPARE(b.train.x[0].shape(), (Shape{40, 64, 64, 1}));
    QCOMPARE(b.train.y[0].shape(), (Shape{40}));
    QCOMPARE(b.train.y[1].shape(), (Shape{40, 4}));
    QVERIFY(b.validation);
    fitDatasetToModel(b.train, file.spec);  // already the right shape
    // Fashion-MNIST reshaped to the MLP's input.
    BuiltData f = buildDataset(defaultDataSettings(mlpFile.spec), o);
    QCOMPARE(f.train.x[0].shape(), (Shape{40, 28, 28}));
    fitDatasetToModel(f.train, mlpFile.spec);
    QCOMPARE(f.train.x[0].rowSize(), Index(784));
    QVERIFY(errorOf([&] { fitDatasetToModel(f.train, file.spec); }).contains("2 output"));
  }

  void errors() {
    DataSettings s;
    s.kind = "csv";
    QCOMPARE(errorOf([&] { buildDataset(s); }), QString("csv data: no file or folder chosen"));
    s.kind = "npy";
    s.path = "x";
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("cannot be imported"));
    s.kind = "csv";
    s.path = path("missing.csv");
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("missing.csv"));
    s.kind = "image_folder";
    s.path = path("nothing");
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("nothing"));
  }
};

QTEST_APPLESS_MAIN(TestDatasetBuilder)
#include "tst_engine_datasetbuilder.moc"
