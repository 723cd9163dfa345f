// libFuzzer target: arbitrary bytes as an expression (of a batch x and a weight w, and as a
// function of free scalar variables) must parse to a graph or give a clean ExprError; graphs
// that parse are evaluated and differentiated (first and second order) on small tensors, where
// they may only throw tessel::Error — never crash, hang, allocate without bound or trip a
// sanitizer.
// Build and run (as fuzz_project_open, README.md "Fuzzing the project file"):
//   CXX=clang++ cmake -S . -B build-fuzz -DTESSEL_FUZZ=ON -DTESSEL_BUILD_UI=OFF
//   cmake --build build-fuzz --target fuzz_expression
//   build-fuzz/tests/fuzz_expression -max_total_time=600 -max_len=512
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/expr/Expression.h"

using namespace tessel;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ExprLimits limits;
  limits.maxChars = 4096;
  limits.maxNodes = 4096;
  try {
    Expression e = Expression::parse(text, {{"x", {kNone, 3}}, {"w", {3, 2}}}, limits);
    std::vector<Tensor> values{Tensor(Shape{2, 3}, {0.5f, -1, 2, 0, 3, -0.25f}),
                               Tensor(Shape{3, 2}, {1, -2, 0.5f, 4, -1, 0})};
    e.evaluate(values);
    e.gradient(values);
  } catch (const Error&) {
  }
  try {
    Expression f = Expression::parseFunction(text, limits);
    if (f.variables().size() <= 4) {
      std::vector<double> point(f.variables().size(), 0.75);
      f.at(point);
    }
  } catch (const Error&) {
  }
  return 0;
}
