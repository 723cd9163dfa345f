#pragma once
// Finding and loading image/label pairs of IDX files (MNIST, Fashion-MNIST, EMNIST, ...), plain or
// gzip: given a folder (every pair in it) or one file (its partner). Files are told apart by their
// header: labels have one dimension, images two or more. A partner's name is the file's name with
// "images" <-> "labels" and "idx3" <-> "idx1" swapped (with or without ".gz"); when that does not
// exist, a folder's files are paired by the name prefix before "-images"/"-labels" (or "_").
#include <string>
#include <vector>

#include "engine/data/Array.h"

namespace tessel {

struct IdxPair {
  std::string name;    // "train", "t10k", ... (the common prefix)
  std::string images;  // path of the images file
  std::string labels;  // path of the labels file ("" when none was found)
};

// Throws Error naming the path when it does not exist or holds no IDX image file.
std::vector<IdxPair> findIdxPairs(const std::string& path);

struct IdxData {
  Array x, y;  // x (N, ...) as stored (uint8 for MNIST), y (N,) or empty without labels
  IdxPair files;
};

// Reads both files; throws Error naming the file for a truncated / corrupt file, and naming both
// when the image and label counts differ.
IdxData loadIdxPair(const IdxPair& pair, Index maxRows = -1);

}  // namespace tessel
