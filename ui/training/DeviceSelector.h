#pragma once
// The compile panel's device choice (issue 22): "CPU" or one entry per CUDA GPU with its name and
// memory ("cuda:0 · NVIDIA H100 80GB HBM3 · 79.2 GiB, 78.6 GiB free"). Without a usable GPU (a
// build without the CUDA backend, no driver, no device) the box is greyed out on "CPU" and a grey
// line says why (gpu::unavailableReason()). The choice is the run's fit.device ("cpu",
// "cuda:N"): CompilePanel writes it into its fit settings, so the run records it.
#include <QString>
#include <QWidget>
#include <vector>

#include "engine/gpu/GpuDevice.h"

class QComboBox;
class QLabel;

namespace tessel::ui {

class DeviceSelector : public QWidget {
  Q_OBJECT
 public:
  // Lists the GPUs this process sees (engine/gpu).
  explicit DeviceSelector(QWidget* parent = nullptr);

  // Rebuilds the list: the CPU, then `gpus`; with no GPU the box is disabled and `reason` shown.
  void setAvailable(const std::vector<gpu::DeviceInfo>& gpus, const QString& reason);
  QString device() const;  // "cpu" or "cuda:N"
  // Selects `device` when it is listed; otherwise the CPU, and the grey line says that the
  // saved device is not available here (why).
  void setDevice(const QString& device);
  // The GPU entry of `device` ("cuda:N"), or nullptr (CPU, not listed).
  const gpu::DeviceInfo* info(const QString& device) const;

  QComboBox* box() const { return box_; }
  QLabel* reasonLabel() const { return reason_; }
  // "79.2 GiB"
  static QString bytesText(double bytes);

 signals:
  void changed();

 private:
  QComboBox* box_ = nullptr;
  QLabel* reason_ = nullptr;
  std::vector<gpu::DeviceInfo> gpus_;
  QString unavailable_;
};

}  // namespace tessel::ui
