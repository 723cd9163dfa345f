#pragma once
// Text data sets (DataSettings kind "text"): strings read from a source, split by the settings'
// fractions and seed, a TextVectorization ADAPTED ON THE TRAINING SPLIT ONLY (as Keras's
// `vectorize_layer.adapt(train_text)`), then every split vectorized with it.
//
// options (DataSettings::options):
//   "source"        "csv" (path: a CSV/TSV file; "text_column", "label_column" by header name,
//                   "delimiter" default "\t" for *.tsv, else ","),
//                   "folder" (path: one subfolder per class holding *.txt files, as
//                   keras.utils.text_dataset_from_directory: classes = subfolder names sorted,
//                   files sorted, other extensions ignored),
//                   "pairs" (path: a TSV of "source \t target" lines for sequence-to-sequence;
//                   extra columns ignored), or
//                   "fortunes" (the Debian fortunes package, Fortunes.h; path: its folder,
//                   default /usr/share/games/fortunes; "categories": the classes, default
//                   defaultFortuneCategories()).
//   "vectorization" a Keras TextVectorization config (TextVectorization.h; default
//                   max_tokens 10000, output_sequence_length 64). With a "vocabulary" in it the
//                   vocabulary is used as given (no adapt); "vocabulary_file": a file with one
//                   token per line (repeats are an error naming the file and line).
//   "target_vectorization" (pairs) the target side's config (default: the source's); targets are
//                   wrapped as "[start] ... [end]" after standardization and split (Keras's
//                   translation example) and vectorized to output_sequence_length + 1; the decoder
//                   input is ids[:, :-1], the decoder target ids[:, 1:].
//   "max_samples"   keep at most that many samples (the first of a shuffle with splitSeed).
// Split: the settings' fractions and seed, or GIVEN FILES (DataSettings::trainFile, optional
// validationFile / testFile; not for fortunes): each read as the source, classes from the
// training file (a validation/test class not in it is an error naming the file and line).
// Data: classification sources give x (N, L) float32 ids (or (N, depth) for multi_hot / count /
// tf_idf) and y (N,) int32 class ids; pairs give x = [encoder ids (N, Ls), decoder input
// (N, Lt)] and y = decoder target (N, Lt) int32. Texts longer than output_sequence_length are
// TRUNCATED to their first tokens (as Keras; TextData::truncated counts them).
// Errors (Error) name the file and, where there is one, the line: an empty file, a missing
// column, a label column with one class, invalid UTF-8, a line of a pairs file without a tab.
#include <memory>
#include <string>
#include <vector>

#include "engine/data/DataSettings.h"
#include "engine/data/TextVectorization.h"
#include "engine/tensor/Tensor.h"

namespace tessel {

struct TextSamples {
  std::vector<std::string> texts;
  std::vector<std::string> targets;  // pairs only
  std::vector<int> labels;           // class ids (not for pairs)
  std::vector<std::string> classNames;
  std::vector<std::string> origins;  // "file:line" (or the file) of each sample
};

// Reads the samples of settings.options["source"] (no vectorization). A label column or folder
// with one class is an error unless requireTwoClasses is false (a validation or test file).
TextSamples readTextSamples(const DataSettings& settings, bool requireTwoClasses = true);

struct TextData {
  TextSamples samples;
  std::vector<Index> train, validation, test;         // sample rows of each split
  std::shared_ptr<TextVectorization> source, target;  // target: pairs only
};

// Reads, splits and adapts (or uses the given vocabulary). trainLimit >= 0 keeps at most that
// many training rows (the vocabulary is adapted on the rows kept).
TextData prepareTextData(const DataSettings& settings, Index trainLimit = -1);

// The default "vectorization" config when the settings give none.
nlohmann::json defaultTextVectorizationConfig();

// The first n training samples with their tokens and ids, for previews (data dialog, CLI).
struct TextPreviewRow {
  std::string text, label;
  std::vector<std::string> tokens;
  std::vector<std::int64_t> ids;  // int mode: the padded/truncated row; else the token indices
};
std::vector<TextPreviewRow> textPreview(const TextData& data, int n);

}  // namespace tessel
