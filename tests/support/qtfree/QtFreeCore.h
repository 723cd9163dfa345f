#pragma once
// qtfree: the small QtCore subset the engine tests use, for building them when Qt 6 is not
// installed (tests/CMakeLists.txt puts this folder on the include path only then). Strings are
// UTF-8 std::string underneath; only the members the tests call exist, with Qt's semantics
// (QString::arg place markers, QString::number formats, QTemporaryDir auto-removal).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#define QT_VERSION_STR "qtfree"
#define Q_OBJECT      \
  template <typename> \
  friend struct ::qtfree::Access;
#define Q_GADGET Q_OBJECT
#define slots
#define Q_SLOTS
#define signals public
#define Q_SIGNALS public
#define emit
#define Q_EMIT
#define Q_DECLARE_METATYPE(...)
#define Q_UNUSED(x) (void)(x)
#define Q_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : ::qtfree::assertFailed(#cond, __FILE__, __LINE__))
#define Q_FUNC_INFO __PRETTY_FUNCTION__

namespace qtfree {
// Specialised by the generated runner (the `.moc` file); friend of every Q_OBJECT class.
template <typename T>
struct Access;

[[noreturn]] inline void assertFailed(const char* cond, const char* file, int line) {
  std::fprintf(stderr, "ASSERT: \"%s\" in file %s, line %d\n", cond, file, line);
  std::fflush(stderr);
  std::abort();
}

// Message sink: the test runner prefixes messages with the running test function.
using MessageHook = void (*)(const char* kind, const std::string& text);
inline MessageHook& messageHook() {
  static MessageHook hook = nullptr;
  return hook;
}
inline void emitMessage(const char* kind, const std::string& text) {
  if (messageHook()) {
    messageHook()(kind, text);
  } else {
    std::fprintf(stdout, "%s: %s\n", kind, text.c_str());
    std::fflush(stdout);
  }
}
inline std::string vformat(const char* fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string s(n > 0 ? size_t(n) : 0, '\0');
  if (n > 0) std::vsnprintf(s.data(), s.size() + 1, fmt, ap);
  return s;
}
}  // namespace qtfree

using qint8 = std::int8_t;
using quint8 = std::uint8_t;
using qint16 = std::int16_t;
using quint16 = std::uint16_t;
using qint32 = std::int32_t;
using quint32 = std::uint32_t;
using qint64 = std::int64_t;
using quint64 = std::uint64_t;
using qlonglong = long long;
using qulonglong = unsigned long long;
using qsizetype = std::ptrdiff_t;
using qreal = double;
using uint = unsigned int;
using ulong = unsigned long;

template <typename T>
constexpr T qAbs(const T& t) {
  return t >= 0 ? t : -t;
}
template <typename T>
constexpr const T& qMin(const T& a, const T& b) {
  return (a < b) ? a : b;
}
template <typename T>
constexpr const T& qMax(const T& a, const T& b) {
  return (a < b) ? b : a;
}
// Qt's relative fuzzy compares (12 significant digits for double, 5 for float).
inline bool qFuzzyCompare(double p1, double p2) {
  return std::abs(p1 - p2) * 1000000000000. <= std::min(std::abs(p1), std::abs(p2));
}
inline bool qFuzzyCompare(float p1, float p2) {
  return std::abs(p1 - p2) * 100000.f <= std::min(std::abs(p1), std::abs(p2));
}
inline bool qFuzzyIsNull(double d) {
  return std::abs(d) <= 0.000000000001;
}
inline bool qFuzzyIsNull(float f) {
  return std::abs(f) <= 0.00001f;
}
inline bool qIsNaN(double d) {
  return std::isnan(d);
}
inline bool qIsInf(double d) {
  return std::isinf(d);
}
inline bool qIsFinite(double d) {
  return std::isfinite(d);
}

namespace Qt {
enum CaseSensitivity { CaseInsensitive, CaseSensitive };
enum SplitBehaviorFlags { KeepEmptyParts, SkipEmptyParts };
}  // namespace Qt

class QByteArray {
 public:
  QByteArray() = default;
  QByteArray(const char* s, qsizetype size = -1)
      : s_(s ? (size < 0 ? std::string(s) : std::string(s, size_t(size))) : std::string()) {}
  QByteArray(qsizetype size, char c) : s_(size_t(size), c) {}
  static QByteArray fromStdString(const std::string& s) {
    return QByteArray(s.data(), qsizetype(s.size()));
  }
  std::string toStdString() const { return s_; }
  const char* constData() const { return s_.c_str(); }
  const char* data() const { return s_.c_str(); }
  char* data() { return s_.data(); }
  qsizetype size() const { return qsizetype(s_.size()); }
  qsizetype length() const { return size(); }
  bool isEmpty() const { return s_.empty(); }
  void resize(qsizetype n) { s_.resize(size_t(n)); }
  void clear() { s_.clear(); }
  char at(qsizetype i) const { return s_.at(size_t(i)); }
  char operator[](qsizetype i) const { return s_[size_t(i)]; }
  char& operator[](qsizetype i) { return s_[size_t(i)]; }
  QByteArray& append(const QByteArray& o) {
    s_ += o.s_;
    return *this;
  }
  QByteArray& append(const char* s) {
    s_ += s;
    return *this;
  }
  QByteArray& append(char c) {
    s_ += c;
    return *this;
  }
  QByteArray& operator+=(const QByteArray& o) { return append(o); }
  bool contains(const QByteArray& o) const { return s_.find(o.s_) != std::string::npos; }
  bool startsWith(const QByteArray& o) const { return s_.rfind(o.s_, 0) == 0; }
  friend bool operator==(const QByteArray& a, const QByteArray& b) { return a.s_ == b.s_; }
  friend bool operator<(const QByteArray& a, const QByteArray& b) { return a.s_ < b.s_; }
  const std::string& std() const { return s_; }

 private:
  std::string s_;
};

class QChar {
 public:
  constexpr QChar() = default;
  constexpr QChar(char c) : c_(c) {}
  constexpr char toLatin1() const { return c_; }
  constexpr bool isNull() const { return c_ == '\0'; }
  bool isDigit() const { return std::isdigit(static_cast<unsigned char>(c_)); }
  bool isSpace() const { return std::isspace(static_cast<unsigned char>(c_)); }
  bool isLetter() const { return std::isalpha(static_cast<unsigned char>(c_)); }
  friend constexpr bool operator==(QChar a, QChar b) { return a.c_ == b.c_; }

 private:
  char c_ = '\0';
};

class QString;
using QStringList = std::vector<QString>;

class QString {
 public:
  QString() = default;
  QString(const char* s) : s_(s ? s : "") {}
  QString(const QByteArray& b) : s_(b.std()) {}
  QString(qsizetype size, char c) : s_(size_t(size), c) {}

  static QString fromStdString(const std::string& s) { return raw(s); }
  static QString fromUtf8(const char* s, qsizetype size = -1) {
    return raw(QByteArray(s, size).std());
  }
  static QString fromUtf8(const QByteArray& b) { return raw(b.std()); }
  static QString fromLatin1(const char* s, qsizetype size = -1) { return fromUtf8(s, size); }
  static QString fromLocal8Bit(const char* s, qsizetype size = -1) { return fromUtf8(s, size); }
  static QString asprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    QString r = raw(qtfree::vformat(fmt, ap));
    va_end(ap);
    return r;
  }
  template <typename T>
  requires std::is_integral_v<T> &&(!std::is_same_v<T, bool>)static QString
      number(T n, int base = 10) {
    return raw(integerText(n, base));
  }
  static QString number(double n, char format = 'g', int precision = 6) {
    return raw(doubleText(n, format, precision));
  }

  std::string toStdString() const { return s_; }
  QByteArray toUtf8() const { return QByteArray(s_.data(), qsizetype(s_.size())); }
  QByteArray toLatin1() const { return toUtf8(); }
  QByteArray toLocal8Bit() const { return toUtf8(); }

  qsizetype size() const { return qsizetype(s_.size()); }
  qsizetype length() const { return size(); }
  qsizetype count() const { return size(); }
  bool isEmpty() const { return s_.empty(); }
  bool isNull() const { return s_.empty(); }
  void clear() { s_.clear(); }
  char at(qsizetype i) const { return s_.at(size_t(i)); }
  char operator[](qsizetype i) const { return s_[size_t(i)]; }

  bool contains(const QString& o, Qt::CaseSensitivity cs = Qt::CaseSensitive) const {
    return indexOf(o, 0, cs) >= 0;
  }
  bool contains(char c) const { return s_.find(c) != std::string::npos; }
  qsizetype indexOf(const QString& o, qsizetype from = 0,
                    Qt::CaseSensitivity cs = Qt::CaseSensitive) const {
    const std::string h = cs == Qt::CaseSensitive ? s_ : lower(s_);
    const std::string n = cs == Qt::CaseSensitive ? o.s_ : lower(o.s_);
    size_t p = h.find(n, size_t(std::max<qsizetype>(from, 0)));
    return p == std::string::npos ? -1 : qsizetype(p);
  }
  qsizetype count(const QString& o) const {
    if (o.s_.empty()) return size() + 1;
    qsizetype n = 0;
    for (size_t p = s_.find(o.s_); p != std::string::npos; p = s_.find(o.s_, p + o.s_.size())) ++n;
    return n;
  }
  bool startsWith(const QString& o) const { return s_.rfind(o.s_, 0) == 0; }
  bool endsWith(const QString& o) const {
    return s_.size() >= o.s_.size() && s_.compare(s_.size() - o.s_.size(), o.s_.size(), o.s_) == 0;
  }
  QString left(qsizetype n) const { return raw(s_.substr(0, size_t(std::max<qsizetype>(n, 0)))); }
  QString right(qsizetype n) const {
    n = std::clamp<qsizetype>(n, 0, size());
    return raw(s_.substr(s_.size() - size_t(n)));
  }
  QString mid(qsizetype pos, qsizetype n = -1) const {
    if (pos >= size()) return QString();
    return raw(s_.substr(size_t(pos), n < 0 ? std::string::npos : size_t(n)));
  }
  QString trimmed() const {
    const char* ws = " \t\n\v\f\r";
    size_t b = s_.find_first_not_of(ws);
    if (b == std::string::npos) return QString();
    return raw(s_.substr(b, s_.find_last_not_of(ws) - b + 1));
  }
  QString toLower() const { return raw(lower(s_)); }
  QString toUpper() const {
    std::string r = s_;
    for (char& c : r) c = char(std::toupper(static_cast<unsigned char>(c)));
    return raw(r);
  }
  QString& replace(const QString& before, const QString& after) {
    if (before.s_.empty()) return *this;
    for (size_t p = s_.find(before.s_); p != std::string::npos;
         p = s_.find(before.s_, p + after.s_.size()))
      s_.replace(p, before.s_.size(), after.s_);
    return *this;
  }
  QStringList split(const QString& sep,
                    Qt::SplitBehaviorFlags behavior = Qt::KeepEmptyParts) const {
    QStringList out;
    size_t start = 0;
    while (true) {
      size_t p = sep.s_.empty() ? std::string::npos : s_.find(sep.s_, start);
      std::string part = s_.substr(start, p == std::string::npos ? std::string::npos : p - start);
      if (!(behavior == Qt::SkipEmptyParts && part.empty())) out.push_back(raw(part));
      if (p == std::string::npos) break;
      start = p + sep.s_.size();
    }
    return out;
  }
  QStringList split(char sep, Qt::SplitBehaviorFlags behavior = Qt::KeepEmptyParts) const {
    return split(raw(std::string(1, sep)), behavior);
  }

  int toInt(bool* ok = nullptr, int base = 10) const { return int(parse<long long>(ok, base)); }
  long long toLongLong(bool* ok = nullptr, int base = 10) const {
    return parse<long long>(ok, base);
  }
  unsigned long long toULongLong(bool* ok = nullptr, int base = 10) const {
    return parse<unsigned long long>(ok, base);
  }
  double toDouble(bool* ok = nullptr) const {
    std::string t = trimmed().s_;
    char* end = nullptr;
    double v = t.empty() ? 0.0 : std::strtod(t.c_str(), &end);
    bool good = !t.empty() && end && *end == '\0';
    if (ok) *ok = good;
    return good ? v : 0.0;
  }
  float toFloat(bool* ok = nullptr) const { return float(toDouble(ok)); }

  QString& append(const QString& o) {
    s_ += o.s_;
    return *this;
  }
  QString& prepend(const QString& o) {
    s_ = o.s_ + s_;
    return *this;
  }
  QString& operator+=(const QString& o) { return append(o); }
  QString& operator+=(char c) {
    s_ += c;
    return *this;
  }
  friend QString operator+(QString a, const QString& b) { return a.append(b); }
  friend QString operator+(const char* a, const QString& b) { return QString(a).append(b); }
  friend QString operator+(QString a, const char* b) { return a.append(QString(b)); }
  friend QString operator+(QString a, char c) { return a += c; }
  friend bool operator==(const QString& a, const QString& b) { return a.s_ == b.s_; }
  friend bool operator==(const QString& a, const char* b) { return a.s_ == (b ? b : ""); }
  friend auto operator<=>(const QString& a, const QString& b) { return a.s_ <=> b.s_; }

  // arg(): replaces the lowest-numbered place marker %1..%99 (every occurrence of it).
  QString arg(const QString& a, int fieldWidth = 0, QChar fill = QChar(' ')) const {
    return substitute({pad(a.s_, fieldWidth, fill.toLatin1())});
  }
  QString arg(const char* a, int fieldWidth = 0, QChar fill = QChar(' ')) const {
    return arg(QString(a), fieldWidth, fill);
  }
  QString arg(const QByteArray& a, int fieldWidth = 0, QChar fill = QChar(' ')) const {
    return arg(QString(a), fieldWidth, fill);
  }
  QString arg(char a, int fieldWidth = 0, QChar fill = QChar(' ')) const {
    return substitute({pad(std::string(1, a), fieldWidth, fill.toLatin1())});
  }
  QString arg(QChar a, int fieldWidth = 0, QChar fill = QChar(' ')) const {
    return arg(a.toLatin1(), fieldWidth, fill);
  }
  template <typename T>
  requires std::is_integral_v<T> &&(!std::is_same_v<T, char>)QString
      arg(T a, int fieldWidth = 0, int base = 10, QChar fill = QChar(' ')) const {
    if constexpr (std::is_same_v<T, bool>) {
      return substitute({pad(a ? "1" : "0", fieldWidth, fill.toLatin1())});
    } else {
      return substitute({pad(integerText(a, base), fieldWidth, fill.toLatin1())});
    }
  }
  template <typename T>
  requires std::is_enum_v<T> QString arg(T a, int fieldWidth = 0, int base = 10,
                                         QChar fill = QChar(' '))
  const { return arg(static_cast<std::underlying_type_t<T>>(a), fieldWidth, base, fill); }
  QString arg(double a, int fieldWidth = 0, char format = 'g', int precision = -1,
              QChar fill = QChar(' ')) const {
    return substitute(
        {pad(doubleText(a, format, precision < 0 ? 6 : precision), fieldWidth, fill.toLatin1())});
  }
  // Multi-argument form: %1..%n (in increasing marker order) in one pass, for strings only.
  template <typename... Args>
  requires(sizeof...(Args) >= 2 && (std::is_convertible_v<const Args&, QString> && ...)) QString
      arg(const Args&... args)
  const { return substitute({QString(args).s_...}); }

  const std::string& std() const { return s_; }

 private:
  static QString raw(std::string s) {
    QString r;
    r.s_ = std::move(s);
    return r;
  }
  static std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  static std::string pad(std::string s, int fieldWidth, char fill) {
    const size_t w = size_t(std::abs(fieldWidth));
    if (s.size() >= w) return s;
    if (fieldWidth > 0)
      s.insert(size_t(0), w - s.size(), fill);
    else
      s.append(w - s.size(), fill);
    return s;
  }
  template <typename T>
  static std::string integerText(T n, int base) {
    if (base == 10) return std::to_string(n);
    const bool neg = n < 0;
    using U = std::make_unsigned_t<T>;
    U u = neg ? U(0) - U(n) : U(n);
    std::string r;
    do {
      r.insert(r.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[u % U(base)]);
      u /= U(base);
    } while (u);
    return neg ? "-" + r : r;
  }
  static std::string doubleText(double n, char format, int precision) {
    if (std::isnan(n)) return "nan";
    if (std::isinf(n)) return n < 0 ? "-inf" : "inf";
    char spec[8] = {'%', '.', '*', format, '\0'};
    if (format != 'e' && format != 'E' && format != 'f' && format != 'g' && format != 'G')
      spec[3] = 'g';
    char buf[512];
    std::snprintf(buf, sizeof buf, spec, precision, n);
    return buf;
  }
  template <typename T>
  T parse(bool* ok, int base) const {
    std::string t = trimmed().s_;
    char* end = nullptr;
    errno = 0;
    T v = std::is_signed_v<T> ? T(std::strtoll(t.c_str(), &end, base))
                              : T(std::strtoull(t.c_str(), &end, base));
    bool good = !t.empty() && end && *end == '\0' && errno == 0;
    if (ok) *ok = good;
    return good ? v : T(0);
  }
  QString substitute(const std::vector<std::string>& args) const {
    // Collect the distinct marker numbers; the k-th smallest takes args[k].
    std::vector<int> numbers;
    for (size_t i = 0; i + 1 < s_.size(); ++i) {
      if (s_[i] != '%' || !std::isdigit(static_cast<unsigned char>(s_[i + 1]))) continue;
      int n = s_[i + 1] - '0';
      if (i + 2 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i + 2])))
        n = n * 10 + (s_[i + 2] - '0');
      if (n > 0 && std::find(numbers.begin(), numbers.end(), n) == numbers.end())
        numbers.push_back(n);
    }
    std::sort(numbers.begin(), numbers.end());
    if (numbers.empty()) {
      qtfree::emitMessage("QWARN", "QString::arg: Argument missing: \"" + s_ + "\"");
      return *this;
    }
    if (numbers.size() > args.size()) numbers.resize(args.size());
    std::string out;
    for (size_t i = 0; i < s_.size(); ++i) {
      if (s_[i] == '%' && i + 1 < s_.size() &&
          std::isdigit(static_cast<unsigned char>(s_[i + 1]))) {
        int n = s_[i + 1] - '0';
        size_t len = 2;
        if (i + 2 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i + 2]))) {
          n = n * 10 + (s_[i + 2] - '0');
          len = 3;
        }
        auto it = std::find(numbers.begin(), numbers.end(), n);
        if (it != numbers.end()) {
          out += args[size_t(it - numbers.begin())];
          i += len - 1;
          continue;
        }
      }
      out += s_[i];
    }
    return raw(out);
  }

  std::string s_;
};

#define qPrintable(string) ::QString(string).toLocal8Bit().constData()
#define qUtf8Printable(string) ::QString(string).toUtf8().constData()

// qDebug() << a << b (space separated, QString quoted) and qDebug("fmt", ...).
class QDebug {
 public:
  explicit QDebug(const char* kind) : kind_(kind) {}
  QDebug(const QDebug&) = delete;
  ~QDebug() { qtfree::emitMessage(kind_, out_.str()); }
  QDebug& nospace() {
    space_ = false;
    return *this;
  }
  QDebug& space() {
    space_ = true;
    return *this;
  }
  QDebug& noquote() {
    quote_ = false;
    return *this;
  }
  QDebug& operator<<(const QString& s) {
    sep();
    if (quote_)
      out_ << '"' << s.std() << '"';
    else
      out_ << s.std();
    return *this;
  }
  QDebug& operator<<(const char* s) {
    sep();
    out_ << s;
    return *this;
  }
  QDebug& operator<<(const std::string& s) {
    sep();
    out_ << s;
    return *this;
  }
  QDebug& operator<<(bool b) {
    sep();
    out_ << (b ? "true" : "false");
    return *this;
  }
  QDebug& operator<<(char c) {
    sep();
    out_ << c;
    return *this;
  }
  template <typename T>
  requires std::is_arithmetic_v<T> QDebug& operator<<(T v) {
    sep();
    out_ << v;
    return *this;
  }
  template <typename T>
  QDebug& operator<<(const std::vector<T>& v) {
    sep();
    bool s = space_;
    space_ = false;
    out_ << "std::vector(";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out_ << ", ";
      *this << v[i];
    }
    out_ << ')';
    space_ = s;
    return *this;
  }

 private:
  void sep() {
    if (!first_ && space_) out_ << ' ';
    first_ = false;
  }
  const char* kind_;
  std::ostringstream out_;
  bool first_ = true;
  bool space_ = true;
  bool quote_ = true;
};

inline QDebug qDebug() {
  return QDebug("QDEBUG");
}
inline QDebug qInfo() {
  return QDebug("QINFO");
}
inline QDebug qWarning() {
  return QDebug("QWARN");
}
inline QDebug qCritical() {
  return QDebug("QCRITICAL");
}
#define QTFREE_LOG_FN(fn, kind)                    \
  inline void fn(const char* fmt, ...) {           \
    va_list ap;                                    \
    va_start(ap, fmt);                             \
    std::string text = ::qtfree::vformat(fmt, ap); \
    va_end(ap);                                    \
    ::qtfree::emitMessage(kind, text);             \
  }
QTFREE_LOG_FN(qDebug, "QDEBUG")
QTFREE_LOG_FN(qInfo, "QINFO")
QTFREE_LOG_FN(qWarning, "QWARN")
QTFREE_LOG_FN(qCritical, "QCRITICAL")
#undef QTFREE_LOG_FN

class QObject {
 public:
  QObject() = default;
  virtual ~QObject() = default;
  QObject(const QObject&) = delete;
  QObject& operator=(const QObject&) = delete;
};

class QDir {
 public:
  QDir() : path_(currentPath()) {}
  QDir(const QString& path) : path_(path.isEmpty() ? currentPath() : path) {}
  static QString tempPath() {
    const char* t = std::getenv("TMPDIR");
    std::string p = (t && *t) ? t : "/tmp";
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return QString::fromStdString(p);
  }
  static QString currentPath() {
    std::error_code ec;
    return QString::fromStdString(std::filesystem::current_path(ec).string());
  }
  static QString homePath() {
    const char* h = std::getenv("HOME");
    return QString(h ? h : "/");
  }
  static char separator() { return '/'; }
  QString path() const { return path_; }
  QString absolutePath() const {
    std::error_code ec;
    return QString::fromStdString(std::filesystem::absolute(path_.std(), ec).string());
  }
  QString filePath(const QString& name) const {
    if (name.startsWith("/")) return name;
    return path_.endsWith("/") ? path_ + name : path_ + "/" + name;
  }
  QString absoluteFilePath(const QString& name) const {
    return QDir(absolutePath()).filePath(name);
  }
  bool exists() const {
    std::error_code ec;
    return std::filesystem::is_directory(path_.std(), ec);
  }
  bool exists(const QString& name) const {
    std::error_code ec;
    return std::filesystem::exists(filePath(name).std(), ec);
  }
  bool mkpath(const QString& dir) const {
    std::error_code ec;
    std::filesystem::create_directories(filePath(dir).std(), ec);
    return !ec && std::filesystem::is_directory(filePath(dir).std(), ec);
  }
  bool mkdir(const QString& dir) const {
    std::error_code ec;
    return std::filesystem::create_directory(filePath(dir).std(), ec) && !ec;
  }
  bool removeRecursively() {
    std::error_code ec;
    std::filesystem::remove_all(path_.std(), ec);
    return !ec;
  }

 private:
  QString path_;
};

// A fresh directory under QDir::tempPath() (or from a template ending in XXXXXX), removed with
// its contents on destruction unless setAutoRemove(false).
class QTemporaryDir {
 public:
  QTemporaryDir() : QTemporaryDir(QDir::tempPath() + "/qtfree-XXXXXX") {}
  explicit QTemporaryDir(const QString& templatePath) {
    std::string t = templatePath.std();
    if (!t.empty() && t[0] != '/') t = QDir::currentPath().std() + "/" + t;
    if (t.size() < 6 || t.compare(t.size() - 6, 6, "XXXXXX") != 0) t += "XXXXXX";
    std::vector<char> buf(t.begin(), t.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data())) {
      path_ = std::string(buf.data());
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~QTemporaryDir() {
    if (autoRemove_) remove();
  }
  QTemporaryDir(const QTemporaryDir&) = delete;
  QTemporaryDir& operator=(const QTemporaryDir&) = delete;
  bool isValid() const { return !path_.empty(); }
  QString errorString() const { return QString::fromStdString(error_); }
  QString path() const { return QString::fromStdString(path_); }
  QString filePath(const QString& fileName) const {
    if (path_.empty()) return QString();
    return QString::fromStdString(path_ + "/" + fileName.std());
  }
  bool autoRemove() const { return autoRemove_; }
  void setAutoRemove(bool b) { autoRemove_ = b; }
  bool remove() {
    if (path_.empty()) return false;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    path_.clear();
    return !ec;
  }

 private:
  std::string path_;
  std::string error_;
  bool autoRemove_ = true;
};
