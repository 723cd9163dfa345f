#include "app/Cli.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <new>
#include <sstream>

#include "app/CliSupport.h"
#include "app/CmdPredictImage.h"
#include "app/cli/ErrorReport.h"
#include "app/cli/HelpText.h"

#ifndef TESSEL_VERSION
#define TESSEL_VERSION "0.0.0"
#endif

namespace tessel::app {

int cmdExportAll(const Args& args);  // CmdExport.cpp

namespace {

// Options shared by several sub-commands.
const OptionSpec kData{"--data", "NAME", false,
                       "built-in data set: fashion-mnist (Debian's dataset-fashion-mnist; "
                       "split: first 5000 training images for validation, StandardScaler)"};
const OptionSpec kX{"--x", "FILE.npy", true,
                    "model input as a .npy array, one per model input, in input order"};
const OptionSpec kY{"--y", "FILE.npy", true,
                    "targets as a .npy array, one per model output, in output order"};
const OptionSpec kBatch{"--batch-size", "N", false, "samples per batch (default 32)"};
const OptionSpec kThreads{"--threads", "N", false, "compute threads (default: all cores)"};
const OptionSpec kLossExpression{
    "--loss-expression", "EXPR", false,
    "a custom loss: an expression of y_true and y_pred, e.g. "
    "\"tf.reduce_mean(tf.square(y_pred - y_true))\" (instead of --loss)"};
const OptionSpec kMetricExpression{
    "--metric-expression", "NAME=EXPR", true,
    "a custom metric averaged over the samples: NAME=an expression of y_true, y_pred and "
    "sample_weight, e.g. \"my_mae=K.mean(K.abs(y_pred - y_true), axis=-1)\""};
const OptionSpec kTfRecord{"--tfrecord", "PATTERN", false,
                           "TFRecord shards of tf.train.Example (a file, folder or glob); the "
                           "feature specification comes from features.json beside them or is "
                           "proposed from the first records"};
const OptionSpec kPrefetch{"--prefetch", "N", false,
                           "with --tfrecord: batches decoded ahead on a reader thread"};
const OptionSpec kShuffleBuffer{"--shuffle-buffer", "N", false,
                                "with --tfrecord: streaming shuffle buffer (records)"};

}  // namespace

// Long by design: the table of commands and their options, in the order --help lists them.
const std::vector<CommandSpec>& commands() {
  static const std::vector<CommandSpec> table = {
      {"studio",
       "[MODEL]",
       "open the studio window (the default when no sub-command is given)",
       "Without MODEL the bundled example (resources/examples) is opened. Needs a display.",
       0,
       1,
       {},
       nullptr},
      {"summary",
       "MODEL",
       "print the Keras model.summary() of a model.json",
       "MODEL is a Keras/TF.js model.json (weights are not needed).",
       1,
       1,
       {},
       cmdSummary},
      {"application",
       "NAME [options]",
       "a keras.applications architecture (VGG16, ResNet50, MobileNetV2) as a model.json",
       "Built with Keras's layer names (weights=None: nothing is downloaded). The edits apply in "
       "this order: --replace-head-after, --freeze-up-to, --unfreeze-last. Prints the summary.",
       1,
       1,
       {{"--no-top", nullptr, false, "include_top=False"},
        {"--pooling", "avg|max", false, "with --no-top: global pooling of the last feature map"},
        {"--input-shape", "H,W,C", false, "input_shape (default 224,224,3)"},
        {"--classes", "N", false, "with the top: classes (default 1000)"},
        {"--classifier-activation", "NAME", false, "with the top: softmax (default) or linear"},
        {"--alpha", "F", false, "MobileNetV2 width multiplier (default 1.0)"},
        {"--replace-head-after", "LAYER", false,
         "drop what follows LAYER; add GlobalAveragePooling2D (4-D), Dropout, Dense(softmax)"},
        {"--head-classes", "N", false, "classes of the new head (default 2)"},
        {"--head-dropout", "F", false, "dropout rate of the new head (default 0.2)"},
        {"--freeze-up-to", "LAYER", false, "trainable=False for LAYER and every layer before"},
        {"--unfreeze-last", "N", false, "freeze all, then make the last N layers trainable"},
        {"--save", "OUT.json", false, "write the model.json (topology, trainable flags)"}},
       cmdApplication},
      {"train",
       "MODEL (--data NAME | --data-settings FILE.json | --x FILE.npy... --y FILE.npy...) "
       "[options]",
       "train a model.json on a data set (Keras fit())",
       "MODEL is a Keras/TF.js model.json; without weights the model is initialised as Keras "
       "would. Loss, metrics and optimizer come from its training_config unless given here. "
       "MODEL may also be a project (*.tessel): the run, its metrics and checkpoints are then "
       "recorded in it.",
       1,
       1,
       {kData,
        kX,
        kY,
        kTfRecord,
        kPrefetch,
        kShuffleBuffer,
        {"--data-settings", "FILE.json", false,
         "data set settings as the studio saves them (any kind, e.g. the examples' data.json); "
         "relative paths are relative to FILE"},
        {"--epochs", "N", false, "number of epochs (default 1)"},
        kBatch,
        {"--validation-split", "F", false,
         "fraction of the training data held out for validation, taken from the end (0 to <1)"},
        {"--optimizer", "NAME", false, optimizerOptionHelp()},
        {"--lr", "F", false, "learning rate"},
        {"--loss", "NAME", false, lossOptionHelp()},
        {"--metrics", "A,B", false, metricsOptionHelp()},
        kLossExpression,
        kMetricExpression,
        {"--seed", "N", false, "seed for initialisation, shuffling and dropout (default 0)"},
        {"--no-shuffle", nullptr, false, "do not shuffle the training data each epoch"},
        {"--device", "cpu|cuda[:N]", false,
         "train on the CPU (default) or on CUDA GPU N (a CUDA build and a GPU are needed)"},
        {"--deterministic", nullptr, false,
         "on the GPU, deterministic cuDNN algorithms only (Keras enable_op_determinism; slower); "
         "by default the fastest, as Keras"},
        {"--tf32", nullptr, false,
         "on the GPU, matrix products and convolutions in TF32 on tensor cores (Keras "
         "enable_tensor_float_32_execution; faster, ~1e-3 relative precision); default FP32"},
        {"--dtype-policy", "float32|mixed_float16|mixed_bfloat16", false,
         "Keras's dtype policy: float32 (default), or on the GPU matrix products and "
         "convolutions on 16-bit tensor cores with FP32 weights and sums (mixed_float16 with "
         "dynamic loss scaling, as Keras)"},
        {"--verbose", "N", false,
         "0 = silent, 1 = Keras progress lines (default), 2 = one line "
         "per epoch"},
        kThreads,
        {"--save", "OUT/model.json", false,
         "write the trained model (model.json + weights + training_config)"},
        {"--early-stopping-patience", "N", false,
         "stop when val_loss (loss without validation) has not improved for N epochs"},
        {"--csv-log", "FILE.csv", false, "write one row of logs per epoch (Keras CSVLogger)"},
        {"--model", "NAME", false, "with a PROJECT: the model to train (default: the first)"},
        {"--run-name", "NAME", false, "with a PROJECT: the run's name (default: run N)"},
        {"--fine-tune", "E1,N,F,E2", false,
         "two-phase fine-tuning instead of --epochs: E1 epochs with the base frozen, then the "
         "last N layers unfrozen at the learning rate times F for E2 epochs"},
        {"--base-end", "LAYER", false,
         "with --fine-tune: freeze LAYER and every layer before it in phase 1"}},
       cmdTrain},
      {"evaluate",
       "MODEL (--data NAME | --x FILE.npy... --y FILE.npy...) [options]",
       "evaluate a trained model.json (Keras evaluate())",
       "With --data fashion-mnist the test set is used. Prints `loss: ... - <metric>: ...`.",
       1,
       1,
       {kData,
        kX,
        kY,
        kTfRecord,
        kBatch,
        {"--loss", "NAME", false, lossOptionHelp()},
        {"--metrics", "A,B", false, metricsOptionHelp()},
        kLossExpression,
        kMetricExpression,
        {"--device", "cpu|cuda[:N]", false, "run the forward passes on the CPU or a CUDA GPU"},
        kThreads},
       cmdEvaluate},
      {"derive",
       "EXPR [--at NAME=V,...] [--descend LR --steps N]",
       "value, gradient and Hessian of a function of scalars (tf.GradientTape, no Python)",
       "EXPR uses TensorFlow's op names (tf.square, tf.exp, K.mean, ...); its free names are "
       "its variables, in order of appearance. Prints f, the gradient and the Hessian at the "
       "point (default: every variable 0); with --descend, the points of --steps gradient "
       "descent steps of learning rate LR.",
       1,
       1,
       {{"--at", "NAME=V,...", false, "the point (default: every variable 0)"},
        {"--descend", "LR", false, "run gradient descent with this learning rate"},
        {"--steps", "N", false, "gradient descent steps (default 10)"}},
       cmdDerive},
      {"predict",
       "MODEL|PROJECT (--x FILE.npy... --out FILE.npy... | --image FILE) [options]",
       "run a trained model on inputs (Keras predict()) or on one image",
       "One --out per model output; outputs are written as float32 .npy arrays. With --image, "
       "MODEL may be a PROJECT (weights of its latest run with a checkpoint): the image is "
       "decoded, "
       "resized to the model's input and preprocessed as the data set settings say (default "
       "x/255); the top classes of each classification head and the predicted boxes are printed "
       "(and drawn with --draw).",
       1,
       1,
       {kX,
        {"--out", "FILE.npy", true, "where to write each model output, in output order"},
        {"--ctc-decode", "greedy|beam[:W]", false,
         "print the label sequences of each (N, T, C) output: CTC greedy or beam search "
         "decoding (blank 0, Keras 3 ops.ctc_decode; --out may then be left out)"},
        {"--image", "FILE", false, "a PNG/JPEG/BMP image to classify and localize"},
        {"--top", "N", false, "with --image: classes listed per classification head (default 5)"},
        {"--draw", "OUT.png", false, "with --image: write the image with the predicted boxes"},
        {"--model", "NAME", false, "with a PROJECT: the model to use (default: the first)"},
        {"--run", "RUN", false, "with a PROJECT: the run whose weights are used (default: latest)"},
        {"--checkpoint", "best|last", false, "with a PROJECT: which checkpoint (default best)"},
        {"--max-boxes", "N", false,
         "with --image: NMS max_output_size for (K, 4) box outputs (default 10)"},
        {"--iou-threshold", "F", false, "with --image: NMS iou_threshold (default 0.5)"},
        {"--score-threshold", "F", false, "with --image: NMS score_threshold (default: none)"},
        kBatch,
        {"--device", "cpu|cuda[:N]", false, "with --x: predict on the CPU or a CUDA GPU"},
        kThreads},
       cmdPredictAny},
      {"data",
       "export (--data fashion-mnist | --idx PATH | --csv FILE --label COL | --image-folder DIR "
       "| --settings FILE.json) --tfrecord DIR [options] | text (--csv FILE --text-column COL "
       "--label COL | --folder DIR | --pairs FILE) [--preview] | fortunes [--preview]",
       "write a data set as TFRecord shards; inspect a text data set (tokens, ids, vocabulary)",
       "Every sample of the source, in its order and unnormalised (a --settings file is built "
       "as the studio builds it: its split parts go to DIR, DIR/validation and DIR/test). Images "
       "(uint8) are written as PNG bytes in \"image\", other inputs as a FloatList "
       "\"input_features\", class ids as an Int64List \"label\", boxes as a FloatList \"box\"; "
       "sample i goes to shard i % N, and DIR/features.json holds the feature specification "
       "that reads them back (`tessel train MODEL --tfrecord DIR`). `data text` / `data "
       "fortunes` vectorize a text set as the studio does (vocabulary adapted on the training "
       "split) and print its sizes, vocabulary and, with --preview, texts with tokens and ids.",
       1,
       1,
       {{"--tfrecord", "DIR", false, "the folder to write the shards into"},
        {"--shards", "N", false, "number of shard files (default 1)"},
        {"--compression", "gzip|zlib|none", false, "compression of the files (default none)"},
        {"--prefix", "NAME", false, "shard file name prefix (default data)"},
        {"--data", "NAME", false, "fashion-mnist: the 60,000 training images of Debian's package"},
        {"--idx", "PATH", false, "an IDX image/label pair (file or folder)"},
        {"--csv", "FILE", false, "a CSV file (numeric feature columns)"},
        {"--label", "COLUMN", false, "with --csv: the label column (default: the last)"},
        {"--image-folder", "DIR", false, "a class-per-subfolder image folder"},
        {"--height", "N", false, "with --image-folder: image height (default 64)"},
        {"--width", "N", false, "with --image-folder: image width (default 64)"},
        {"--grayscale", nullptr, false, "with --image-folder: one channel"},
        {"--annotations", "csv:FILE|voc:PATH", false, "with --image-folder: box annotations"},
        {"--settings", "FILE.json", false, "data settings JSON (any kind the studio loads)"},
        {"--limit", "N", false, "only the first N samples"},
        {"--text-column", "COL", false, "text: the CSV text column (default text)"},
        {"--folder", "DIR", false, "text: class folders of .txt files (fortunes: the folder)"},
        {"--pairs", "FILE", false, "text: sentence pairs, source<TAB>target per line"},
        {"--categories", "A,B,...", false, "fortunes: the categories (default 5 topics)"},
        {"--list", nullptr, false, "fortunes: list the categories with their entry counts"},
        {"--max-tokens", "N", false, "text: TextVectorization max_tokens (default 10000)"},
        {"--sequence-length", "N", false, "text: output_sequence_length (default 64)"},
        {"--output-mode", "MODE", false, "text: int, multi_hot, count or tf_idf"},
        {"--ngrams", "N", false, "text: n-grams 1..N"},
        {"--vocabulary", "FILE", false, "text: a vocabulary file (one token per line)"},
        {"--save-vocabulary", "FILE", false, "text: write the vocabulary, one token per line"},
        {"--seed", "N", false, "text: split seed (default 0)"},
        {"--preview", nullptr, false, "text: print sample texts with their tokens and ids"},
        {"--rows", "N", false, "text: preview rows (default 5)"},
        {"--model", "MODEL.json", false,
         "text: vectorize with the model's TextVectorization config (and vocabulary, if any)"},
        {"--save-model", "OUT.json", false,
         "text: write the model with the adapted vocabulary in its TextVectorization config"}},
       cmdData},
      {"new", "PROJECT", "create an empty project file (*.tessel)", nullptr, 1, 1, {}, cmdNew},
      {"import",
       "PROJECT MODEL",
       "add a Keras/TF.js model.json, a Keras .keras archive, a Keras 2 .h5 or an ONNX model to a "
       "project",
       "The model's training_config becomes its compile settings. The weights of a .keras or "
       ".h5 file become an \"imported\" run of the model (with the .h5's optimizer state when "
       "it fits); layers Tessel cannot build are listed and nothing is imported. An .onnx file "
       "(opsets 9-17, e.g. from torch.onnx.export) becomes a channels_last Keras graph, its "
       "weights an \"imported\" run; unsupported operators are listed and nothing is added.",
       2,
       2,
       {{"--name", "NAME", false, "model name in the project (default: the model's name)"}},
       cmdImport},
      {"load",
       "PROJECT FILE [--model NAME] [--by-name]",
       "Keras load_weights: a .weights.h5, .h5, .keras or TF.js weights file into a model",
       "The weights become an \"imported\" run of the model, exported like any run "
       "(tessel export --run). Keras 2 .h5 files match layers by order (the layers that have "
       "weights) or, with "
       "--by-name, by layer name (layers absent from the file keep their initial values); "
       "Keras 3 .weights.h5 files by their layer paths. Nothing is written when a layer or "
       "weight does not fit (it is named).",
       2,
       2,
       {{"--model", "NAME", false, "the model to load into (default: the first)"},
        {"--by-name", nullptr, false, "match Keras 2 layers by name (load_weights by_name=True)"}},
       cmdLoadWeights},
      {"runs",
       "PROJECT",
       "list the runs of a project with their best metrics",
       nullptr,
       1,
       1,
       {},
       cmdRuns},
      {"resume",
       "PROJECT RUN",
       "continue an interrupted or stopped run from its last checkpoint",
       "Weights and optimizer state come from the run's last checkpoint; data and settings "
       "from the run's record. The epoch count and curves continue where they stopped.",
       2,
       2,
       {kThreads},
       cmdResume},
      {"search",
       "PROJECT [--space FILE.json] [--tuner random|grid|hyperband|bayesian] [options]",
       "hyperparameter search with k-fold cross-validation; every trial is a run",
       "The space (JSON: engine/search/SearchSpace.h) names layer parameters "
       "(layers.<layer>.<key>), optimizer settings (optimizer, optimizer.learning_rate, ...), "
       "batch_size or epochs with a distribution (choice, int, uniform, log_uniform / "
       "reciprocal). Each trial trains cv times (KFold over the training data) and scores the "
       "objective's best epoch on the held-out fold; the trials, their fold scores and curves "
       "are kept in the project, and a stopped or killed search continues with --resume. "
       "With --cv 1, a Hyperband promotion continues the promoted trial's weights and "
       "optimizer state for the extra epochs only (as KerasTuner); with folds it retrains.",
       1,
       1,
       {{"--space", "FILE.json", false, "the search space (default: the one saved with the model)"},
        {"--tuner", "NAME", false, "random (default), grid, hyperband or bayesian"},
        {"--trials", "N", false, "trial budget (default 10)"},
        {"--cv", "K", false, "folds of cross-validation per trial (default 3; 1 = none)"},
        {"--objective", "NAME", false, "the logged metric to optimise (default val_loss)"},
        {"--direction", "min|max", false, "default: max for accuracy/auc, else min"},
        {"--data-settings", "FILE.json", false,
         "data set settings (default: the model's); relative paths are relative to FILE"},
        {"--epochs", "N", false, "epochs per trial (hyperband: max_epochs; default 10)"},
        {"--factor", "N", false, "hyperband reduction factor (default 3)"},
        {"--early-stopping-patience", "N", false, "stop a trial when the objective stalls"},
        {"--max-time", "SECONDS", false, "start no trial after this long"},
        kBatch,
        {"--seed", "N", false, "seed of the tuner, the folds and the weights (default 0)"},
        {"--baseline", nullptr, false, "also score the model's own settings (first trial)"},
        {"--resume", "ID", false, "continue search ID (finished trials kept)"},
        {"--model", "NAME", false, "the model to search (default: the first)"},
        {"--verbose", "N", false, "0 = silent, 1 = a block per trial (default), 2 = epochs"},
        {"--parallel", "N", false,
         "trials at a time, the threads divided among them (default 1); same trials and scores"},
        kThreads},
       cmdSearch},
      {"trials",
       "PROJECT [--csv | --json] [--search ID]",
       "list every search trial: hyperparameters, score and final metrics",
       nullptr,
       1,
       1,
       {{"--csv", nullptr, false, "one CSV row per trial"},
        {"--json", nullptr, false, "a JSON list, one object per trial"},
        {"--search", "ID", false, "only this search"}},
       cmdTrials},
      {"export",
       "PROJECT|MODEL (--out|--keras3|--keras|--h5|--weights-h5|--python|--onnx|--tensorboard) "
       "FILE [options]",
       "export a model or run: Keras 2/3 JSON, .keras, .h5, Python script, ONNX, TensorBoard logs",
       "From a PROJECT the model is its first (or --model NAME) with the weights and training "
       "settings of its latest run, or run --run RUN. A MODEL.json is exported with its own "
       "weights. Without trained weights, ONNX gets freshly initialised ones (and says so). "
       "Several outputs may be given at once.",
       1,
       1,
       {{"--out", "model.json", false,
         "with a PROJECT and --run: the run's trained model as a TF.js / Keras 2 model.json "
         "with weights"},
        {"--keras3", "FILE.json", false, "the model as Keras 3 model.to_json() JSON"},
        {"--python", "FILE.py", false,
         "a runnable Keras training script (model, compile settings, data loading, callbacks, "
         "MirroredStrategy)"},
        {"--keras", "FILE.keras", false,
         "a Keras 3 .keras archive (config.json with compile_config, model.weights.h5)"},
        {"--h5", "FILE.h5", false,
         "a Keras 2 .h5 model (model_config, model_weights, training_config and the run's "
         "optimizer_weights)"},
        {"--weights-h5", "FILE.weights.h5", false, "the weights only, Keras 3 save_weights layout"},
        {"--flatten-blocks", nullptr, false,
         "write the model's blocks as plain layers (default: each block a nested Functional "
         "model in --keras, --keras3, --h5 and --weights-h5)"},
        {"--onnx", "FILE.onnx", false,
         "an ONNX model (opset 13) with the trained weights; channels_last inputs and outputs"},
        {"--tensorboard", "DIR", false,
         "with a PROJECT: every run's metrics (or --run's) as TensorBoard event files in "
         "DIR/run-N/train and DIR/run-N/validation"},
        {"--run", "RUN", false, "run id (see `tessel runs`)"},
        {"--model", "NAME", false, "with a PROJECT: the model to export (default: the first)"},
        {"--checkpoint", "best|last", false, "which checkpoint of the run (default best)"}},
       cmdExportAll},
  };
  return table;
}

const CommandSpec* findCommand(const std::string& name) {
  for (const auto& c : commands())
    if (name == c.name) return &c;
  return nullptr;
}

std::string versionText() {
  return std::string("tessel ") + TESSEL_VERSION;
}

std::string mainHelp() {
  std::ostringstream s;
  s << "Tessel Studio " << TESSEL_VERSION << ": Keras-style neural networks on a native engine.\n\n"
    << "usage: tessel                     open the studio on the bundled example\n"
    << "       tessel <command> [options]\n"
    << "       tessel <command> --help\n"
    << "       tessel --version\n"
    << "       tessel --man                 print the manual page (troff)\n\ncommands:\n";
  for (const auto& c : commands()) {
    std::string name = c.name;
    s << "  " << name << std::string(name.size() < 10 ? 10 - name.size() : 1, ' ') << c.summary
      << "\n";
  }
  return s.str();
}

std::string commandHelp(const CommandSpec& c) {
  std::ostringstream s;
  s << "usage: tessel " << c.name << " " << c.synopsis << "\n\n" << c.summary << ".\n";
  if (c.details) s << wrap(c.details, 0, 0) << "\n";
  s << optionsHelp(c.options);
  return s.str();
}

// troff text: backslashes, hyphens and a leading '.' or '\'' escaped.
std::string troff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

// A man page (troff, man macros) generated from the same command table as the help texts.
std::string manPage() {
  std::ostringstream s;
  s << ".TH TESSEL 1 \"\" \"Tessel Studio " << TESSEL_VERSION << "\" \"User Commands\"\n"
    << ".SH NAME\ntessel \\- Keras\\-style neural networks on a native engine\n"
    << ".SH SYNOPSIS\n.B tessel\n.br\n.B tessel\n.I command\n[options]\n.br\n"
    << ".B tessel \\-\\-help | \\-\\-version | \\-\\-man\n"
    << ".SH DESCRIPTION\nWithout a command, the studio window opens: draw a Functional model as a "
       "node graph, train it and watch its curves. The commands below run the same engine "
       "without a display. Projects (*.tessel) are single SQLite files.\n"
    << ".SH COMMANDS\n";
  for (const auto& c : commands()) {
    s << ".SS \"" << troff(std::string("tessel ") + c.name + " " + c.synopsis) << "\"\n"
      << troff(c.summary) << ".\n";
    if (c.details) s << ".PP\n" << troff(c.details) << "\n";
    for (const auto& o : c.options) {
      s << ".TP\n\\fB" << troff(o.name) << "\\fR";
      if (o.value) s << " \\fI" << troff(o.value) << "\\fR";
      s << "\n" << troff(std::string(o.help) + (o.repeatable ? " (repeatable)" : "")) << "\n";
    }
  }
  s << ".SH FILES\n.TP\n.I *.tessel\nproject file: models, runs, metrics and checkpoints\n"
    << ".SH SEE ALSO\n.BR tensorboard (1)\n";
  return s.str();
}

// ---- entry point ---------------------------------------------------------------------------

int runCli(const std::vector<std::string>& args) {
  return runReportingErrors("tessel", [&] {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      if (args.size() > 1 && args[0] == "help") {
        const CommandSpec* c = findCommand(args[1]);
        if (!c) throw UsageError("unknown command '" + args[1] + "' (see 'tessel --help')");
        std::cout << commandHelp(*c);
        return 0;
      }
      std::cout << mainHelp();
      return 0;
    }
    if (args[0] == "--man") {
      std::cout << manPage();
      return 0;
    }
    if (args[0] == "--version" || args[0] == "-V") {
      std::cout << versionText() << std::endl;
      return 0;
    }
    const CommandSpec* command = findCommand(args[0]);
    if (!command) {
      if (args[0].size() > 1 && args[0][0] == '-')
        throw UsageError("unknown option '" + args[0] + "' (see 'tessel --help')");
      throw UsageError("unknown command '" + args[0] + "' (see 'tessel --help')");
    }
    Args parsed(*command, std::vector<std::string>(args.begin() + 1, args.end()));
    if (parsed.helpRequested() || !command->run) {
      std::cout << commandHelp(*command);
      return 0;
    }
    int rc = command->run(parsed);
    std::cout.flush();
    return rc;
  });
}

}  // namespace tessel::app
