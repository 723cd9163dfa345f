#pragma once
// Reads a model file in a child process (fork): for formats whose library cannot be trusted with
// hostile bytes. libhdf5 1.10.8 (Debian 12) crashes, overflows a heap buffer or allocates what a
// corrupt file claims (tests/fuzz: fuzz_keras_h5, README "Reliability"); reading a .h5 or .keras
// file in a child turns that into a clear error, and the studio or `tessel` goes on.
// The child runs `read(path)` and sends the ModelFile back through a pipe (the spec as Keras JSON,
// as the project stores it; weights as float32). Its Error is rethrown here with its message; a
// child killed by a signal is an Error naming the file and the signal; nothing is imported.
// The child's address space is capped (what it inherits + TESSEL_READ_MEMORY_MB, default 2048, +
// 4x the file's size) so that sizes a corrupt file claims fail inside the library, and the read
// has a deadline (TESSEL_READ_TIMEOUT_S, default 600) after which the child is killed.
// TESSEL_READ_IN_PROCESS=1 reads in this process (the fuzz targets, which need the coverage).
#include <functional>
#include <string>

#include "engine/io/TfjsModel.h"

namespace tessel {

ModelFile readModelFileIsolated(const std::string& path,
                                const std::function<ModelFile(const std::string&)>& read);
// The same for a weights reader (Keras load_weights from a .weights.h5, .h5 or .keras).
NamedWeights readWeightsIsolated(const std::string& path,
                                 const std::function<NamedWeights(const std::string&)>& read);

}  // namespace tessel
