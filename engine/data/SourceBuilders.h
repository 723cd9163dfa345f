#pragma once
// One builder per DataSettings::kind (see DatasetBuilder.h for what each source gives), each in
// its own file: FashionMnistBuilder.cpp, LocalizationBuilder.cpp, IdxBuilder.cpp,
// CsvBuilder.cpp, ImageFolderBuilder.cpp. Each fills `out` (whose settings are the ones given)
// and applies the training-sample limit; buildDataset() dispatches and adds augmentation.
// Internal to the engine's data folder (namespace databuild).
#include "engine/data/DatasetBuilder.h"

namespace tessel::databuild {

// "fashion_mnist": the standard split, standardised; test = the t10k images.
void buildFashionMnist(BuiltData& out, const BuildOptions& o);
// "fashion_mnist_localization": the generated localization set.
void buildLocalization(BuiltData& out, const BuildOptions& o);
// "fashion_mnist_sequence": the generated CTC sequence set (FashionSequence.h).
void buildSequence(BuiltData& out, const BuildOptions& o);
// "idx": an IDX image/label pair, split by fractions or given files; normalised.
void buildIdx(BuiltData& out, const BuildOptions& o);
// "csv": CsvSpec options; given validation/test files use the training file's encoder.
void buildCsv(BuiltData& out, const BuildOptions& o);
// "image_folder": lazy images, class ids and optional box targets; normalised.
void buildImageFolder(BuiltData& out, const BuildOptions& o);
// "tfrecord": TFRecord shards through a feature specification (TfRecordSource.h).
void buildTfRecord(BuiltData& out, const BuildOptions& o);
// "text": text sources vectorized on the host (TextDataset.h; TextBuilder.cpp).
void buildText(BuiltData& out, const BuildOptions& o);

}  // namespace tessel::databuild
