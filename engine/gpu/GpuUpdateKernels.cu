// CUDA kernels of the optimizer update (GpuUpdateKernels.h). Formulas follow
// engine/optimizers/*.cpp term by term; only the norm reductions sum in another order (in double,
// deterministic), which stays within FP32 rounding of the CPU's float squaredNorm.
#include <cmath>

#include "engine/gpu/GpuUpdateKernels.h"

namespace tessel::gpu {

namespace {

constexpr int kUpdateThreads = 256;
constexpr int kFinishThreads = 512;

// partial[chunk] = sum of g^2 over the chunk, in double: each thread's strided elements in order,
// then a fixed tree over the block.
__global__ void chunkSquaresKernel(const float* g, const UpdateChunk* chunks, double* partial) {
  __shared__ double t[kUpdateThreads];
  const UpdateChunk c = chunks[blockIdx.x];
  double s = 0;
  for (int k = threadIdx.x; k < c.count; k += kUpdateThreads) {
    const double v = g[c.begin + k];
    s += v * v;
  }
  t[threadIdx.x] = s;
  __syncthreads();
  for (int w = kUpdateThreads / 2; w > 0; w >>= 1) {
    if (threadIdx.x < w) t[threadIdx.x] += t[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = t[0];
}

// One block: per segment, its squared norm from its chunks (in order); the global norm over the
// segments (each clipped to clipnorm^2 first, as Optimizer::apply) in a fixed tree; then each
// segment's scale globalScale * clipnorm / max(norm, clipnorm), in double as the CPU.
__global__ void clipScaleKernel(const double* partial, const int* segFirst, int nseg,
                                double clipnorm, double globalClipnorm, double* segSq,
                                float* segScale) {
  __shared__ double t[kFinishThreads];
  const double c2 = clipnorm * clipnorm;
  double local = 0;
  for (int s = threadIdx.x; s < nseg; s += kFinishThreads) {
    double sq = 0;
    for (int c = segFirst[s]; c < segFirst[s + 1]; ++c) sq += partial[c];
    segSq[s] = sq;
    if (clipnorm > 0 && sq > c2) sq = c2;
    local += sq;
  }
  double global = 1.0;
  if (globalClipnorm > 0) {  // tf.clip_by_global_norm (uniform branch: every thread syncs)
    t[threadIdx.x] = local;
    __syncthreads();
    for (int w = kFinishThreads / 2; w > 0; w >>= 1) {
      if (threadIdx.x < w) t[threadIdx.x] += t[threadIdx.x + w];
      __syncthreads();
    }
    const double norm = sqrt(t[0]);
    global = globalClipnorm / (norm < globalClipnorm ? globalClipnorm : norm);  // std::max
  }
  for (int s = threadIdx.x; s < nseg; s += kFinishThreads) {
    double scale = global;
    if (clipnorm > 0) {  // tf.clip_by_norm: g * c / max(||g||, c)
      const double norm = sqrt(segSq[s]);
      scale *= clipnorm / (norm < clipnorm ? clipnorm : norm);
    }
    segScale[s] = float(scale);
  }
}

struct Slots {
  float *s0, *s1, *s2;  // RMSprop: velocity, momentum, average_gradient (as launchUpdate maps)
};

// One block per chunk. The gradient as Optimizer::apply hands it to update(): times the clip
// scale, then clipped to [-clipvalue, clipvalue]; then decoupled weight decay, then the
// optimizer's own formula (same expression order as its update()).
template <int Algo>
__global__ void updateKernel(UpdateConfig cfg, float* w, const float* g, Slots sl,
                             const UpdateChunk* chunks, const float* segScale, const float* hyper) {
  if (hyper[kHyperSkip] != 0.0f) return;  // loss scaling: a non-finite gradient this step
  const UpdateChunk c = chunks[blockIdx.x];
  const float lr = hyper[kHyperLr], decay = hyper[kHyperDecay];
  const float c1 = hyper[kHyperC1], c2 = hyper[kHyperC2], c3 = hyper[kHyperC3];
  const float scale = cfg.normScale ? segScale[c.segment] : 1.0f;
  const float cv = cfg.clipvalue;
  for (int k = threadIdx.x; k < c.count; k += kUpdateThreads) {
    const long i = c.begin + k;
    float gi = g[i];
    if (cfg.normScale) gi *= scale;
    if (cv > 0) gi = fminf(fmaxf(gi, -cv), cv);
    float wi = w[i];
    if (cfg.weightDecay) wi -= wi * decay;
    if (Algo == kUpdateSgd) {
      if (!cfg.useMomentum) {
        wi -= lr * gi;
      } else {
        const float mu = cfg.momentum;
        const float mi = mu * sl.s0[i] - lr * gi;
        sl.s0[i] = mi;
        wi += cfg.nesterov ? mu * mi - lr * gi : mi;
      }
    } else if (Algo == kUpdateAdam) {
      const float b1 = cfg.beta1, b2 = cfg.beta2;
      const float mi = b1 * sl.s0[i] + (1.0f - b1) * gi;
      float vi = b2 * sl.s1[i] + (1.0f - b2) * (gi * gi);
      sl.s0[i] = mi;
      sl.s1[i] = vi;
      if (cfg.amsgrad) {
        vi = fmaxf(sl.s2[i], vi);
        sl.s2[i] = vi;
      }
      wi -= c1 * mi / (sqrtf(vi * c2) + cfg.epsilon);
    } else if (Algo == kUpdateAdamax) {
      const float b1 = cfg.beta1;
      const float mi = b1 * sl.s0[i] + (1.0f - b1) * gi;
      const float ui = fmaxf(cfg.beta2 * sl.s1[i], fabsf(gi));
      sl.s0[i] = mi;
      sl.s1[i] = ui;
      wi -= c1 * mi / (ui + cfg.epsilon);
    } else if (Algo == kUpdateNadam) {
      const float b1 = cfg.beta1, b2 = cfg.beta2;
      const float mi = b1 * sl.s0[i] + (1.0f - b1) * gi;
      const float vi = b2 * sl.s1[i] + (1.0f - b2) * (gi * gi);
      sl.s0[i] = mi;
      sl.s1[i] = vi;
      wi -= lr * (c1 * mi + c2 * gi) / (sqrtf(vi * c3) + cfg.epsilon);
    } else if (Algo == kUpdateRmsprop) {
      const float rho = cfg.rho;
      const float vi = rho * sl.s0[i] + (1.0f - rho) * (gi * gi);
      sl.s0[i] = vi;
      float inc;
      if (cfg.centered) {
        const float ai = rho * sl.s2[i] + (1.0f - rho) * gi;
        sl.s2[i] = ai;
        inc = lr * gi / sqrtf(vi - ai * ai + cfg.epsilon);
      } else {
        inc = lr * gi / sqrtf(vi + cfg.epsilon);
      }
      if (cfg.useMomentum) {
        const float mom = cfg.momentum * sl.s1[i] + inc;
        sl.s1[i] = mom;
        wi -= mom;
      } else {
        wi -= inc;
      }
    } else {  // Adagrad
      const float acc = sl.s0[i] + gi * gi;
      sl.s0[i] = acc;
      wi -= lr * gi / sqrtf(acc + cfg.epsilon);
    }
    w[i] = wi;
  }
}

__global__ void unscaleKernel(float* g, const UpdateChunk* chunks, float* hyper) {
  const UpdateChunk c = chunks[blockIdx.x];
  const float inv = hyper[kHyperInvScale];
  bool finite = true;
  for (int k = threadIdx.x; k < c.count; k += kUpdateThreads) {
    const long i = c.begin + k;
    const float gi = g[i] * inv;
    finite = finite && isfinite(gi);
    g[i] = gi;
  }
  if (!finite) hyper[kHyperSkip] = 1.0f;  // every writer writes the same value
}

}  // namespace

void launchUnscale(float* g, const UpdateChunk* chunks, int nchunks, float* hyper,
                   cudaStream_t stream) {
  if (nchunks > 0) unscaleKernel<<<nchunks, kUpdateThreads, 0, stream>>>(g, chunks, hyper);
}

void launchClipScales(const float* g, const UpdateChunk* chunks, int nchunks, const int* segFirst,
                      int nseg, double clipnorm, double globalClipnorm, double* partial,
                      double* segSq, float* segScale, cudaStream_t stream) {
  if (nseg <= 0) return;
  if (nchunks > 0) chunkSquaresKernel<<<nchunks, kUpdateThreads, 0, stream>>>(g, chunks, partial);
  clipScaleKernel<<<1, kFinishThreads, 0, stream>>>(partial, segFirst, nseg, clipnorm,
                                                    globalClipnorm, segSq, segScale);
}

void launchUpdate(const UpdateConfig& cfg, float* w, const float* g, float* s0, float* s1,
                  float* s2, const UpdateChunk* chunks, int nchunks, const float* segScale,
                  const float* hyper, cudaStream_t stream) {
  if (nchunks <= 0) return;
  Slots sl{s0, s1, s2};
  if (cfg.algo == kUpdateRmsprop) {  // velocity, then momentum and average_gradient by kind
    float* kinds[3] = {s0, s1, s2};
    sl.s1 = cfg.momentumSlot >= 0 ? kinds[cfg.momentumSlot] : nullptr;
    sl.s2 = cfg.averageSlot >= 0 ? kinds[cfg.averageSlot] : nullptr;
  }
  const unsigned grid = unsigned(nchunks), block = kUpdateThreads;
  switch (cfg.algo) {
    case kUpdateSgd:
      updateKernel<kUpdateSgd><<<grid, block, 0, stream>>>(cfg, w, g, sl, chunks, segScale, hyper);
      break;
    case kUpdateAdam:
      updateKernel<kUpdateAdam><<<grid, block, 0, stream>>>(cfg, w, g, sl, chunks, segScale, hyper);
      break;
    case kUpdateAdamax:
      updateKernel<kUpdateAdamax>
          <<<grid, block, 0, stream>>>(cfg, w, g, sl, chunks, segScale, hyper);
      break;
    case kUpdateNadam:
      updateKernel<kUpdateNadam>
          <<<grid, block, 0, stream>>>(cfg, w, g, sl, chunks, segScale, hyper);
      break;
    case kUpdateRmsprop:
      updateKernel<kUpdateRmsprop>
          <<<grid, block, 0, stream>>>(cfg, w, g, sl, chunks, segScale, hyper);
      break;
    default:
      updateKernel<kUpdateAdagrad>
          <<<grid, block, 0, stream>>>(cfg, w, g, sl, chunks, segScale, hyper);
      break;
  }
}

}  // namespace tessel::gpu
