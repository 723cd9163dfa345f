#include "engine/explain/Seq2SeqDecoder.h"

#include <algorithm>
#include <cmath>

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

namespace tessel {

namespace {

struct Hypothesis {
  std::vector<Index> ids;
  double logp = 0;
  bool ended = false;
};

struct Candidate {
  double score;
  size_t beam;  // index into the row's live hypotheses
  Index token;
};

// Copies rows `rows` of x (N, ...) into out (rows.size(), ...).
void gatherRows(const Tensor& x, const std::vector<Index>& rows, Tensor& out) {
  Shape shape = x.shape();
  const Index n = shape[0];
  const Index width = n > 0 ? x.size() / n : 0;
  shape[0] = Index(rows.size());
  out.resize(shape);
  for (size_t b = 0; b < rows.size(); ++b)
    std::copy(x.data() + rows[b] * width, x.data() + (rows[b] + 1) * width,
              out.data() + Index(b) * width);
}

}  // namespace

Seq2SeqDecoded beamDecodeSeq2Seq(Model& model, const std::vector<const Tensor*>& x,
                                 const Seq2SeqDecodeOptions& o, const Seq2SeqBeamOptions& beam,
                                 AttentionProbe* probe) {
  if (o.decoderInput >= x.size() || !x[o.decoderInput] || x[o.decoderInput]->rank() != 2)
    throw Error("seq2seq decoding: the decoder input must be (N, T) token ids");
  if (o.output >= model.numOutputs())
    throw Error("seq2seq decoding: the model has no output " + std::to_string(o.output));
  if (beam.beamWidth < 1) throw Error("seq2seq beam search: the beam width must be at least 1");
  const Index n = x[o.decoderInput]->dim(0), steps = x[o.decoderInput]->dim(1);
  const size_t width = size_t(beam.beamWidth);
  std::vector<std::vector<Hypothesis>> live(static_cast<size_t>(n), std::vector<Hypothesis>(1));
  std::vector<std::vector<Hypothesis>> done(static_cast<size_t>(n));
  auto rank = [&](const Hypothesis& h) {
    if (!beam.lengthNormalization) return h.logp;
    return h.logp / double(std::max<size_t>(1, h.ids.size() + (h.ended ? 1 : 0)));
  };
  std::vector<Tensor> gathered(x.size());
  Tensor decoder;
  RunContext ctx;
  ctx.training = false;
  for (Index t = 0; t < steps; ++t) {
    // Every live hypothesis of every row, one batch.
    std::vector<Index> rowOf;
    std::vector<std::pair<size_t, size_t>> who;  // (row, hypothesis)
    for (size_t r = 0; r < live.size(); ++r)
      for (size_t k = 0; k < live[r].size(); ++k) {
        rowOf.push_back(Index(r));
        who.emplace_back(r, k);
      }
    if (who.empty()) break;
    const Index batch = Index(who.size());
    std::vector<const Tensor*> in(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      if (i == o.decoderInput || !x[i]) continue;
      gatherRows(*x[i], rowOf, gathered[i]);
      in[i] = &gathered[i];
    }
    decoder.resize({batch, steps});
    decoder.setZero();
    for (Index b = 0; b < batch; ++b) {
      const Hypothesis& h = live[who[size_t(b)].first][who[size_t(b)].second];
      decoder[b * steps] = o.startId;
      for (size_t j = 0; j < h.ids.size() && Index(j) + 1 < steps; ++j)
        decoder[b * steps + Index(j) + 1] = float(h.ids[j]);
    }
    in[o.decoderInput] = &decoder;
    model.forward(in, false, ctx);
    const Tensor& y = model.output(o.output);
    if (y.rank() != 3 || y.dim(0) != batch || y.dim(1) != steps)
      throw Error("seq2seq decoding: the output must be (N, T, vocabulary) with T = " +
                  std::to_string(steps));
    const Index v = y.dim(2);
    std::vector<std::vector<Candidate>> candidates(live.size());
    std::vector<double> logp(static_cast<size_t>(v));
    for (Index b = 0; b < batch; ++b) {
      const auto [r, k] = who[size_t(b)];
      const float* p = y.data() + (b * steps + t) * v;
      if (beam.fromLogits) {
        double mx = p[0], sum = 0;
        for (Index c = 1; c < v; ++c) mx = std::max(mx, double(p[c]));
        for (Index c = 0; c < v; ++c) sum += std::exp(double(p[c]) - mx);
        const double lse = mx + std::log(sum);
        for (Index c = 0; c < v; ++c) logp[size_t(c)] = double(p[c]) - lse;
      } else {
        for (Index c = 0; c < v; ++c)
          logp[size_t(c)] = p[c] > 0 ? std::log(double(p[c])) : -INFINITY;
      }
      for (Index c = 0; c < v; ++c)
        if (std::isfinite(logp[size_t(c)]))
          candidates[r].push_back({live[r][k].logp + logp[size_t(c)], k, c});
    }
    for (size_t r = 0; r < live.size(); ++r) {
      if (live[r].empty()) continue;
      std::vector<Candidate>& cand = candidates[r];
      // Generated in (hypothesis, token) order: a stable sort keeps that order among equals.
      std::stable_sort(cand.begin(), cand.end(),
                       [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
      std::vector<Hypothesis> next;
      for (size_t c = 0; c < cand.size() && c < width; ++c) {
        Hypothesis h;
        h.ids = live[r][cand[c].beam].ids;
        h.logp = cand[c].score;
        if (cand[c].token == o.endId || cand[c].token == o.padId) {
          h.ended = true;
          done[r].push_back(std::move(h));
          continue;
        }
        h.ids.push_back(cand[c].token);
        if (t + 1 == steps)
          done[r].push_back(std::move(h));  // the decoder input is full
        else
          next.push_back(std::move(h));
      }
      live[r] = std::move(next);
      // Without length normalisation scores only fall: a finished hypothesis at least as good as
      // every live one is the answer.
      if (!beam.lengthNormalization && !done[r].empty() && !live[r].empty()) {
        double bestDone = -INFINITY, bestLive = -INFINITY;
        for (const Hypothesis& h : done[r]) bestDone = std::max(bestDone, h.logp);
        for (const Hypothesis& h : live[r]) bestLive = std::max(bestLive, h.logp);
        if (bestDone >= bestLive) live[r].clear();
      }
    }
  }
  Seq2SeqDecoded out;
  out.ids.resize(size_t(n));
  out.ended.assign(size_t(n), 0);
  out.logProb.assign(size_t(n), -INFINITY);
  out.decoderInput.resize({n, steps});
  out.decoderInput.setZero();
  for (Index r = 0; r < n; ++r) {
    const std::vector<Hypothesis>& d = done[size_t(r)];
    const Hypothesis* best = nullptr;
    for (const Hypothesis& h : d)
      if (!best || rank(h) > rank(*best)) best = &h;
    out.decoderInput[r * steps] = o.startId;
    if (!best) continue;
    out.ids[size_t(r)] = best->ids;
    out.ended[size_t(r)] = best->ended;
    out.logProb[size_t(r)] = best->logp;
    for (size_t j = 0; j < best->ids.size() && Index(j) + 1 < steps; ++j)
      out.decoderInput[r * steps + Index(j) + 1] = float(best->ids[j]);
  }
  if (probe) {
    std::vector<const Tensor*> in = x;
    in[o.decoderInput] = &out.decoderInput;
    probe->predict(in);
  }
  return out;
}

}  // namespace tessel
