#pragma once
// qtfree: QFileInfo, QFile and QProcess, the file and process subset the engine tests use
// (see QtFreeCore.h). QProcess runs the program with fork/execvp and collects its output.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>

#include "QtFreeCore.h"

class QFileInfo {
 public:
  QFileInfo() = default;
  QFileInfo(const QString& file) : path_(file.std()) {}
  static bool exists(const QString& file) {
    std::error_code ec;
    return std::filesystem::exists(file.std(), ec);
  }
  bool exists() const { return exists(QString::fromStdString(path_.string())); }
  bool isFile() const {
    std::error_code ec;
    return std::filesystem::is_regular_file(path_, ec);
  }
  bool isDir() const {
    std::error_code ec;
    return std::filesystem::is_directory(path_, ec);
  }
  qint64 size() const {
    std::error_code ec;
    auto n = std::filesystem::file_size(path_, ec);
    return ec ? 0 : qint64(n);
  }
  QString fileName() const { return QString::fromStdString(path_.filename().string()); }
  QString suffix() const {
    std::string e = path_.extension().string();
    return QString::fromStdString(e.empty() ? e : e.substr(1));
  }
  QString baseName() const {
    std::string f = path_.filename().string();
    return QString::fromStdString(f.substr(0, f.find('.')));
  }
  QString path() const {
    std::string p = path_.parent_path().string();
    return QString::fromStdString(p.empty() ? "." : p);
  }
  QString filePath() const { return QString::fromStdString(path_.string()); }
  QString absoluteFilePath() const {
    std::error_code ec;
    return QString::fromStdString(std::filesystem::absolute(path_, ec).string());
  }

 private:
  std::filesystem::path path_;
};

class QIODevice {
 public:
  enum OpenModeFlag {
    NotOpen = 0,
    ReadOnly = 1,
    WriteOnly = 2,
    ReadWrite = 3,
    Append = 4,
    Truncate = 8,
    Text = 16
  };
  using OpenMode = int;
};

class QFile : public QIODevice {
 public:
  QFile() = default;
  explicit QFile(const QString& name) : name_(name) {}
  ~QFile() { close(); }
  static bool exists(const QString& name) { return QFileInfo::exists(name); }
  static bool remove(const QString& name) {
    std::error_code ec;
    return std::filesystem::remove(name.std(), ec);
  }
  bool exists() const { return exists(name_); }
  bool remove() {
    close();
    return remove(name_);
  }
  QString fileName() const { return name_; }
  void setFileName(const QString& name) { name_ = name; }
  bool open(OpenMode mode) {
    close();
    std::ios::openmode m = std::ios::binary;
    if (mode & ReadOnly) m |= std::ios::in;
    if (mode & WriteOnly) m |= (mode & Append) ? std::ios::app : (std::ios::out | std::ios::trunc);
    if ((mode & ReadWrite) == ReadWrite && !(mode & Truncate) && exists()) m &= ~std::ios::trunc;
    f_.open(name_.std(), m);
    return f_.is_open();
  }
  bool isOpen() const { return f_.is_open(); }
  void close() {
    if (f_.is_open()) f_.close();
  }
  QByteArray readAll() {
    std::string s{std::istreambuf_iterator<char>(f_), std::istreambuf_iterator<char>()};
    return QByteArray(s.data(), qsizetype(s.size()));
  }
  qint64 write(const QByteArray& data) {
    f_.write(data.constData(), data.size());
    return f_ ? data.size() : -1;
  }
  qint64 write(const char* data, qint64 size) {
    f_.write(data, size);
    return f_ ? size : -1;
  }
  qint64 size() const { return QFileInfo(name_).size(); }
  bool flush() {
    f_.flush();
    return bool(f_);
  }

 private:
  QString name_;
  std::fstream f_;
};

class QProcess {
 public:
  enum ProcessChannelMode { SeparateChannels, MergedChannels, ForwardedChannels };
  enum ExitStatus { NormalExit, CrashExit };
  enum ProcessError { FailedToStart, Crashed, Timedout, ReadError, WriteError, UnknownError };
  enum ProcessState { NotRunning, Starting, Running };

  QProcess() = default;
  QProcess(const QProcess&) = delete;
  QProcess& operator=(const QProcess&) = delete;
  ~QProcess() {  // like Qt: a still running process is killed
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      reap(true);
    }
    closeFds();
  }

  void setProcessChannelMode(ProcessChannelMode mode) { mode_ = mode; }
  void setWorkingDirectory(const QString& dir) { workDir_ = dir.std(); }
  void start(const QString& program, const QStringList& arguments = {}) {
    std::vector<std::string> args{program.std()};
    for (const QString& a : arguments) args.push_back(a.std());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2], err[2], status[2];
    if (::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC) || ::pipe2(status, O_CLOEXEC)) {
      error_ = FailedToStart;
      return;
    }
    const std::string dir = workDir_;
    pid_t pid = ::fork();
    if (pid == 0) {  // child: only async-signal-safe calls until exec
      ::dup2(out[1], 1);
      ::dup2(mode_ == MergedChannels ? out[1] : err[1], 2);
      if (!dir.empty() && ::chdir(dir.c_str()) != 0) ::_exit(127);
      ::execvp(argv[0], argv.data());
      const int e = errno;
      (void)!::write(status[1], &e, sizeof e);
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    ::close(status[1]);
    int childErrno = 0;
    const bool execFailed = pid < 0 || ::read(status[0], &childErrno, sizeof childErrno) > 0;
    ::close(status[0]);
    outFd_ = out[0];
    errFd_ = err[0];
    if (execFailed) {
      error_ = FailedToStart;
      if (pid > 0) ::waitpid(pid, nullptr, 0);
      closeFds();
      return;
    }
    pid_ = pid;
    state_ = Running;
  }
  bool waitForStarted(int = 30000) { return state_ == Running || finished_; }
  // Reads the output until the program exits; false on timeout (msecs < 0: no timeout) or when
  // it did not start.
  bool waitForFinished(int msecs = 30000) {
    if (pid_ <= 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(msecs);
    while (outFd_ >= 0 || errFd_ >= 0) {
      pollfd fds[2];
      nfds_t n = 0;
      if (outFd_ >= 0) fds[n++] = {outFd_, POLLIN, 0};
      if (errFd_ >= 0) fds[n++] = {errFd_, POLLIN, 0};
      int wait = -1;
      if (msecs >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        wait = int(left.count());
      }
      const int r = ::poll(fds, n, wait);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) break;
      if (r == 0) return false;
      for (nfds_t i = 0; i < n; ++i)
        if (fds[i].revents)
          drain(fds[i].fd == outFd_ ? outFd_ : errFd_, fds[i].fd == outFd_ ? out_ : err_);
    }
    return reap(true);
  }
  ProcessState state() const { return state_; }
  ProcessError error() const { return error_; }
  ExitStatus exitStatus() const { return exitStatus_; }
  int exitCode() const { return exitCode_; }
  QByteArray readAllStandardOutput() { return take(out_); }
  QByteArray readAllStandardError() { return take(err_); }
  QByteArray readAll() { return take(out_); }
  void kill() {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
  }
  void terminate() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
  }

 private:
  static QByteArray take(std::string& s) {
    QByteArray b(s.data(), qsizetype(s.size()));
    s.clear();
    return b;
  }
  void drain(int& fd, std::string& buf) {
    char chunk[4096];
    const ssize_t k = ::read(fd, chunk, sizeof chunk);
    if (k > 0) {
      buf.append(chunk, size_t(k));
    } else if (k == 0 || errno != EINTR) {
      ::close(fd);
      fd = -1;
    }
  }
  bool reap(bool block) {
    int st = 0;
    pid_t r;
    do {
      r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r != pid_) return false;
    pid_ = -1;
    state_ = NotRunning;
    finished_ = true;
    if (WIFEXITED(st)) {
      exitStatus_ = NormalExit;
      exitCode_ = WEXITSTATUS(st);
    } else {
      exitStatus_ = CrashExit;
      exitCode_ = -1;
      error_ = Crashed;
    }
    return true;
  }
  void closeFds() {
    if (outFd_ >= 0) ::close(outFd_);
    if (errFd_ >= 0) ::close(errFd_);
    outFd_ = errFd_ = -1;
  }

  ProcessChannelMode mode_ = SeparateChannels;
  std::string workDir_;
  pid_t pid_ = -1;
  int outFd_ = -1, errFd_ = -1;
  std::string out_, err_;
  ProcessState state_ = NotRunning;
  ProcessError error_ = UnknownError;
  ExitStatus exitStatus_ = NormalExit;
  int exitCode_ = 0;
  bool finished_ = false;
};
