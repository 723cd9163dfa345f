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
};

// x: every model input (x[decoderInput] is only read for its shape). Throws Error when the
// decoder input is not (N, T) or the output not (N, T, V).
Seq2SeqDecoded greedyDecodeSeq2Seq(Model& model, const std::vector<const Tensor*>& x,
                                   const Seq2SeqDecodeOptions& options,
                                   AttentionProbe* probe = nullptr);

}  // namespace tessel
