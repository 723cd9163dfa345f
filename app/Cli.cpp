#include "app/Cli.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <new>
#include <sstream>

#include "app/BenchRegistry.h"
#include "app/CliSupport.h"
#include "app/CmdPredictImage.h"

#ifndef TESSEL_VERSION
#define TESSEL_VERSION "0.0.0"
#endif

namespace tessel::app {

int cmdExportAll(const Args& args);  // CmdExport.cpp

namespace {

// Options shared by several sub-commands.
const OptionSpec kData{"--data", "NAME", false,
                       "built-in data set: fashion-mnist (Debian's dataset-fashion-mnist; the "
                       "seed's split: first 5000 training images for validation, StandardScaler)"};
const OptionSpec kX{"--x", "FILE.npy", true,
                    "model input as a .npy array, one per model input, in input order"};
const OptionSpec kY{"--y", "FILE.npy", true,
                    "targets as a .npy array, one per model output, in output order"};
const OptionSpec kBatch{"--batch-size", "N", false, "samples per batch (default 32)"};
const OptionSpec kThreads{"--threads", "N", false, "compute threads (default: all cores)"};

// `text` wrapped at 100 columns; continuation lines start with `indent` spaces.
std::string wrap(const std::string& text, size_t indent, size_t firstColumn) {
  std::string out, word;
  size_t column = firstColumn;
  std::istringstream words(text);
  bool first = true;
  while (words >> word) {
    if (!first && column + 1 + word.size() > 100) {
      out += '\n';
      out.append(indent, ' ');
      column = indent;
    } else if (!first) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    first = false;
  }
  return out;
}

}  // namespace

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
      {"train",
       "MODEL (--data NAME | --x FILE.npy... --y FILE.npy...) [options]",
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
        {"--epochs", "N", false, "number of epochs (default 1)"},
        kBatch,
        {"--validation-split", "F", false,
         "fraction of the training data held out for validation, taken from the end (0 to <1)"},
        {"--optimizer", "NAME", false, optimizerOptionHelp()},
        {"--lr", "F", false, "learning rate"},
        {"--loss", "NAME", false, lossOptionHelp()},
        {"--metrics", "A,B", false, metricsOptionHelp()},
        {"--seed", "N", false, "seed for initialisation, shuffling and dropout (default 0)"},
        {"--no-shuffle", nullptr, false, "do not shuffle the training data each epoch"},
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
        {"--run-name", "NAME", false, "with a PROJECT: the run's name (default: run N)"}},
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
        kBatch,
        {"--loss", "NAME", false, "loss, when the model has no training_config"},
        {"--metrics", "A,B", false, "metrics, when the model has no training_config"},
        kThreads},
       cmdEvaluate},
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
        kThreads},
       cmdPredictAny},
      {"bench",
       "NAME [options]",
       "measure training speed on a built-in benchmark",
       "The last line printed is `samples_per_s=N` (`gflops_peak=N` for sgemm).",
       1,
       1,
       {{"--samples", "N", false, "training samples per epoch (default 55000)"},
        {"--epochs", "N", false, "number of epochs (default 1)"},
        kThreads,
        {"--images", "N", false, "imagefolder: images in the generated folder (default 100000)"},
        {"--size", "S", false, "imagefolder: images are read as SxS grayscale (default 28)"},
        {"--cache-mb", "M", false, "imagefolder: bound of the image cache in MB (default 64)"},
        {"--dir", "DIR", false,
         "imagefolder: the generated folder, reused when it holds N images (default "
         "/tmp/tessel-bench-imagefolder-N)"},
        {"--eager", nullptr, false,
         "imagefolder: gather every image into memory (uint8) before training, for comparison"},
        {"--batch-size", "N", false, "imagefolder: samples per batch (default 32)"}},
       cmdBench},
      {"new", "PROJECT", "create an empty project file (*.tessel)", nullptr, 1, 1, {}, cmdNew},
      {"import",
       "PROJECT MODEL",
       "add a Keras/TF.js model.json to a project",
       "The model's training_config becomes its compile settings.",
       2,
       2,
       {{"--name", "NAME", false, "model name in the project (default: the model's name)"}},
       cmdImport},
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
      {"export",
       "PROJECT|MODEL.json (--out|--keras3|--python|--onnx|--tensorboard) FILE [options]",
       "export a model or run: Keras 2/3 JSON, Python script, ONNX, TensorBoard logs",
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
  if (std::string(c.name) == "bench") {
    s << "\nbenchmarks:\n";
    for (const auto& b : benchRegistry())
      s << "  " << b.name << std::string(b.name.size() < 12 ? 12 - b.name.size() : 1, ' ')
        << wrap(b.description, 14, 14) << "\n";
  }
  if (!c.options.empty()) {
    s << "\noptions:\n";
    for (const auto& o : c.options) {
      std::string left = std::string(o.name) + (o.value ? std::string(" ") + o.value : "");
      if (left.size() > 27)
        left += "\n" + std::string(28, ' ');
      else
        left += std::string(28 - left.size(), ' ');
      s << "  " << left << wrap(std::string(o.help) + (o.repeatable ? " (repeatable)" : ""), 30, 30)
        << "\n";
    }
  }
  s << "  --help" << std::string(22, ' ') << "show this help\n";
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

// ---- Args ----------------------------------------------------------------------------------

Args::Args(const CommandSpec& command, const std::vector<std::string>& argv)
    : command_(&command), raw_(argv) {
  std::string cmd = command.name;
  bool onlyPositional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string a = argv[i];
    if (onlyPositional || a.size() < 2 || a[0] != '-' || a == "-") {
      positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      onlyPositional = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      help_ = true;
      continue;
    }
    std::string name = a, inlineValue;
    bool hasInline = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq), inlineValue = a.substr(eq + 1), hasInline = true;
    }
    auto it = std::find_if(command.options.begin(), command.options.end(),
                           [&](const OptionSpec& o) { return name == o.name; });
    if (it == command.options.end())
      throw UsageError(cmd + ": unknown option '" + name + "' (see 'tessel " + cmd + " --help')");
    if (!it->repeatable && values_.count(name))
      throw UsageError(cmd + ": option " + name + " given twice");
    if (!it->value) {
      if (hasInline) throw UsageError(cmd + ": option " + name + " takes no value");
      values_[name].push_back("");
      continue;
    }
    if (!hasInline) {
      if (i + 1 >= argv.size())
        throw UsageError(cmd + ": option " + name + " needs a value (" + it->value + ")");
      inlineValue = argv[++i];
    }
    values_[name].push_back(inlineValue);
  }
  if (help_) return;
  int n = static_cast<int>(positional_.size());
  if (n < command.minPositional)
    throw UsageError(cmd + ": missing argument (usage: tessel " + cmd + " " + command.synopsis +
                     ")");
  if (n > command.maxPositional)
    throw UsageError(cmd + ": unexpected argument '" + positional_[command.maxPositional] + "'");
}

std::string Args::value(const std::string& option, const std::string& fallback) const {
  auto it = values_.find(option);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::values(const std::string& option) const {
  auto it = values_.find(option);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

long long Args::intValue(const std::string& option, long long fallback, long long min,
                         long long max) const {
  if (!has(option)) return fallback;
  std::string v = value(option);
  long long out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || v.empty())
    throw UsageError(std::string(command_->name) + ": " + option + ": expected an integer, got '" +
                     v + "'");
  if (out < min || out > max)
    throw UsageError(std::string(command_->name) + ": " + option + " must be in [" +
                     std::to_string(min) + ", " + std::to_string(max) + "], got " + v);
  return out;
}

double Args::doubleValue(const std::string& option, double fallback, double min, double max) const {
  if (!has(option)) return fallback;
  std::string v = value(option);
  double out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || v.empty() || !std::isfinite(out))
    throw UsageError(std::string(command_->name) + ": " + option + ": expected a number, got '" +
                     v + "'");
  if (out < min || out > max) {
    std::ostringstream s;
    s << command_->name << ": " << option << " must be in [" << min << ", " << max << "], got "
      << v;
    throw UsageError(s.str());
  }
  return out;
}

// ---- entry point ---------------------------------------------------------------------------

namespace {

// One line: newlines in an exception message become "; ".
std::string oneLine(std::string m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r' || m.back() == ' ')) m.pop_back();
  std::string out;
  for (char ch : m) {
    if (ch == '\n') {
      out += "; ";
    } else if (ch != '\r') {
      out += ch;
    }
  }
  return out.empty() ? "unknown error" : out;
}

int fail(int code, const std::string& message) {
  std::cout.flush();
  std::cerr << "tessel: error: " << oneLine(message) << std::endl;
  return code;
}

}  // namespace

int runCli(const std::vector<std::string>& args) {
  try {
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
  } catch (const UsageError& e) {
    return fail(2, e.what());
  } catch (const std::bad_alloc&) {
    return fail(1, "out of memory");
  } catch (const std::exception& e) {
    return fail(1, e.what());
  } catch (...) {
    return fail(1, "unexpected failure");
  }
}

}  // namespace tessel::app
