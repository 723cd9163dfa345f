#pragma once
// Host emulation of the CUDA execution model, enough to run the engine's kernel sources
// (engine/gpu/*.cu) on the CPU as plain C++: tests/engine/gpu/emu/GenerateKernelsEmu.cmake
// rewrites each launch `kernel<<<grid, block, smem, stream>>>(args)` of a .cu file into
// `::cuda_emu::launch(kernel, grid, block, smem, stream)(args)` and prepends this header.
//
// What is emulated:
//  - blockIdx, threadIdx, blockDim, gridDim in up to three dimensions (warps: 32 consecutive
//    threads in x-major order, as CUDA numbers them);
//  - a launch runs the grid's blocks one after another; every thread of a block is a std::thread
//    (of a pool kept for the process), so the threads of a block run concurrently, as on a GPU;
//  - __syncthreads(): a std::barrier over the block's threads;
//  - __shfl_xor_sync(0xffffffff, v, laneMask) on 4- and 8-byte values: a std::barrier over the
//    warp's 32 lanes (one write, a barrier, one read, a barrier);
//  - __syncthreads_or(pred): a vote slot of the block between two of its barriers;
//  - atomicMin on an int (a compare-and-swap loop through std::atomic_ref), __dmul_rn (a plain
//    double product: g++ does not contract it into an FMA either), cudaMemsetAsync (a memset: the
//    pointers are host memory); the 16-bit types are stub/cuda_fp16.h's and cuda_bf16.h's;
//  - __shared__ arrays: thread_local storage would be wrong, so they are `static` (one copy,
//    shared by the block's threads; blocks run in turn so they never share it);
//  - __global__ / __device__ / __forceinline__ / __restrict__ are dropped, and the CUDA math
//    functions the kernels call (expf, tanhf, fmaxf, min, max, isfinite, ...) are the C library's.
// A thread that returns leaves its block's and its warp's barriers (arrive_and_drop), as an exited
// thread no longer takes part in __syncthreads on a GPU.
//
// Limits: no atomics but atomicMin(int), no streams or events (a launch runs to completion before
// it returns), no partial shuffle masks (abort), no dynamic shared memory, no __ldg, no
// half-precision arithmetic (the stubs' conversions only). Math functions are the host's, so
// results can differ from the device's in the last ulp (expf, tanhf), and nvcc contracts a * b + c
// into fused multiply-adds where g++
// (-std=c++20) does not: the emulation checks indexing and arithmetic, not bitwise device results.
// Speed: one OS thread per CUDA thread of a block, so only small problem sizes (tests).
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <semaphore>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__
#define __shared__ static

using std::isfinite;
using std::max;
using std::min;

namespace cuda_emu {

constexpr int kWarpSize = 32;

// The synchronization state of one running block.
struct Block {
  explicit Block(int threads) : bar(threads), warps(size_t((threads + kWarpSize - 1) / kWarpSize)) {
    for (size_t w = 0; w < warps.size(); ++w) {
      const int lanes = std::min(kWarpSize, threads - int(w) * kWarpSize);
      warps[w] = std::make_unique<Warp>(lanes);
    }
  }
  struct Warp {
    explicit Warp(int lanes) : bar(lanes) {}
    std::barrier<> bar;
    std::uint64_t slot[kWarpSize] = {};
  };
  std::barrier<> bar;
  // __syncthreads_or's votes: call g of the block uses vote[g % 2] (see syncthreadsOr).
  std::atomic<int> vote[2] = {0, 0};
  std::vector<std::unique_ptr<Warp>> warps;
};

// The running thread's place in the grid.
struct ThreadState {
  uint3 blockIdx, threadIdx;
  dim3 blockDim, gridDim;
  Block* block = nullptr;
  unsigned linear = 0;   // threadIdx in x-major order: the warp is linear / 32, the lane % 32
  unsigned orCalls = 0;  // __syncthreads_or calls of this thread in its block
};
inline thread_local ThreadState tl;

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "cuda_emu: %s\n", what);
  std::abort();
}

// The CUDA threads of one block: a pool of std::threads (grown to the largest block launched,
// kept for the process); a block of t threads wakes the first t workers only (a semaphore each),
// so that one wide launch does not slow down every later narrow one.
class ThreadPool {
 public:
  static ThreadPool& instance() {
    static ThreadPool pool;
    return pool;
  }
  ~ThreadPool() {
    stop_ = true;  // read by each worker after its semaphore
    for (auto& w : workers_) w->go.release();
    for (auto& w : workers_) w->thread.join();
  }

  // Runs job(t) for t = 0 .. threads - 1, each on its own thread, concurrently; returns when all
  // have returned. Not reentrant (one launch at a time, as the emulated launches are).
  template <class Job>
  void run(int threads, const Job& job) {
    while (int(workers_.size()) < threads) {
      const int t = int(workers_.size());
      workers_.push_back(std::make_unique<Worker>());
      Worker* w = workers_.back().get();
      w->thread = std::thread([this, w, t] {
        for (;;) {
          w->go.acquire();
          if (stop_) return;
          job_(t);
          if (remaining_.fetch_sub(1) == 1) done_.release();
        }
      });
    }
    job_ = [&job](int t) { job(t); };
    remaining_.store(threads);
    for (int t = 0; t < threads; ++t) workers_[size_t(t)]->go.release();
    done_.acquire();
  }

 private:
  struct Worker {
    std::binary_semaphore go{0};
    std::thread thread;
  };
  std::vector<std::unique_ptr<Worker>> workers_;
  std::function<void(int)> job_;  // written before the semaphores' release, read after
  std::atomic<int> remaining_{0};
  std::binary_semaphore done_{0};
  bool stop_ = false;
};

// Runs f(args...) as `grid` blocks of `block` threads.
template <class... Params>
struct Launch {
  void (*f)(Params...);
  dim3 grid, block;
  template <class... Args>
  void operator()(Args&&... args) const {
    const unsigned long threads = (unsigned long)block.x * block.y * block.z;
    if (threads == 0 || threads > 1024) fail("block size out of range (1..1024 threads)");
    // The kernel's parameters by value, as CUDA copies them at launch.
    const std::tuple<Params...> params(std::forward<Args>(args)...);
    for (unsigned bz = 0; bz < grid.z; ++bz)
      for (unsigned by = 0; by < grid.y; ++by)
        for (unsigned bx = 0; bx < grid.x; ++bx) {
          Block state{int(threads)};
          ThreadPool::instance().run(int(threads), [&](int t) {
            const unsigned lin = unsigned(t);
            tl.blockIdx = {bx, by, bz};
            tl.threadIdx = {lin % block.x, lin / block.x % block.y, lin / (block.x * block.y)};
            tl.blockDim = block;
            tl.gridDim = grid;
            tl.block = &state;
            tl.linear = lin;
            tl.orCalls = 0;
            std::apply(f, params);
            state.warps[lin / kWarpSize]->bar.arrive_and_drop();
            state.bar.arrive_and_drop();
            tl.block = nullptr;
          });
        }
  }
};

// `kernel<<<grid, block, smem, stream>>>` rewritten: the returned object takes the arguments.
template <class... Params>
Launch<Params...> launch(void (*f)(Params...), dim3 grid, dim3 block, std::size_t smem = 0,
                         cudaStream_t stream = nullptr) {
  (void)stream;
  if (smem != 0) fail("dynamic shared memory is not emulated");
  return {f, grid, block};
}

inline void syncthreads() {
  if (!tl.block) fail("__syncthreads outside a kernel");
  tl.block->bar.arrive_and_wait();
}

// Every live thread of the block calls it in the same order (as __syncthreads): call g votes into
// vote[g % 2], reads it after a barrier and clears the other slot (read last by call g - 1, before
// this call's first barrier; written next by call g + 1, after this call's second barrier).
inline int syncthreadsOr(int pred) {
  if (!tl.block) fail("__syncthreads_or outside a kernel");
  Block& b = *tl.block;
  const unsigned g = tl.orCalls++;
  if (pred) b.vote[g % 2].store(1);
  b.bar.arrive_and_wait();
  const int any = b.vote[g % 2].load();
  b.vote[(g + 1) % 2].store(0);
  b.bar.arrive_and_wait();
  return any;
}

inline int atomicMinInt(int* address, int v) {
  std::atomic_ref<int> a(*address);
  int old = a.load();
  while (v < old && !a.compare_exchange_weak(old, v)) {
  }
  return old;
}

template <class T>
T shflXor(unsigned mask, T v, int laneMask) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8,
                "__shfl_xor_sync is emulated for 4- and 8-byte values");
  if (!tl.block) fail("__shfl_xor_sync outside a kernel");
  if (mask != 0xffffffffu) fail("__shfl_xor_sync with a partial mask is not emulated");
  const unsigned lane = tl.linear % kWarpSize;
  const unsigned other = lane ^ unsigned(laneMask);
  if (other >= kWarpSize) fail("__shfl_xor_sync lane out of range");
  Block::Warp& w = *tl.block->warps[tl.linear / kWarpSize];
  std::memcpy(&w.slot[lane], &v, sizeof(T));
  w.bar.arrive_and_wait();
  T out;
  std::memcpy(&out, &w.slot[other], sizeof(T));
  w.bar.arrive_and_wait();  // nobody overwrites a slot before every lane has read it
  return out;
}

}  // namespace cuda_emu

// The built-in variables: references to the running thread's state.
#define blockIdx (::cuda_emu::tl.blockIdx)
#define threadIdx (::cuda_emu::tl.threadIdx)
#define blockDim (::cuda_emu::tl.blockDim)
#define gridDim (::cuda_emu::tl.gridDim)
#define warpSize (::cuda_emu::kWarpSize)

inline void __syncthreads() {
  ::cuda_emu::syncthreads();
}
template <class T>
T __shfl_xor_sync(unsigned mask, T v, int laneMask) {
  return ::cuda_emu::shflXor(mask, v, laneMask);
}
inline int __syncthreads_or(int pred) {
  return ::cuda_emu::syncthreadsOr(pred);
}
inline int atomicMin(int* address, int v) {
  return ::cuda_emu::atomicMinInt(address, v);
}
inline double __dmul_rn(double a, double b) {
  return a * b;
}
inline int cudaMemsetAsync(void* p, int value, std::size_t bytes, cudaStream_t stream = nullptr) {
  (void)stream;
  std::memset(p, value, bytes);
  return 0;
}
