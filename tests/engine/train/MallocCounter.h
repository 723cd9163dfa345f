// Counts heap allocations: interposes glibc's malloc family (which operator new, Eigen's
// aligned allocator and std::vector all end in) in the test executable that includes it. Include
// it in exactly ONE source file of an executable; read gAllocs before and after the code under
// test.
#pragma once

#include <atomic>
#include <cstdlib>

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);

static std::atomic<long long> gAllocs{0};

void* malloc(size_t n) {
  gAllocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
void* calloc(size_t a, size_t b) {
  gAllocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(a, b);
}
void* realloc(void* p, size_t n) {
  gAllocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
int posix_memalign(void** out, size_t align, size_t n) {
  gAllocs.fetch_add(1, std::memory_order_relaxed);
  *out = __libc_memalign(align, n);
  return *out ? 0 : 12;
}
void* aligned_alloc(size_t align, size_t n) {
  gAllocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(align, n);
}
void* memalign(size_t align, size_t n) {
  gAllocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(align, n);
}
}
