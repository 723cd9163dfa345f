// Refuses to run on a CPU without AVX2 + FMA: every other file is built with -march=x86-64-v3 and
// would die with SIGILL. This file alone is compiled for baseline x86-64 (see CMakeLists.txt) and
// runs before every other static initializer (constructor priority 101), so the check happens
// before any AVX2 instruction can execute.
#include <unistd.h>

#include <cstring>

namespace {

__attribute__((constructor(101))) void tesselCheckCpu() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return;
  const char* msg =
      "tessel: error: this CPU lacks AVX2/FMA; Tessel is built for x86-64-v3 (Intel Haswell / "
      "AMD Excavator or newer). Rebuild with -DTESSEL_ARCH_FLAGS=-march=native on this machine.\n";
  ssize_t ignored = write(2, msg, std::strlen(msg));
  (void)ignored;
  _exit(1);
}

}  // namespace
