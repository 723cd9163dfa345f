#include "engine/data/FashionMnist.h"

#include <filesystem>

#include "engine/core/Error.h"
#include "engine/data/Idx.h"

namespace tessel {

const std::array<const char*, 10> kFashionMnistClassNames = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

namespace {

const char* kTrainImages = "train-images-idx3-ubyte.gz";
const char* kTrainLabels = "train-labels-idx1-ubyte.gz";
const char* kTestImages = "t10k-images-idx3-ubyte.gz";
const char* kTestLabels = "t10k-labels-idx1-ubyte.gz";

std::string join(const std::string& dir, const char* name) {
  return (std::filesystem::path(dir) / name).string();
}

void checkPair(const Array& x, const Array& y, const std::string& xPath) {
  if (x.rank() != 3 || x.shape()[1] != 28 || x.shape()[2] != 28 || x.dtype() != DType::UInt8)
    throw Error(xPath + ": expected uint8 images (N, 28, 28), got " +
                std::string(dtypeName(x.dtype())) + " " + shapeToString(x.shape()));
  if (y.rank() != 1 || y.dtype() != DType::UInt8 || y.rows() != x.rows())
    throw Error(xPath + ": the label file does not match the images (" + shapeToString(y.shape()) +
                " labels for " + std::to_string(x.rows()) + " images)");
}

}  // namespace

bool fashionMnistAvailable(const std::string& dir) {
  std::error_code ec;
  for (const char* f : {kTrainImages, kTrainLabels, kTestImages, kTestLabels})
    if (!std::filesystem::is_regular_file(join(dir, f), ec)) return false;
  return true;
}

FashionMnist loadFashionMnist(const std::string& dir, Index trainLimit, Index testLimit) {
  const Index trainRows = trainLimit >= 0 ? kFashionMnistValidSize + trainLimit : -1;
  Array xAll = readIdx(join(dir, kTrainImages), trainRows);
  Array yAll = readIdx(join(dir, kTrainLabels), trainRows);
  checkPair(xAll, yAll, join(dir, kTrainImages));
  if (xAll.rows() <= kFashionMnistValidSize)
    throw Error(join(dir, kTrainImages) + ": only " + std::to_string(xAll.rows()) +
                " training images, need more than " + std::to_string(kFashionMnistValidSize));
  FashionMnist d;
  const Index nTrain = xAll.rows() - kFashionMnistValidSize;
  d.xValid = xAll.rowsRange(0, kFashionMnistValidSize);
  d.yValid = yAll.rowsRange(0, kFashionMnistValidSize);
  d.xTrain = xAll.rowsRange(kFashionMnistValidSize, nTrain);
  d.yTrain = yAll.rowsRange(kFashionMnistValidSize, nTrain);
  d.xTest = readIdx(join(dir, kTestImages), testLimit);
  d.yTest = readIdx(join(dir, kTestLabels), testLimit);
  checkPair(d.xTest, d.yTest, join(dir, kTestImages));
  return d;
}

FashionMnist loadFashionMnistScaled(const std::string& dir, Index trainLimit, Index testLimit) {
  FashionMnist d = loadFashionMnist(dir, trainLimit, testLimit);
  d.scaler.fitGlobal(d.xTrain);
  d.xTrain = d.scaler.transform(d.xTrain);
  d.xValid = d.scaler.transform(d.xValid);
  d.xTest = d.scaler.transform(d.xTest);
  return d;
}

}  // namespace tessel
