#pragma once
// Greedy decoding of a teacher-forced encoder-decoder Model, as Keras's translation example's
// decode_sequence: the decoder input starts as [start, 0, 0, ...]; each pass's most probable
// next token at step t is written at step t + 1, until every row has produced the end token or
// the decoder input is full. Model in inference mode (training = false); one forward per step
// for all rows at once. With a probe, the attention weights of the LAST pass are captured (with a
// causal decoder, row t of them is what step t attended to when it chose its token).
//
//   Seq2SeqDecodeOptions o;  o.decoderInput = 1;  o.startId = 2;  o.endId = 3;
//   auto ids = greedyDecodeSeq2Seq(model, {&encoderIds, &decoderIds}, o, &probe);
//
// Beam search (beamDecodeSeq2Seq): per row, up to W hypotheses scored by the SUM OF LOG
// PROBABILITIES of their tokens (log of the output when it is probabilities, log_softmax of it
// with fromLogits). Each step runs every live hypothesis of every row in one forward (decoder input
// = start, its tokens, zeros); every (hypothesis, next token) pair is a candidate; the W best
// candidates of the row are kept (ties: earlier hypothesis, then lower token id, so W = 1 is
// exactly greedy). A candidate whose token is the end (or padding) id is FINISHED (its ids do not
// include that token, its score does); one that fills the decoder input (T tokens) finishes
// unended. Finished candidates leave the beam (it narrows); a row stops when no hypothesis is
// live, or (without length normalisation) when its best finished score is at least its best live
// score (log probabilities only fall, so nothing better can come). The answer is the best finished
// hypothesis. Length normalisation (off by default, as Keras/TF's beam decoders do not normalise)
// ranks finished hypotheses by score / (tokens scored, the end token included) instead. With W at
// least the number of candidates at every step nothing is pruned: the result is the exact best
// sequence (the tests check it against brute-force enumeration).
#include <vector>

#include "engine/tensor/Tensor.h"

namespace tessel {

class AttentionProbe;
class Model;

struct Seq2SeqDecodeOptions {
  size_t decoderInput = 1;  // the model input holding the decoder ids (N, T)
  size_t output = 0;        // the model output (N, T, V) of next-token scores
  float startId = 2;        // written at step 0 of every row
  Index endId = -1;         // decoding of a row stops at this id (-1: none)
  Index padId = 0;          // ... and at this one (padding: what a model predicts after the
                            // end of the targets it learned; -1: none)
};

struct Seq2SeqDecoded {
  std::vector<std::vector<Index>> ids;  // per row, without the end (or padding) token
  std::vector<char> ended;              // per row: the end or padding token was produced
  Tensor decoderInput;                  // (N, T) as the last pass saw it: start, then tokens
  std::vector<double> logProb;          // beam search: per row, the sum of log probabilities
};

struct Seq2SeqBeamOptions {
  int beamWidth = 3;                 // W >= 1
  bool lengthNormalization = false;  // rank finished hypotheses by log p / tokens scored
  bool fromLogits = false;           // the output is logits (else probabilities, e.g. softmax)
};

// x: every model input (x[decoderInput] is only read for its shape). Throws Error when the
// decoder input is not (N, T) or the output not (N, T, V).
Seq2SeqDecoded greedyDecodeSeq2Seq(Model& model, const std::vector<const Tensor*>& x,
                                   const Seq2SeqDecodeOptions& options,
                                   AttentionProbe* probe = nullptr);

// Beam search (above). With a probe, the attention of one extra pass over the chosen sequences is
// captured (rows = decoder steps). Throws Error as greedyDecodeSeq2Seq, and for W < 1.
Seq2SeqDecoded beamDecodeSeq2Seq(Model& model, const std::vector<const Tensor*>& x,
                                 const Seq2SeqDecodeOptions& options,
                                 const Seq2SeqBeamOptions& beam, AttentionProbe* probe = nullptr);

}  // namespace tessel
