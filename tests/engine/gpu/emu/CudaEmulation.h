#pragma once
// Host emulation of the CUDA execution model, enough to run the engine's kernel sources
// (engine/gpu/*.cu) on the CPU as plain C++: tests/engine/gpu/emu/GenerateKernelsEmu.cmake
// rewrites each launch `kernel<<<grid, block, smem, stream>>>(args)` of a .cu file into
// `::cuda_emu::launch(kernel, grid, block, smem, stream)(args)` and prepends this header.
//
// What is emulated:
//  - blockIdx, threadIdx, blockDim, gridDim (x only: every engine kernel is one-dimensional);
//  - a launch runs the grid's blocks one after another; every thread of a block is a std::thread
//    (of a pool kept for the process), so the threads of a block run concurrently, as on a GPU;
//  - __syncthreads(): a std::barrier over the block's threads;
//  - __shfl_xor_sync(0xffffffff, v, laneMask) on 4-byte values: a std::barrier over the warp's 32
//    lanes (one write, a barrier, one read, a barrier);
//  - __shared__ arrays: thread_local storage would be wrong, so they are `static` (one copy,
//    shared by the block's threads; blocks run in turn so they never share it);
//  - __global__ / __device__ / __forceinline__ / __restrict__ are dropped, and the CUDA math
//    functions the kernels call (expf, tanhf, fmaxf, min, max, ...) are the C library's.
// A thread that returns leaves its block's and its warp's barriers (arrive_and_drop), as an exited
// thread no longer takes part in __syncthreads on a GPU.
//
// Limits: no 2-D / 3-D grids, no atomics, no streams or events (a launch runs to completion before
// it returns), no partial shuffle masks (abort), no dynamic shared memory, no __ldg or
// half-precision types. Math functions are the host's, so results can differ from the device's in
// the last ulp (expf, tanhf), and nvcc contracts a * b + c into fused multiply-adds where g++
// (-std=c++20) does not: the emulation checks indexing and arithmetic, not bitwise device results.
// Speed: one OS thread per CUDA thread of a block, so only small problem sizes (tests).
#include <cuda_runtime.h>

#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
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
    std::uint32_t slot[kWarpSize] = {};
  };
  std::barrier<> bar;
  std::vector<std::unique_ptr<Warp>> warps;
};

// The running thread's place in the grid.
struct ThreadState {
  uint3 blockIdx, threadIdx;
  dim3 blockDim, gridDim;
  Block* block = nullptr;
};
inline thread_local ThreadState tl;

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "cuda_emu: %s\n", what);
  std::abort();
}

// The CUDA threads of one block: a pool of std::threads (grown to the largest block launched,
// kept for the process), all started together on each block and waited for.
class ThreadPool {
 public:
  static ThreadPool& instance() {
    static ThreadPool pool;
    return pool;
  }
  ~ThreadPool() { resize(0); }

  // Runs job(t) for t = 0 .. threads - 1, each on its own thread, concurrently; returns when all
  // have returned. Not reentrant (one launch at a time, as the emulated launches are).
  template <class Job>
  void run(int threads, const Job& job) {
    if (threads > int(workers_.size())) resize(threads);
    active_ = threads;
    job_ = [&job](int t) { job(t); };
    start_->arrive_and_wait();
    done_->arrive_and_wait();
  }

 private:
  void resize(int count) {
    if (!workers_.empty()) {  // stop the current workers
      stop_ = true;
      start_->arrive_and_wait();
      for (auto& w : workers_) w.join();
      workers_.clear();
      stop_ = false;
    }
    if (count == 0) return;
    start_ = std::make_unique<std::barrier<>>(count + 1);
    done_ = std::make_unique<std::barrier<>>(count + 1);
    for (int t = 0; t < count; ++t)
      workers_.emplace_back([this, t] {
        for (;;) {
          start_->arrive_and_wait();
          if (stop_) return;
          if (t < active_) job_(t);
          done_->arrive_and_wait();
        }
      });
  }

  std::vector<std::thread> workers_;
  std::unique_ptr<std::barrier<>> start_, done_;
  std::function<void(int)> job_;
  int active_ = 0;
  bool stop_ = false;  // written before a start barrier, read after it
};

// Runs f(args...) as `grid` blocks of `block` threads.
template <class... Params>
struct Launch {
  void (*f)(Params...);
  dim3 grid, block;
  template <class... Args>
  void operator()(Args&&... args) const {
    if (grid.y != 1 || grid.z != 1 || block.y != 1 || block.z != 1)
      fail("only one-dimensional launches are emulated");
    if (block.x == 0 || block.x > 1024) fail("block size out of range (1..1024)");
    // The kernel's parameters by value, as CUDA copies them at launch.
    const std::tuple<Params...> params(std::forward<Args>(args)...);
    for (unsigned bx = 0; bx < grid.x; ++bx) {
      Block state(int(block.x));
      ThreadPool::instance().run(int(block.x), [&](int t) {
        const unsigned tx = unsigned(t);
        tl.blockIdx = {bx, 0, 0};
        tl.threadIdx = {tx, 0, 0};
        tl.blockDim = block;
        tl.gridDim = grid;
        tl.block = &state;
        std::apply(f, params);
        state.warps[tx / kWarpSize]->bar.arrive_and_drop();
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

template <class T>
T shflXor(unsigned mask, T v, int laneMask) {
  static_assert(sizeof(T) == 4, "__shfl_xor_sync is emulated for 4-byte values");
  if (!tl.block) fail("__shfl_xor_sync outside a kernel");
  if (mask != 0xffffffffu) fail("__shfl_xor_sync with a partial mask is not emulated");
  const unsigned lane = tl.threadIdx.x % kWarpSize;
  const unsigned other = lane ^ unsigned(laneMask);
  if (other >= kWarpSize) fail("__shfl_xor_sync lane out of range");
  Block::Warp& w = *tl.block->warps[tl.threadIdx.x / kWarpSize];
  std::memcpy(&w.slot[lane], &v, 4);
  w.bar.arrive_and_wait();
  T out;
  std::memcpy(&out, &w.slot[other], 4);
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
