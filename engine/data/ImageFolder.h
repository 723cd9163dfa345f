#pragma once
// An image folder data set as keras.utils.image_dataset_from_directory reads it: one subfolder per
// class (class names = subfolder names sorted, labels 0..K-1), image files inside (PNG, JPEG, BMP,
// GIF; sorted by path). Images are decoded lazily, resized to (height, width) and converted to
// grayscale (1 channel) or RGB (3), and kept in a least-recently-used cache whose size never
// exceeds `cacheBytes` (an image larger than the whole cache is decoded and not kept), so a folder
// of 100,000 images needs only the cache's memory. Safe to call from several threads.
// lazyImages() wraps a folder as a lazy Array (RowSource.h) that the Trainer gathers batches from
// straight out of the cache: training never holds the whole folder in memory.
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/data/Array.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

struct ImageFolderOptions {
  int height = 64, width = 64;
  bool grayscale = false;  // Keras's color_mode "grayscale" vs "rgb" (the default)
  std::size_t cacheBytes = std::size_t(64) << 20;
};

class ImageFolder {
 public:
  // Scans root; throws Error naming it when it does not exist or holds no class subfolder with
  // images. Files with other extensions are ignored (as Keras).
  ImageFolder(const std::string& root, ImageFolderOptions options = {});

  // A lazy uint8 Array (N, height, width, channels) of every image (raw values 0..255, as
  // Keras's image_dataset_from_directory gives them) read through folder's cache. Errors while
  // reading a row name the image file.
  static Array lazyImages(std::shared_ptr<ImageFolder> folder);

  const std::string& root() const { return root_; }
  const ImageFolderOptions& options() const { return options_; }
  Index size() const { return static_cast<Index>(files_.size()); }
  int channels() const { return options_.grayscale ? 1 : 3; }
  Shape imageShape() const { return {options_.height, options_.width, channels()}; }
  std::size_t imageBytes() const;
  const std::vector<std::string>& classNames() const { return classes_; }
  const std::string& path(Index i) const { return files_.at(static_cast<size_t>(i)); }
  int label(Index i) const { return labels_.at(static_cast<size_t>(i)); }
  // All labels as an (N,) int32 array (for Dataset::y).
  Array labels() const;

  // Image i as (height, width, channels) uint8, from the cache or decoded now. Throws Error
  // naming the file when it is missing or cannot be decoded.
  std::shared_ptr<const std::vector<std::uint8_t>> image(Index i);
  // Rows idx[0..n) as float32 (n, height, width, channels), pixel values * scale (Keras gives
  // 0..255; 1/255 is the usual Rescaling).
  void gather(const Index* idx, Index n, Tensor& out, float scale = 1.0f);

  std::size_t cacheBytesUsed() const;
  std::size_t cachePeakBytes() const;  // the largest cacheBytesUsed() ever reached
  std::size_t cacheEntries() const;
  Index cacheHits() const { return hits_; }
  Index cacheMisses() const { return misses_; }

 private:
  using Pixels = std::shared_ptr<const std::vector<std::uint8_t>>;
  ImageFolderOptions options_;
  std::string root_;
  std::vector<std::string> classes_, files_;
  std::vector<int> labels_;
  mutable std::mutex mutex_;
  std::list<Index> lru_;  // most recent first
  struct Entry {
    std::list<Index>::iterator pos;
    Pixels pixels;
  };
  std::unordered_map<Index, Entry> cache_;
  std::size_t used_ = 0, peak_ = 0;
  Index hits_ = 0, misses_ = 0;
};

}  // namespace tessel
