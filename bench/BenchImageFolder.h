#pragma once
// The generated image folder of `tessel-bench imagefolder`, for other benchmarks too.
#include <string>

#include "engine/data/FashionMnist.h"

namespace tessel::bench {

// Makes sure `dir` holds `images` 28x28 grey Fashion-MNIST PNGs in class folders (written in a
// child process with `threads` threads when missing; reused when its marker says so).
// fashionDir: the Fashion-MNIST IDX files (default Debian's).
void ensureFashionImageFolder(const std::string& dir, long long images, int threads,
                              const std::string& fashionDir = kFashionMnistDir);

}  // namespace tessel::bench
