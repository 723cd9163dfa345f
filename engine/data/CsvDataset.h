#pragma once
// Importing a delimited text table (CSV / TSV / whitespace, plain or .gz) as model inputs, with
// per-column roles and types as Keras's tf.feature_column:
//   numeric_column            -> 1 value, standardised with the TRAINING split's mean and std
//                                (population std, std 0 -> 1, as sklearn's StandardScaler)
//   categorical_column_with_vocabulary_list (+ indicator_column or the id itself)
//                             -> one-hot over vocabulary + num_oov_buckets, or the index as 1 value
//   crossed_column(keys, hash_bucket_size) (+ indicator_column or the id)
//                             -> one-hot over hash_bucket_size, or the bucket id as 1 value
// Hashing (ours, documented because TF's FarmHash Fingerprint64 is not reproduced): 64-bit FNV-1a
// over the value's bytes as written in the file (trimmed):
//   out-of-vocabulary id = vocabulary_size + fnv1a64(value) % num_oov_buckets
//   crossed id           = fnv1a64(v1 + "_X_" + v2 [+ "_X_" + v3 ...]) % hash_bucket_size
// A learned vocabulary (none given) is the sorted set of the training split's values (features)
// or of all rows' values (categorical labels, which become class ids 0..K-1).
//
// The file is read as a stream, record by record (never whole). Rows that do not fit (a wrong
// number of fields, text in a numeric column, a missing value without a default, an unknown label)
// are reported with file:line; BadRows::Refuse throws Error on the first one (nothing is returned,
// so nothing is half-imported), BadRows::Skip leaves them out and lists them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/Array.h"

namespace tessel {

// The table's layout, given or detected by sniffCsv().
struct CsvFormat {
  char delimiter = ',';                  // ',', ';', '\t', '|' or ' ' (runs of blanks)
  bool header = false;                   // the first table line names the columns
  int skipLines = 0;                     // lines before the table (e.g. scikit-learn's first line)
  std::vector<std::string> columnNames;  // from the header, else "column_0", "column_1", ...
  // scikit-learn's bundled CSVs start with "n_samples,n_features,class names..." (iris, wine,
  // breast cancer): detected, skipped, and kept here.
  bool sklearnHeader = false;
  Index sklearnSamples = 0, sklearnFeatures = 0;
  std::vector<std::string> classNames;
  // Per column: every non-missing value of the sniffed rows is a number.
  std::vector<bool> numeric;
};

// Detects delimiter, header, scikit-learn's first line and column types from the first
// `sampleLines` non-blank lines. Delimiter: the candidate (',', '\t', ';', '|', then ' ') that
// splits every sampled line into the same number (> 1) of fields; header: the first line has a
// non-numeric value in a column whose other sampled values are all numbers (or, when every column
// is text, its values are all distinct from the rest of their columns). Throws Error naming the
// file when nothing fits.
CsvFormat sniffCsv(const std::string& path, const std::vector<std::string>& naValues = {""},
                   int sampleLines = 50);

enum class ColumnRole { Feature, Label, Ignore };
enum class ColumnType { Numeric, Categorical };
enum class CategoricalEncoding { OneHot, Index };
enum class BadRows { Refuse, Skip };

struct CsvColumnSpec {
  std::string name;  // a column name of the format (header or "column_<i>")
  ColumnRole role = ColumnRole::Feature;
  ColumnType type = ColumnType::Numeric;
  bool standardize = true;                // numeric features
  std::optional<double> defaultValue{};   // numeric: replaces a missing value (na_value)
  std::vector<std::string> vocabulary{};  // categorical: empty = learned
  int numOovBuckets = 0;                  // categorical features
  CategoricalEncoding encoding = CategoricalEncoding::OneHot;  // categorical features
};

struct CrossedColumnSpec {
  std::vector<std::string> keys;  // column names (>= 2)
  int hashBucketSize = 0;         // > 0
  CategoricalEncoding encoding = CategoricalEncoding::OneHot;
};

struct CsvSpec {
  std::optional<CsvFormat> format;           // empty = sniffCsv()
  std::vector<std::string> naValues = {""};  // e.g. {"", "?"}
  // Columns used, in this order (features go into x in this order, labels into y). Columns not
  // listed are ignored. Empty = the suggestion of suggestCsvSpec (last column the label).
  std::vector<CsvColumnSpec> columns;
  std::vector<CrossedColumnSpec> crossed;  // appended to x after the columns
  BadRows badRows = BadRows::Refuse;
  std::vector<double> fractions = {1.0, 0.0, 0.0};  // train, validation, test (Split.h rules)
  std::uint64_t seed = 0;
  Index maxRows = -1;  // >= 0: stop after that many good rows (previews)

  nlohmann::json toJson() const;
  static CsvSpec fromJson(const nlohmann::json& j);  // throws Error on bad values
};

// The sniffed format plus: every numeric column a numeric feature, every text column a one-hot
// categorical feature with a learned vocabulary, the last column the label (categorical when text).
CsvSpec suggestCsvSpec(const std::string& path, const std::vector<std::string>& naValues = {""});

struct CsvIssue {
  std::string file;
  std::int64_t line = 0;
  std::string message;
  std::string text() const { return file + ":" + std::to_string(line) + ": " + message; }
};

struct CsvImport {
  CsvFormat format;
  Array x, y;  // every kept row: x float32 (N, featureWidth()), y float32 (N, labels)
  std::vector<Index> trainRows, validRows, testRows;  // row indices of the split
  std::vector<std::string> featureNames;  // one per x column: "age", "color=red", "color#oov0"...
  std::vector<std::string> labelNames;
  // Per feature column (spec order, features only): the fitted statistics / vocabulary.
  struct Fitted {
    std::string name;
    double mean = 0, scale = 1;           // numeric (scale = std, 1 when not standardised)
    std::vector<std::string> vocabulary;  // categorical
  };
  std::vector<Fitted> fitted;
  std::vector<std::vector<std::string>> labelVocabularies;  // per label (empty when numeric)
  std::vector<std::int64_t> rowLines;                       // source line of each kept row
  std::vector<CsvIssue> issues;                             // skipped rows (BadRows::Skip)
  Index skippedRows = 0;
  Index featureWidth() const { return x.rank() == 2 ? x.shape()[1] : 0; }
  Array part(const Array& a, const std::vector<Index>& rows) const { return a.takeRows(rows); }
};

CsvImport importCsv(const std::string& path, const CsvSpec& spec);

// The first `rows` records as text (after the header), and the encoding of the first `rows`
// kept rows with statistics/vocabularies fitted on at most `scanRows` rows (the whole file when
// scanRows < 0): exact when the file has at most scanRows rows.
struct CsvPreview {
  CsvFormat format;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::int64_t> lines;
  Array x, y;  // the encoded rows
  std::vector<std::string> featureNames;
  Index featureWidth = 0;
  std::vector<CsvIssue> issues;
};
CsvPreview previewCsv(const std::string& path, const CsvSpec& spec, int rows = 10,
                      Index scanRows = 10000);

// 64-bit FNV-1a (offset basis 14695981039346656037, prime 1099511628211).
std::uint64_t fnv1a64(const std::string& s);

}  // namespace tessel
