// libFuzzer target: the text data sets' files (engine/data/TextDataset.h) as the data dialog and
// `tessel train` with kind "text" read them. The first byte picks the file: 0 a CSV of text and
// label columns, 1 a TSV of sentence pairs, 2 a vocabulary file (one token per line) used for a
// fixed two-class CSV; the other bytes are the file. The samples are read, split, a
// TextVectorization adapted (or given the vocabulary) and a preview vectorized. Anything but a
// clean tessel::Error is a finding. Seeds: tests/fuzz/corpus/fuzz_text_data/ (make_seeds.py).
#include <cstdint>
#include <string>

#include "engine/core/Error.h"
#include "engine/data/TextDataset.h"
#include "fuzz/FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int kind = data[0] % 3;
  tessel::DataSettings st;
  st.kind = "text";
  st.fractions = {0.5, 0.25, 0.25};
  st.options = {{"vectorization", {{"max_tokens", 64}, {"output_sequence_length", 8}}}};
  if (kind == 2) {
    const std::string vocab = tessel::fuzz::writeFuzzFile("vocab.txt", data + 1, size - 1);
    static const std::string fixed = "text,label\na b c,x\nb c d,y\nc d e,x\nd e f,y\n";
    st.path = tessel::fuzz::writeFuzzFile(
        "fixed.csv", reinterpret_cast<const std::uint8_t*>(fixed.data()), fixed.size());
    st.options["source"] = "csv";
    st.options["vocabulary_file"] = vocab;
  } else {
    st.path = tessel::fuzz::writeFuzzFile(kind == 0 ? "text.csv" : "pairs.tsv", data + 1, size - 1);
    st.options["source"] = kind == 0 ? "csv" : "pairs";
  }
  try {
    tessel::TextData d = tessel::prepareTextData(st);
    (void)tessel::textPreview(d, 3);
  } catch (const tessel::Error&) {
  }
  return 0;
}
