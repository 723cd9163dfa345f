#include "engine/data/ImageFolder.h"

#include <exception>
#include <mutex>

#include <algorithm>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/data/ImageDecode.h"
#include "engine/data/RowSource.h"

namespace tessel {

namespace fs = std::filesystem;

namespace {

// The rows of an ImageFolder as a RowSource: image i is row i, uint8 values as floats.
class ImageFolderSource : public RowSource {
 public:
  explicit ImageFolderSource(std::shared_ptr<ImageFolder> folder) : folder_(std::move(folder)) {}
  Index rows() const override { return folder_->size(); }
  Shape rowShape() const override { return folder_->imageShape(); }
  DType dtype() const override { return DType::UInt8; }
  // Decoding is the slow part of a batch: rows are decoded on the OpenMP threads (the cache is
  // thread-safe and decodes outside its lock). An error (naming the file) is rethrown after the
  // loop.
  void gatherRaw(const Index* idx, Index n, float* out) const override {
    const Index per = static_cast<Index>(folder_->imageBytes());
    std::exception_ptr error;
    std::mutex errorMutex;
#pragma omp parallel for schedule(dynamic, 2) if (n > 1)
    for (Index k = 0; k < n; ++k) {
      try {
        const auto px = folder_->image(idx[k]);  // throws naming the file
        const std::uint8_t* src = px->data();
        float* dst = out + k * per;
        for (Index j = 0; j < per; ++j) dst[j] = static_cast<float>(src[j]);
      } catch (...) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
  }
  std::size_t cacheBytes() const override {
    return folder_->options().cacheBytes;
  }
  std::string name() const override {
    return "image folder " + folder_->root();
  }
  CacheStats cacheStats() const override {
    return {folder_->options().cacheBytes, folder_->cacheBytesUsed(), folder_->cachePeakBytes(),
            folder_->cacheEntries(),       folder_->cacheHits(),      folder_->cacheMisses()};
  }

 private:
  std::shared_ptr<ImageFolder> folder_;
};

}  // namespace

Array ImageFolder::lazyImages(std::shared_ptr<ImageFolder> folder) {
  if (!folder) throw Error("ImageFolder::lazyImages: no folder");
  return Array::fromRowSource(std::make_shared<ImageFolderSource>(std::move(folder)));
}

ImageFolder::ImageFolder(const std::string& root, ImageFolderOptions options)
    : options_(options), root_(root) {
  if (options_.height <= 0 || options_.width <= 0)
    throw Error(root + ": image size must be positive, got " + std::to_string(options_.height) +
                "x" + std::to_string(options_.width));
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw Error(root + ": no such folder");
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory()) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& d : dirs) {
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(d, ec))
      if (e.is_regular_file() && isImageFileName(e.path().filename().string()))
        found.push_back(e.path().string());
    std::sort(found.begin(), found.end());
    const int label = static_cast<int>(classes_.size());
    classes_.push_back(d.filename().string());
    for (auto& f : found) {
      files_.push_back(std::move(f));
      labels_.push_back(label);
    }
  }
  if (classes_.empty()) throw Error(root + ": no class subfolders (one folder per class)");
  if (files_.empty()) throw Error(root + ": no images (.png, .jpg, .jpeg, .bmp, .gif) found");
}

std::size_t ImageFolder::imageBytes() const {
  return static_cast<std::size_t>(options_.height) * options_.width * channels();
}

Array ImageFolder::labels() const {
  Array a(DType::Int32, Shape{size()});
  auto* d = a.dataAs<std::int32_t>();
  for (Index i = 0; i < size(); ++i) d[i] = labels_[static_cast<size_t>(i)];
  return a;
}

std::shared_ptr<const std::vector<std::uint8_t>> ImageFolder::image(Index i) {
  if (i < 0 || i >= size())
    throw Error("image folder: index " + std::to_string(i) + " out of range (" +
                std::to_string(size()) + " images)");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(i);
    if (it != cache_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.pos);
      ++hits_;
      return it->second.pixels;
    }
    ++misses_;
  }
  // Decode outside the lock (slow); the file name is in every error.
  DecodedImage img = decodeImageFile(path(i), channels(), options_.height, options_.width);
  auto pixels = std::make_shared<const std::vector<std::uint8_t>>(std::move(img.pixels));
  const std::size_t bytes = pixels->size();
  std::lock_guard<std::mutex> lock(mutex_);
  if (bytes > options_.cacheBytes || cache_.count(i)) return pixels;
  while (used_ + bytes > options_.cacheBytes && !lru_.empty()) {
    const Index victim = lru_.back();
    lru_.pop_back();
    used_ -= cache_.at(victim).pixels->size();
    cache_.erase(victim);
  }
  lru_.push_front(i);
  cache_.emplace(i, Entry{lru_.begin(), pixels});
  used_ += bytes;
  peak_ = std::max(peak_, used_);
  return pixels;
}

void ImageFolder::gather(const Index* idx, Index n, Tensor& out, float scale) {
  const Shape s = imageShape();
  out.resize({n, s[0], s[1], s[2]});
  const Index per = s[0] * s[1] * s[2];
  for (Index k = 0; k < n; ++k) {
    const auto px = image(idx[k]);
    float* dst = out.data() + k * per;
    for (Index j = 0; j < per; ++j) dst[j] = float((*px)[static_cast<size_t>(j)]) * scale;
  }
}

std::size_t ImageFolder::cacheBytesUsed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_;
}
std::size_t ImageFolder::cachePeakBytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_;
}
std::size_t ImageFolder::cacheEntries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cache_.size();
}

}  // namespace tessel
