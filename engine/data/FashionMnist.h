#pragma once
// Fashion-MNIST as the Keras tutorials load it (keras.datasets.fashion_mnist.load_data(), then
//   x_valid, x_train = x_train_all[:5000], x_train_all[5000:]),
// read from Debian's dataset-fashion-mnist package (IDX files, gzip). Nothing is downloaded.
//   x: (N, 28, 28) uint8, y: (N,) uint8 class ids 0..9 (gather() yields them as float32).
#include <array>
#include <string>

#include "engine/data/Array.h"
#include "engine/data/StandardScaler.h"

namespace tessel {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr Index kFashionMnistValidSize = 5000;

// keras.io's class names for the ten labels.
extern const std::array<const char*, 10> kFashionMnistClassNames;

struct FashionMnist {
  Array xTrain, yTrain;  // 55000 samples (or trainLimit)
  Array xValid, yValid;  // the first 5000 samples of the training file
  Array xTest, yTest;    // 10000 samples (or testLimit)
  // Fitted (global) on xTrain by loadFashionMnistScaled; its map is then set on all three x arrays.
  StandardScaler scaler;
};

// True when the four .gz files are present in dir.
bool fashionMnistAvailable(const std::string& dir = kFashionMnistDir);

// trainLimit >= 0 keeps only the first trainLimit training samples (after the validation split),
// testLimit >= 0 the first testLimit test samples; only the needed part of each file is read.
FashionMnist loadFashionMnist(const std::string& dir = kFashionMnistDir, Index trainLimit = -1,
                              Index testLimit = -1);

// As the Keras tutorials: StandardScaler fitted on x_train reshaped to (-1, 1) (one mean and std
// over all pixels), applied to x_train, x_valid and x_test as the arrays' scale/offset.
FashionMnist loadFashionMnistScaled(const std::string& dir = kFashionMnistDir,
                                    Index trainLimit = -1, Index testLimit = -1);

}  // namespace tessel
