#include "engine/explain/Seq2SeqDecoder.h"

#include "engine/core/Error.h"
#include "engine/explain/AttentionProbe.h"
#include "engine/train/Model.h"

namespace tessel {

Seq2SeqDecoded greedyDecodeSeq2Seq(Model& model, const std::vector<const Tensor*>& x,
                                   const Seq2SeqDecodeOptions& o, AttentionProbe* probe) {
  if (o.decoderInput >= x.size() || !x[o.decoderInput] || x[o.decoderInput]->rank() != 2)
    throw Error("seq2seq decoding: the decoder input must be (N, T) token ids");
  if (o.output >= model.numOutputs())
    throw Error("seq2seq decoding: the model has no output " + std::to_string(o.output));
  const Index n = x[o.decoderInput]->dim(0), steps = x[o.decoderInput]->dim(1);
  Seq2SeqDecoded out;
  out.ids.resize(static_cast<size_t>(n));
  out.ended.assign(static_cast<size_t>(n), 0);
  out.decoderInput.resize({n, steps});
  out.decoderInput.setZero();
  for (Index r = 0; r < n; ++r) out.decoderInput[r * steps] = o.startId;
  std::vector<const Tensor*> in = x;
  in[o.decoderInput] = &out.decoderInput;
  RunContext ctx;
  ctx.training = false;
  for (Index t = 0; t < steps; ++t) {
    model.forward(in, false, ctx);
    const Tensor& y = model.output(o.output);
    if (y.rank() != 3 || y.dim(0) != n || y.dim(1) != steps)
      throw Error("seq2seq decoding: the output must be (N, T, vocabulary) with T = " +
                  std::to_string(steps));
    const Index v = y.dim(2);
    bool allEnded = true;
    for (Index r = 0; r < n; ++r) {
      if (out.ended[r]) continue;
      const float* p = y.data() + (r * steps + t) * v;
      Index best = 0;
      for (Index k = 1; k < v; ++k)
        if (p[k] > p[best]) best = k;
      if (best == o.endId || best == o.padId) {
        out.ended[r] = 1;
        continue;
      }
      out.ids[r].push_back(best);
      if (t + 1 < steps) out.decoderInput[r * steps + t + 1] = float(best);
      allEnded = false;
    }
    if (allEnded || t + 1 == steps) {
      if (probe) probe->capture();
      break;
    }
  }
  return out;
}

}  // namespace tessel
