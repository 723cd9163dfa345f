// DatasetBuilder: DataSettings → train + validation Datasets for each source kind (CSV with
// hand-computed standardisation, IDX pair with split and normalisation, lazily read image folder
// with box annotations and the box target choice, the generated localization set), given
// train/validation/test files (a validation CSV encoded with the training file's vocabularies and
// statistics, separate image folders, mismatched columns/classes), default settings per model,
// reshaping to the model's input, and one-line errors.
#include <QTemporaryDir>
#include <QtTest>

#include <stb_image_write.h>

#include <array>
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
#include "tests/support/StateOutputModel.h"

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

    // Image augmentation on table data is refused with a message.
    s.augmentation.rotation = 0.1;
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("augmentation"));
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

  // "inputs" / "outputs" route CSV columns to a multi-input, multi-output model, as a wide &
  // deep model with two inputs (a column may feed both) and two heads wants them.
  void csvRoutesColumnsToInputsAndOutputs() {
    const std::string csv = path("route.csv");
    writeText(csv, "a,b,c,y,z\n1,10,100,0,5\n2,20,200,1,6\n3,30,300,1,7\n");
    DataSettings s;
    s.kind = "csv";
    s.path = csv;
    s.fractions = {1.0, 0.0, 0.0};
    auto numeric = [](const char* name, const char* role) {
      return nlohmann::json{
          {"name", name}, {"role", role}, {"type", "numeric"}, {"standardize", false}};
    };
    s.options = {{"columns",
                  {numeric("a", "feature"), numeric("b", "feature"), numeric("c", "feature"),
                   numeric("y", "label"), numeric("z", "label")}},
                 {"inputs", nlohmann::json::array({nlohmann::json::array({"c", "a"}),
                                                   nlohmann::json::array({"b", "c"})})},
                 {"outputs", {"z", "y", "z"}}};
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.x.size(), size_t(2));
    QCOMPARE(b.train.x[0].shape(), (Shape{3, 2}));
    QCOMPARE(b.train.x[1].shape(), (Shape{3, 2}));
    QCOMPARE(b.train.y.size(), size_t(3));
    for (Index r = 0; r < 3; ++r) {
      // The split shuffles rows: each row is known by its a (1, 2 or 3).
      const float a = b.train.x[0].value(r * 2 + 1);
      QVERIFY(a == 1 || a == 2 || a == 3);
      QCOMPARE(b.train.x[0].value(r * 2), 100 * a);
      QCOMPARE(b.train.x[1].value(r * 2), 10 * a);
      QCOMPARE(b.train.x[1].value(r * 2 + 1), 100 * a);
      QCOMPARE(b.train.y[0].value(r), 4 + a);                 // z
      QCOMPARE(b.train.y[1].value(r), a == 1 ? 0.0f : 1.0f);  // y
      QCOMPARE(b.train.y[2].value(r), 4 + a);
    }
    // A column that is no feature / no label is named.
    s.options["inputs"] = nlohmann::json::array({nlohmann::json::array({"a", "y"})});
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("input column 'y' is not a feature"));
    s.options["inputs"] = nlohmann::json::array({nlohmann::json::array({"a"})});
    s.options["outputs"] = {"a"};
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("output column 'a' is not a label"));
    // Malformed routing is refused with the expected form.
    s.options["outputs"] = {"y"};
    s.options["inputs"] = {{"a", "b"}};  // an object, not a list of lists
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("\"inputs\" must be a list of"));
    s.options["inputs"] = nlohmann::json::array({nlohmann::json::array({"a"})});
    s.options["outputs"] = "y";
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("\"outputs\" must be a list"));
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
    // max_rows 5 of the 6 images, read lazily (4, 4, 1), rescaled to 200/255.
    QCOMPARE(b.train.x[0].shape(), (Shape{5, 4, 4, 1}));
    QVERIFY(b.train.x[0].isLazy());
    QVERIFY(b.train.x[0].lazySource().find(root) != std::string::npos);
    QVERIFY(!b.validation && !b.test);
    QVERIFY(b.validationBoxes.empty());
    QVERIFY(std::abs(b.train.x[0].value(0) - 200.0f / 255.0f) < 0.01f);
    QCOMPARE(b.train.y.size(), size_t(2));
    QCOMPARE(b.train.y[1].shape(), (Shape{5, 4}));
    QCOMPARE(b.classNames, (std::vector<std::string>{"cat", "dog"}));
    for (Index r = 0; r < 5; ++r) {
      const bool cat = b.train.y[0].value(r) == 0;
      QCOMPARE(b.train.y[1].value(r * 4 + 2), cat ? 0.5f : 1.0f);
    }
    // Augmentation goes with the training set only, the boxes (y[1]) following the image.
    QVERIFY(!b.train.augment);
    s.augmentation.flipHorizontal = true;
    BuiltData augmented = buildDataset(s);
    QVERIFY(augmented.train.augment);
    QCOMPARE(augmented.train.augmentBoxOutput, 1);
    s.augmentation.flipHorizontal = false;
    // An image without a box is an error naming the annotation file.
    writeText(path("few.csv"), "cat/c0.png,0.1,0.2,0.5,0.6,cat\n");
    s.annotationsPath = path("few.csv");
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("few.csv: no box for image"));
  }

  // box_target "first" / "largest", every box of each validation image in validationBoxes.
  void boxTargetLargest() {
    const std::string root = path("multi");
    for (const char* c : {"a", "b"}) std::filesystem::create_directories(root + "/" + c);
    std::vector<unsigned char> pixels(4 * 4, 100);
    std::string boxes = "filename,y_min,x_min,y_max,x_max,label\n";
    for (int i = 0; i < 4; ++i) {
      const std::string n = std::to_string(i) + ".png";
      QVERIFY(stbi_write_png((root + "/a/" + n).c_str(), 4, 4, 1, pixels.data(), 4));
      QVERIFY(stbi_write_png((root + "/b/" + n).c_str(), 4, 4, 1, pixels.data(), 4));
      // a: small (area 0.01), large (0.72), medium (0.25); b: one box.
      boxes += "a/" + n + ",0.1,0.1,0.2,0.2,s\n";
      boxes += "a/" + n + ",0.0,0.1,0.8,1.0,l\n";
      boxes += "a/" + n + ",0.5,0.5,1.0,1.0,m\n";
      boxes += "b/" + n + ",0.25,0.25,0.75,0.5,b\n";
    }
    writeText(path("multi.csv"), boxes);
    DataSettings s;
    s.kind = "image_folder";
    s.path = root;
    s.options = {{"height", 4}, {"width", 4}, {"grayscale", true}};
    s.annotations = "csv";
    s.annotationsPath = path("multi.csv");
    s.fractions = {0.5, 0.5, 0.0};
    s.splitSeed = 2;
    const std::vector<std::array<float, 4>> aBoxes{
        {0.1f, 0.1f, 0.2f, 0.2f}, {0.0f, 0.1f, 0.8f, 1.0f}, {0.5f, 0.5f, 1.0f, 1.0f}};
    const std::array<float, 4> bBox{0.25f, 0.25f, 0.75f, 0.5f};
    for (const char* target : {"first", "largest"}) {
      s.options["box_target"] = target;
      BuiltData b = buildDataset(s);
      const bool largest = std::string(target) == "largest";
      QVERIFY(b.validation);
      QCOMPARE(b.validation->size(), Index(4));
      QCOMPARE(b.validationBoxes.size(), size_t(4));
      int as = 0;
      for (Index r = 0; r < 4; ++r) {
        const bool isA = b.validation->y[0].value(r) == 0;
        as += isA;
        const std::array<float, 4> want = isA ? aBoxes[largest ? 1 : 0] : bBox;
        for (int k = 0; k < 4; ++k) QCOMPARE(b.validation->y[1].value(r * 4 + k), want[k]);
        const std::vector<std::array<float, 4>> all =
            isA ? aBoxes : std::vector<std::array<float, 4>>{bBox};
        QVERIFY(b.validationBoxes[size_t(r)] == all);
      }
      QVERIFY(as > 0 && as < 4);
      for (Index r = 0; r < 4; ++r) {
        const bool isA = b.train.y[0].value(r) == 0;
        QCOMPARE(b.train.y[1].value(r * 4 + 2), isA ? (largest ? 0.8f : 0.2f) : 0.75f);
      }
    }
    s.options["box_target"] = "biggest";
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("box_target must be 'first' or 'largest'"));
    // No annotations: no boxes kept.
    s.options.erase("box_target");
    s.annotations.clear();
    QVERIFY(buildDataset(s).validationBoxes.empty());
  }

  // Given CSV files: the validation file is encoded with the training file's encoder (means,
  // stds, vocabularies); its new category goes to the OOV bucket. Fractions are ignored.
  void csvGivenFiles() {
    writeText(path("gtrain.csv"), "a,color,y\n1,red,0\n2,blue,1\n3,red,1\n6,blue,0\n");
    writeText(path("gvalid.csv"), "a,color,y\n7,green,1\n3,red,0\n");
    writeText(path("gtest.csv"), "a,color,y\n2,blue,0\n");
    DataSettings s;
    s.kind = "csv";
    s.trainFile = path("gtrain.csv");
    s.validationFile = path("gvalid.csv");
    s.testFile = path("gtest.csv");
    s.fractions = {0.5, 0.5, 0.0};  // ignored
    s.options = {
        {"columns",
         {{{"name", "a"}, {"role", "feature"}, {"type", "numeric"}},
          {{"name", "color"}, {"role", "feature"}, {"type", "categorical"}, {"num_oov_buckets", 1}},
          {{"name", "y"}, {"role", "label"}, {"type", "numeric"}}}}};
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.x[0].shape(), (Shape{4, 4}));  // a, color=blue, color=red, color#oov0
    QVERIFY(b.validation);
    QCOMPARE(b.validation->x[0].shape(), (Shape{2, 4}));
    // Validation rows in file order, standardised with the TRAINING mean 3 and std sqrt(3.5).
    const float sd = std::sqrt(3.5f);
    const Array& vx = b.validation->x[0];
    QVERIFY(std::abs(vx.value(0) - 4.0f / sd) < 1e-6f);
    QCOMPARE(vx.value(1), 0.0f);  // blue
    QCOMPARE(vx.value(2), 0.0f);  // red
    QCOMPARE(vx.value(3), 1.0f);  // green: out of the training vocabulary -> OOV bucket
    QCOMPARE(vx.value(4), 0.0f);  // a = 3 = the training mean
    QCOMPARE(vx.value(6), 1.0f);  // red
    QCOMPARE(vx.value(7), 0.0f);
    QCOMPARE(b.validation->y[0].value(0), 1.0f);
    QCOMPARE(b.validation->y[0].value(1), 0.0f);
    QVERIFY(b.test);
    QCOMPARE(b.test->size(), Index(1));
    QVERIFY(std::abs(b.test->x[0].value(0) + 1.0f / sd) < 1e-6f);
    QCOMPARE(b.test->x[0].value(1), 1.0f);  // blue
    QVERIFY(QString::fromStdString(b.describe()).contains("; test x (1, 4), y (1,)"));
    // Without OOV buckets a new category is all zeros (TF's indicator of an unknown id).
    s.options["columns"][1]["num_oov_buckets"] = 0;
    BuiltData z = buildDataset(s);
    QCOMPARE(z.validation->x[0].shape(), (Shape{2, 3}));
    QCOMPARE(z.validation->x[0].value(1) + z.validation->x[0].value(2), 0.0f);
    // A header that differs from the training file's, and a missing file: errors naming them.
    writeText(path("gbad.csv"), "a,colour,y\n7,green,1\n");
    s.validationFile = path("gbad.csv");
    const QString e = errorOf([&] { buildDataset(s); });
    QVERIFY2(e.contains("gbad.csv: columns (a, colour, y) do not match the training file"),
             qPrintable(e));
    s.validationFile = path("gmissing.csv");
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("gmissing.csv"));
    // A categorical label the training file does not have.
    s.options["columns"][2] = {{"name", "y"}, {"role", "label"}, {"type", "categorical"}};
    writeText(path("glabel.csv"), "a,color,y\n7,green,5\n");
    s.validationFile = path("glabel.csv");
    s.testFile.clear();
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("glabel.csv:2: label '5'"));
    s.validationFile.clear();
    QCOMPARE(buildDataset(s).classNames, (std::vector<std::string>{"0", "1"}));
    // Validation without training file.
    s.trainFile.clear();
    s.validationFile = path("gvalid.csv");
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("no training file"));
  }

  // Given image folders: validation labels are the training folder's class ids; a class the
  // training folder does not have is an error.
  void imageFolderGivenFiles() {
    std::vector<unsigned char> px(4 * 4, 50);
    auto write = [&](const std::string& file, unsigned char v) {
      std::filesystem::create_directories(std::filesystem::path(file).parent_path());
      std::fill(px.begin(), px.end(), v);
      QVERIFY(stbi_write_png(file.c_str(), 4, 4, 1, px.data(), 4));
    };
    for (int i = 0; i < 3; ++i) {
      write(path("gtr/cat/" + std::to_string(i) + ".png"), 10);
      write(path("gtr/dog/" + std::to_string(i) + ".png"), 20);
    }
    write(path("gva/dog/0.png"), 30);
    write(path("gva/dog/1.png"), 40);
    write(path("gte/cat/0.png"), 60);
    write(path("gbad/bird/0.png"), 70);
    DataSettings s;
    s.kind = "image_folder";
    s.trainFile = path("gtr");
    s.validationFile = path("gva");
    s.testFile = path("gte");
    s.options = {{"height", 4}, {"width", 4}, {"grayscale", true}};
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.size(), Index(6));
    QCOMPARE(b.classNames, (std::vector<std::string>{"cat", "dog"}));
    QVERIFY(b.validation && b.validation->x[0].isLazy());
    QCOMPARE(b.validation->size(), Index(2));
    QCOMPARE(b.validation->y[0].value(0), 1.0f);  // dog is class 1 of the training folder
    QCOMPARE(b.validation->x[0].value(16), 40.0f);
    QVERIFY(b.test);
    QCOMPARE(b.test->y[0].value(0), 0.0f);
    QCOMPARE(b.test->x[0].value(3), 60.0f);
    s.validationFile = path("gbad");
    const QString e = errorOf([&] { buildDataset(s); });
    QVERIFY2(e.contains("gbad: class folder 'bird' is not in the training folder"), qPrintable(e));
    s.validationFile = path("gnothing");
    QVERIFY(errorOf([&] { buildDataset(s); }).contains("gnothing: no such folder"));
  }

  // Given IDX files: a training pair and a validation pair; other image sizes are refused.
  void idxGivenFiles() {
    std::filesystem::create_directories(path("gidx"));
    std::vector<double> px(6 * 4, 7.0), lab{0, 1, 2, 0, 1, 2};
    writeIdx(path("gidx/train-images-idx3-ubyte"), Array::fromValues(DType::UInt8, {6, 2, 2}, px));
    writeIdx(path("gidx/train-labels-idx1-ubyte"), Array::fromValues(DType::UInt8, {6}, lab));
    writeIdx(path("gidx/t10k-images-idx3-ubyte"),
             Array::fromValues(DType::UInt8, {2, 2, 2}, std::vector<double>(8, 9.0)));
    writeIdx(path("gidx/t10k-labels-idx1-ubyte"),
             Array::fromValues(DType::UInt8, {2}, std::vector<double>{2, 1}));
    writeIdx(path("gidx/big-images-idx3-ubyte"),
             Array::fromValues(DType::UInt8, {1, 3, 3}, std::vector<double>(9, 1.0)));
    writeIdx(path("gidx/big-labels-idx1-ubyte"),
             Array::fromValues(DType::UInt8, {1}, std::vector<double>{0}));
    DataSettings s;
    s.kind = "idx";
    s.trainFile = path("gidx/train-images-idx3-ubyte");
    s.validationFile = path("gidx/t10k-images-idx3-ubyte");
    BuiltData b = buildDataset(s);
    QCOMPARE(b.train.x[0].shape(), (Shape{6, 2, 2}));
    QCOMPARE(b.validation->x[0].shape(), (Shape{2, 2, 2}));
    QCOMPARE(b.validation->x[0].value(0), 9.0f);
    QCOMPARE(b.validation->y[0].value(0), 2.0f);
    s.validationFile = path("gidx/big-images-idx3-ubyte");
    QVERIFY(errorOf([&] {
              buildDataset(s);
            }).contains("big-images-idx3-ubyte: images are (1, 3, 3) but the training file's"));
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

  // A model whose outputs are LSTM states (h (None, 5) and c): flat samples are reshaped to the
  // input (None, 6, 3), the targets (one per output, shaped like the states) are left as they are.
  void stateOutputModel() {
    const ModelSpec spec = testutil::lstmStateModel({"h", "c"});
    Dataset d;
    d.x.push_back(Array(DType::Float32, {4, 18}));
    d.y.push_back(Array(DType::Float32, {4, 5}));
    d.y.push_back(Array(DType::Float32, {4, 5}));
    fitDatasetToModel(d, spec);
    QCOMPARE(d.x[0].shape(), Shape({4, 6, 3}));
    QCOMPARE(d.y[0].shape(), Shape({4, 5}));
    d.y.pop_back();
    QVERIFY(errorOf([&] { fitDatasetToModel(d, spec); }).contains("2 output"));
  }
};

QTEST_APPLESS_MAIN(TestDatasetBuilder)
#include "tst_engine_datasetbuilder.moc"
