#pragma once
// qtfree: the Qt Test subset the engine tests use (QCOMPARE with Qt's fuzzy float/double compare,
// QVERIFY, QVERIFY2, QVERIFY_THROWS_EXCEPTION, QFAIL, QSKIP, data-driven tests with QFETCH,
// QTest::addColumn / newRow / addRow, QTEST_APPLESS_MAIN), for building them without Qt 6.
// There is no moc: tests/support/qtfree/qtfree_gen.cpp reads the test source and writes the
// `tst_<name>.moc` that the source includes at its end; that file specialises qtfree::Access for
// the test class and defines qtfree_main(), which runs the private slots in declaration order.
// Output and exit code follow Qt Test: PASS/FAIL!/SKIP lines, file(line) locations, compared
// values, a Totals line, and the number of failed functions as exit code.
#include <any>
#include <chrono>
#include <deque>
#include <functional>
#include <stdexcept>
#include <thread>
#include <typeindex>
#include <typeinfo>

#include "QtFreeCore.h"
#include "QtFreeIo.h"  // <QtTest> brings in QtCore, as in Qt

namespace qtfree {

struct Column {
  std::string name;
  std::type_index type;
  std::string typeName;
};

struct Row {
  std::string tag;
  std::vector<std::any> values;
};

// Thrown for misuse of the data table (type mismatch, unknown column); reported as a failure.
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace qtfree

class QTestData {
 public:
  QTestData(std::string tag, std::vector<qtfree::Column>* columns)
      : row_{std::move(tag), {}}, columns_(columns) {}
  template <typename T>
  void append(const T& value) {
    const size_t i = row_.values.size();
    if (i >= columns_->size())
      throw qtfree::DataError("QTestData: more values than columns in row \"" + row_.tag + "\"");
    const qtfree::Column& c = (*columns_)[i];
    if (c.type != std::type_index(typeid(T)))
      throw qtfree::DataError("QTestData: type mismatch in row \"" + row_.tag + "\", column \"" +
                              c.name + "\"");
    row_.values.emplace_back(value);
  }
  const qtfree::Row& row() const { return row_; }
  const char* dataTag() const { return row_.tag.c_str(); }
  int dataCount() const { return int(row_.values.size()); }

 private:
  qtfree::Row row_;
  std::vector<qtfree::Column>* columns_;
};

template <typename T>
QTestData& operator<<(QTestData& data, const T& value) {
  data.append<T>(value);
  return data;
}
// As in Qt, a C string goes into the row as a QString.
inline QTestData& operator<<(QTestData& data, const char* value) {
  data.append<QString>(QString(value));
  return data;
}

namespace qtfree {

class Runner {
 public:
  using Fn = std::function<void()>;

  Runner(const char* className, int argc, char** argv) : className_(className) {
    for (int i = 1; i < argc; ++i)
      if (argv[i][0] != '-') filters_.push_back(argv[i]);
    current() = this;
    messageHook() = &Runner::onMessage;
  }
  ~Runner() {
    messageHook() = nullptr;
    current() = nullptr;
  }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  static Runner*& current() {
    static Runner* r = nullptr;
    return r;
  }

  Fn initTestCase, cleanupTestCase, init, cleanup;
  void add(const char* name, Fn data, Fn test) {
    tests_.push_back({name, std::move(data), std::move(test)});
  }

  int exec() {
    const auto start = std::chrono::steady_clock::now();
    for (const std::string& f : filters_) {
      const std::string name = f.substr(0, f.find(':'));
      bool known = false;
      for (const Test& t : tests_) known = known || t.name == name;
      if (!known) {
        std::printf("Unknown test function: '%s'. Possible matches:\n", name.c_str());
        for (const Test& t : tests_) std::printf("%s()\n", t.name.c_str());
        return 1;
      }
    }
    std::printf("********* Start testing of %s *********\n", className_.c_str());
    std::printf("Config: qtfree (the Qt Test subset of tests/support/qtfree, built without Qt)\n");
    std::fflush(stdout);
    // A failing or skipping initTestCase skips every test function; cleanupTestCase still runs.
    const bool caseOk = runOnce("initTestCase", "", initTestCase, Fn(), Fn());
    if (caseOk) {
      for (const Test& t : tests_) {
        if (!selected(t.name, nullptr)) continue;
        runTest(t);
      }
    }
    runOnce("cleanupTestCase", "", cleanupTestCase, Fn(), Fn());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("Totals: %d passed, %d failed, %d skipped, 0 blacklisted, %.0fms\n", passed_,
                failedCount_, skipped_, ms);
    std::printf("********* Finished testing of %s *********\n", className_.c_str());
    std::fflush(stdout);
    return std::min(failedCount_, 127);
  }

  // --- called through the QTest functions and macros ---
  std::vector<Column>& columns() { return columns_; }
  QTestData& newRow(std::string tag) {
    if (columns_.empty())
      throw DataError("QTest::newRow(): no columns defined (call QTest::addColumn first)");
    rows_.emplace_back(std::move(tag), &columns_);
    return rows_.back();
  }
  template <typename T>
  const T& fetch(const char* name) const {
    if (!row_)
      throw DataError(std::string("QFETCH(") + name + "): no data row (no _data function?)");
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].name != name) continue;
      if (i >= row_->values.size())
        throw DataError(std::string("QFETCH(") + name + "): row \"" + row_->tag +
                        "\" has no value");
      const T* v = std::any_cast<T>(&row_->values[i]);
      if (!v)
        throw DataError(std::string("QFETCH(") + name + "): requested type does not match column");
      return *v;
    }
    throw DataError(std::string("QFETCH(): unknown column \"") + name + "\"");
  }
  void fail(const std::string& message, const char* file, int line) {
    failed_ = true;
    std::printf("FAIL!  : %s %s\n", where().c_str(), message.c_str());
    if (file) std::printf("   Loc: [%s(%d)]\n", file, line);
    std::fflush(stdout);
  }
  void skip(const std::string& message, const char* file, int line) {
    if (failed_) return;
    skippedNow_ = true;
    std::printf("SKIP   : %s %s\n", where().c_str(), message.c_str());
    if (file) std::printf("   Loc: [%s(%d)]\n", file, line);
    std::fflush(stdout);
  }
  const std::string& function() const { return function_; }
  const std::string& tag() const { return tag_; }
  bool failed() const { return failed_; }

 private:
  struct Test {
    std::string name;
    Fn data, test;
  };

  static void onMessage(const char* kind, const std::string& text) {
    Runner* r = current();
    std::string k = kind;
    k.resize(std::max<size_t>(k.size(), 6), ' ');
    if (r && !r->function_.empty())
      std::printf("%s : %s %s\n", k.c_str(), r->where().c_str(), text.c_str());
    else
      std::printf("%s : %s\n", k.c_str(), text.c_str());
    std::fflush(stdout);
  }

  std::string where() const { return className_ + "::" + function_ + "(" + tag_ + ")"; }

  bool selected(const std::string& name, const char* tag) const {
    if (filters_.empty()) return true;
    for (const std::string& f : filters_) {
      const size_t colon = f.find(':');
      if (f.substr(0, colon) != name) continue;
      if (!tag || colon == std::string::npos || f.substr(colon + 1) == tag) return true;
    }
    return false;
  }

  // Runs fn, turning escaped exceptions into failures. False when the call failed or skipped.
  bool guarded(const Fn& fn) {
    if (!fn) return true;
    try {
      fn();
    } catch (const DataError& e) {
      fail(e.what(), nullptr, 0);
    } catch (const std::exception& e) {
      fail(std::string("Caught unhandled exception: ") + e.what(), nullptr, 0);
    } catch (...) {
      fail("Caught unhandled exception", nullptr, 0);
    }
    return !failed_ && !skippedNow_;
  }

  // One invocation (init, body, cleanup) reported as one PASS / FAIL! / SKIP.
  bool runOnce(const std::string& name, const std::string& tag, const Fn& body, const Fn& before,
               const Fn& after) {
    function_ = name;
    tag_ = tag;
    failed_ = false;
    skippedNow_ = false;
    if (guarded(before)) guarded(body);
    const bool skippedByBody = skippedNow_;
    skippedNow_ = false;
    guarded(after);
    skippedNow_ = skippedNow_ || skippedByBody;
    const bool ok = !failed_ && !skippedNow_;
    if (failed_) {
      ++failedCount_;
    } else if (skippedNow_) {
      ++skipped_;
    } else {
      ++passed_;
      std::printf("PASS   : %s\n", where().c_str());
      std::fflush(stdout);
    }
    function_.clear();
    tag_.clear();
    return ok;
  }

  void runTest(const Test& t) {
    columns_.clear();
    rows_.clear();
    row_ = nullptr;
    if (t.data) {
      function_ = t.name;
      tag_.clear();
      failed_ = false;
      skippedNow_ = false;
      if (!guarded(t.data)) {
        // The data function failed or skipped: the test function does not run.
        if (failed_)
          ++failedCount_;
        else
          ++skipped_;
        function_.clear();
        return;
      }
      if (rows_.empty()) {
        skip("No data available for this test", nullptr, 0);
        ++skipped_;
        function_.clear();
        return;
      }
      for (const QTestData& d : rows_) {
        if (!selected(t.name, d.dataTag())) continue;
        row_ = &d.row();
        runOnce(t.name, d.dataTag(), t.test, init, cleanup);
        row_ = nullptr;
      }
    } else {
      runOnce(t.name, "", t.test, init, cleanup);
    }
  }

  std::string className_;
  std::vector<std::string> filters_;
  std::vector<Test> tests_;
  std::vector<Column> columns_;
  std::deque<QTestData> rows_;  // a deque: newRow() references stay valid
  const Row* row_ = nullptr;
  std::string function_, tag_;
  bool failed_ = false, skippedNow_ = false;
  int passed_ = 0, failedCount_ = 0, skipped_ = 0;
};

inline Runner& runner() {
  if (!Runner::current()) {
    std::fprintf(stderr, "qtfree: QTest function called outside a test run\n");
    std::abort();
  }
  return *Runner::current();
}

// --- printing compared values (nullptr-like empty optional when a type has no printer) ---
template <typename T>
concept Streamable = requires(std::ostream& os, const T& t) {
  os << t;
};
template <typename T>
concept Range = requires(const T& t) {
  t.begin();
  t.end();
};

template <typename T>
bool toText(const T& t, std::string& out);

// Built with append: GCC 12 reports a false -Wrestrict for "\"" + std::string(s) at -O3.
inline void quoteText(std::string_view s, std::string& out) {
  out.clear();
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s.data(), s.size());
  out.push_back('"');
}

template <typename T>
bool toText(const T& t, std::string& out) {
  using D = std::remove_cvref_t<T>;
  char buf[64];
  if constexpr (std::is_same_v<D, QString>) {
    ::qtfree::quoteText(t.std(), out);
  } else if constexpr (std::is_same_v<D, QByteArray>) {
    ::qtfree::quoteText(t.std(), out);
  } else if constexpr (std::is_same_v<D, std::string> || std::is_same_v<D, std::string_view>) {
    ::qtfree::quoteText(t, out);
  } else if constexpr (std::is_array_v<D> &&
                       std::is_same_v<std::remove_cv_t<std::remove_extent_t<D>>, char>) {
    ::qtfree::quoteText(t, out);
  } else if constexpr (std::is_same_v<D, const char*> || std::is_same_v<D, char*>) {
    if (t)
      ::qtfree::quoteText(t, out);
    else
      out.assign("(null)");
  } else if constexpr (std::is_same_v<D, bool>) {
    out = t ? "true" : "false";
  } else if constexpr (std::is_same_v<D, char>) {
    out.assign({'\'', t, '\''});
  } else if constexpr (std::is_same_v<D, float>) {
    std::snprintf(buf, sizeof buf, "%.9g", double(t));
    out = buf;
  } else if constexpr (std::is_floating_point_v<D>) {
    std::snprintf(buf, sizeof buf, "%.17g", double(t));
    out = buf;
  } else if constexpr (std::is_integral_v<D>) {
    out = std::to_string(t);
  } else if constexpr (std::is_enum_v<D>) {
    out = std::to_string(static_cast<std::underlying_type_t<D>>(t));
  } else if constexpr (std::is_pointer_v<D> || std::is_null_pointer_v<D>) {
    std::snprintf(buf, sizeof buf, "%p", static_cast<const volatile void*>(t));
    out = buf;
  } else if constexpr (Streamable<D>) {
    std::ostringstream os;
    os << t;
    out = os.str();
  } else if constexpr (Range<D>) {
    out.assign(1, '(');
    size_t n = 0;
    for (const auto& e : t) {
      std::string s;
      if (!::qtfree::toText(e, s)) return false;
      if (n) out.append(", ", 2);
      if (n == 64) {
        out.append("...", 3);
        break;
      }
      out.append(s);
      ++n;
    }
    out.push_back(')');
  } else {
    return false;
  }
  return true;
}

inline bool compareHelper(bool success, const char* failureMsg, bool printable,
                          const std::string& a, const std::string& e, const char* actual,
                          const char* expected, const char* file, int line) {
  if (success) return true;
  std::string msg = failureMsg;
  if (printable) {
    const size_t w = std::max(std::strlen(actual), std::strlen(expected));
    msg += "\n   Actual   (" + std::string(actual) + ")" +
           std::string(w - std::strlen(actual), ' ') + ": " + a;
    msg += "\n   Expected (" + std::string(expected) + ")" +
           std::string(w - std::strlen(expected), ' ') + ": " + e;
  }
  runner().fail(msg, file, line);
  return false;
}

template <typename T1, typename T2>
bool compareValues(bool success, const char* failureMsg, const T1& t1, const T2& t2,
                   const char* actual, const char* expected, const char* file, int line) {
  if (success) return true;
  std::string a, e;
  const bool printable = toText(t1, a) && toText(t2, e);
  return compareHelper(false, failureMsg, printable, a, e, actual, expected, file, line);
}

// Qt Test's floating-point QCOMPARE: infinities and NaN compare by class, an expected value
// that is fuzzily zero needs a fuzzily zero actual value, anything else uses qFuzzyCompare.
template <typename T>
bool floatingCompare(T actual, T expected) {
  switch (std::fpclassify(expected)) {
    case FP_INFINITE:
      return (expected < 0) == (actual < 0) && std::fpclassify(actual) == FP_INFINITE;
    case FP_NAN:
      return std::fpclassify(actual) == FP_NAN;
    case FP_SUBNORMAL:
    case FP_ZERO:
      return qFuzzyIsNull(actual);
    default:
      if (!qFuzzyIsNull(expected)) return qFuzzyCompare(actual, expected);
      return qFuzzyIsNull(actual);
  }
}

inline std::string textOf(const char* s) {
  return s ? s : "";
}
inline std::string textOf(const QString& s) {
  return s.std();
}
inline std::string textOf(const std::string& s) {
  return s;
}

}  // namespace qtfree

namespace QTest {

template <typename T>
void addColumn(const char* name, T* = nullptr) {
  qtfree::runner().columns().push_back({name, std::type_index(typeid(T)), typeid(T).name()});
}
inline QTestData& newRow(const char* dataTag) {
  return qtfree::runner().newRow(dataTag);
}
inline QTestData& addRow(const char* format, ...) __attribute__((format(printf, 1, 2)));
inline QTestData& addRow(const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  std::string tag = qtfree::vformat(format, ap);
  va_end(ap);
  return qtfree::runner().newRow(tag);
}

inline bool qVerify(bool statement, const char* statementStr, const char* description,
                    const char* file, int line) {
  if (statement) return true;
  std::string msg = std::string("'") + statementStr + "' returned FALSE.";
  msg += " (" + std::string(description ? description : "") + ")";
  qtfree::runner().fail(msg, file, line);
  return false;
}
inline void qFail(const char* message, const char* file, int line) {
  qtfree::runner().fail(message ? message : "", file, line);
}
inline void qSkip(const char* message, const char* file, int line) {
  qtfree::runner().skip(message ? message : "", file, line);
}
inline void qCaught(const char* expected, const char* what, const char* file, int line) {
  std::string msg =
      expected ? std::string("Expected exception of type ") + expected + " to be thrown but "
               : std::string("Expected no exception to be thrown, but ");
  msg += what ? std::string("std::exception caught with message: ") + what
              : std::string("unknown exception caught");
  qtfree::runner().fail(msg, file, line);
}
inline const char* currentTestFunction() {
  return qtfree::runner().function().c_str();
}
inline const char* currentDataTag() {
  return qtfree::runner().tag().empty() ? nullptr : qtfree::runner().tag().c_str();
}
inline bool currentTestFailed() {
  return qtfree::runner().failed();
}
inline void qSleep(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// Like Qt's: a new[]-allocated string the caller deletes, or nullptr when T has no printer.
template <typename T>
char* toString(const T& t) {
  std::string s;
  if (!qtfree::toText(t, s)) return nullptr;
  char* r = new char[s.size() + 1];
  std::memcpy(r, s.c_str(), s.size() + 1);
  return r;
}

template <typename T1, typename T2>
bool qCompare(const T1& t1, const T2& t2, const char* actual, const char* expected,
              const char* file, int line) {
  return qtfree::compareValues(t1 == t2, "Compared values are not the same", t1, t2, actual,
                               expected, file, line);
}
inline bool qCompare(const float& t1, const float& t2, const char* actual, const char* expected,
                     const char* file, int line) {
  return qtfree::compareValues(qtfree::floatingCompare(t1, t2),
                               "Compared floats are not the same (fuzzy compare)", t1, t2, actual,
                               expected, file, line);
}
inline bool qCompare(const double& t1, const double& t2, const char* actual, const char* expected,
                     const char* file, int line) {
  return qtfree::compareValues(qtfree::floatingCompare(t1, t2),
                               "Compared doubles are not the same (fuzzy compare)", t1, t2, actual,
                               expected, file, line);
}
inline bool qCompare(const double& t1, const float& t2, const char* actual, const char* expected,
                     const char* file, int line) {
  return qCompare(double(t1), double(t2), actual, expected, file, line);
}
inline bool qCompare(const float& t1, const double& t2, const char* actual, const char* expected,
                     const char* file, int line) {
  return qCompare(double(t1), double(t2), actual, expected, file, line);
}
inline bool qCompare(const char* t1, const char* t2, const char* actual, const char* expected,
                     const char* file, int line) {
  const bool same = (!t1 && !t2) || (t1 && t2 && std::strcmp(t1, t2) == 0);
  return qtfree::compareValues(same, "Compared strings are not the same", t1, t2, actual, expected,
                               file, line);
}
inline bool qCompare(char* t1, char* t2, const char* actual, const char* expected, const char* file,
                     int line) {
  return qCompare(static_cast<const char*>(t1), static_cast<const char*>(t2), actual, expected,
                  file, line);
}
inline bool qCompare(char* t1, const char* t2, const char* actual, const char* expected,
                     const char* file, int line) {
  return qCompare(static_cast<const char*>(t1), t2, actual, expected, file, line);
}
inline bool qCompare(const char* t1, char* t2, const char* actual, const char* expected,
                     const char* file, int line) {
  return qCompare(t1, static_cast<const char*>(t2), actual, expected, file, line);
}
template <typename T>
bool qCompare(const T* t1, const T* t2, const char* actual, const char* expected, const char* file,
              int line) {
  return qtfree::compareValues(t1 == t2, "Compared pointers are not the same", t1, t2, actual,
                               expected, file, line);
}
template <typename T>
bool qCompare(T* t1, T* t2, const char* actual, const char* expected, const char* file, int line) {
  return qCompare(const_cast<const T*>(t1), const_cast<const T*>(t2), actual, expected, file, line);
}
template <typename T>
bool qCompare(T* t1, std::nullptr_t, const char* actual, const char* expected, const char* file,
              int line) {
  return qCompare(const_cast<const T*>(t1), static_cast<const T*>(nullptr), actual, expected, file,
                  line);
}
template <typename T>
bool qCompare(std::nullptr_t, T* t2, const char* actual, const char* expected, const char* file,
              int line) {
  return qCompare(static_cast<const T*>(nullptr), const_cast<const T*>(t2), actual, expected, file,
                  line);
}

inline bool reportResult(bool success, const std::string& lhs, const std::string& rhs,
                         bool printable, const char* lhsExpr, const char* rhsExpr, const char* what,
                         const char* file, int line) {
  if (success) return true;
  std::string msg =
      std::string("The computed value is expected to be ") + what + " the baseline, but is not";
  if (printable) {
    const size_t w = std::max(std::strlen(lhsExpr), std::strlen(rhsExpr));
    msg += "\n   Computed (" + std::string(lhsExpr) + ")" +
           std::string(w - std::strlen(lhsExpr), ' ') + ": " + lhs;
    msg += "\n   Baseline (" + std::string(rhsExpr) + ")" +
           std::string(w - std::strlen(rhsExpr), ' ') + ": " + rhs;
  }
  qtfree::runner().fail(msg, file, line);
  return false;
}

}  // namespace QTest

#define QVERIFY(statement)                                                                         \
  do {                                                                                             \
    if (!QTest::qVerify(static_cast<bool>(statement), #statement, "", __FILE__, __LINE__)) return; \
  } while (false)

#define QFAIL(message)                                                   \
  do {                                                                   \
    QTest::qFail(::qtfree::textOf(message).c_str(), __FILE__, __LINE__); \
    return;                                                              \
  } while (false)

#define QVERIFY2(statement, description)                                                      \
  do {                                                                                        \
    if (statement) {                                                                          \
      if (!QTest::qVerify(true, #statement, "", __FILE__, __LINE__)) return;                  \
    } else {                                                                                  \
      if (!QTest::qVerify(false, #statement, ::qtfree::textOf(description).c_str(), __FILE__, \
                          __LINE__))                                                          \
        return;                                                                               \
    }                                                                                         \
  } while (false)

#define QCOMPARE(actual, expected)                                                          \
  do {                                                                                      \
    if (!QTest::qCompare(actual, expected, #actual, #expected, __FILE__, __LINE__)) return; \
  } while (false)

#define QTFREE_COMPARE_OP(lhs, rhs, op, what)                                                      \
  do {                                                                                             \
    if (![](auto&& qt_lhs_arg, auto&& qt_rhs_arg) {                                                \
          std::string qt_l, qt_r;                                                                  \
          const bool qt_p =                                                                        \
              ::qtfree::toText(qt_lhs_arg, qt_l) && ::qtfree::toText(qt_rhs_arg, qt_r);            \
          return QTest::reportResult(qt_lhs_arg op qt_rhs_arg, qt_l, qt_r, qt_p, #lhs, #rhs, what, \
                                     __FILE__, __LINE__);                                          \
        }(lhs, rhs))                                                                               \
      return;                                                                                      \
  } while (false)
#define QCOMPARE_EQ(lhs, rhs) QTFREE_COMPARE_OP(lhs, rhs, ==, "equal to")
#define QCOMPARE_NE(lhs, rhs) QTFREE_COMPARE_OP(lhs, rhs, !=, "different from")
#define QCOMPARE_LT(lhs, rhs) QTFREE_COMPARE_OP(lhs, rhs, <, "less than")
#define QCOMPARE_LE(lhs, rhs) QTFREE_COMPARE_OP(lhs, rhs, <=, "less than or equal to")
#define QCOMPARE_GT(lhs, rhs) QTFREE_COMPARE_OP(lhs, rhs, >, "greater than")
#define QCOMPARE_GE(lhs, rhs) QTFREE_COMPARE_OP(lhs, rhs, >=, "greater than or equal to")

#define QVERIFY_THROWS_EXCEPTION(exceptiontype, ...)                \
  do {                                                              \
    try {                                                           \
      try {                                                         \
        __VA_ARGS__;                                                \
        QTest::qFail("Expected exception of type " #exceptiontype   \
                     " to be thrown but no exception caught",       \
                     __FILE__, __LINE__);                           \
        return;                                                     \
      } catch (const exceptiontype&) {                              \
      }                                                             \
    } catch (const std::exception& e) {                             \
      QTest::qCaught(#exceptiontype, e.what(), __FILE__, __LINE__); \
      return;                                                       \
    } catch (...) {                                                 \
      QTest::qCaught(#exceptiontype, nullptr, __FILE__, __LINE__);  \
      throw;                                                        \
    }                                                               \
  } while (false)

#define QVERIFY_THROWS_NO_EXCEPTION(...)                     \
  do {                                                       \
    try {                                                    \
      __VA_ARGS__;                                           \
    } catch (const std::exception& e) {                      \
      QTest::qCaught(nullptr, e.what(), __FILE__, __LINE__); \
      return;                                                \
    } catch (...) {                                          \
      QTest::qCaught(nullptr, nullptr, __FILE__, __LINE__);  \
      throw;                                                 \
    }                                                        \
  } while (false)

#define QVERIFY_EXCEPTION_THROWN(expression, exceptiontype) \
  QVERIFY_THROWS_EXCEPTION(exceptiontype, expression)

#define QSKIP(statement, ...)                                              \
  do {                                                                     \
    QTest::qSkip(::qtfree::textOf(statement).c_str(), __FILE__, __LINE__); \
    return;                                                                \
  } while (false)

#define QFETCH(Type, name) Type name = ::qtfree::runner().fetch<std::remove_cv_t<Type>>(#name)

#define QWARN(msg) qWarning("%s", ::qtfree::textOf(msg).c_str())

// The generated `.moc` defines qtfree_main() once it has seen the whole test class.
#define QTEST_APPLESS_MAIN(TestObject)    \
  int qtfree_main(int argc, char** argv); \
  int main(int argc, char** argv) {       \
    return qtfree_main(argc, argv);       \
  }
#define QTEST_GUILESS_MAIN(TestObject) QTEST_APPLESS_MAIN(TestObject)
#define QTEST_MAIN(TestObject) QTEST_APPLESS_MAIN(TestObject)
