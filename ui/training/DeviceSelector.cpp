#include "ui/training/DeviceSelector.h"

#include <QComboBox>
#include <QLabel>
#include <QVBoxLayout>

namespace tessel::ui {

DeviceSelector::DeviceSelector(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  box_ = new QComboBox(this);
  box_->setObjectName("deviceBox");
  reason_ = new QLabel(this);
  reason_->setObjectName("deviceReason");
  reason_->setWordWrap(true);
  reason_->setEnabled(false);  // grey: a note, not a control
  layout->addWidget(box_);
  layout->addWidget(reason_);
  connect(box_, &QComboBox::currentIndexChanged, this, [this] { emit changed(); });
  std::vector<gpu::DeviceInfo> gpus;
  const int n = gpu::deviceCount();
  for (int i = 0; i < n; ++i) {
    try {
      gpus.push_back(gpu::deviceInfo(i));
    } catch (const std::exception&) {
      // a device that cannot be read is not offered
    }
  }
  setAvailable(gpus, QString::fromStdString(gpu::unavailableReason()));
}

QString DeviceSelector::bytesText(double bytes) {
  return QStringLiteral("%1 GiB").arg(bytes / 1073741824.0, 0, 'f', 1);
}

void DeviceSelector::setAvailable(const std::vector<gpu::DeviceInfo>& gpus, const QString& reason) {
  const QString was = box_->count() ? device() : QStringLiteral("cpu");
  gpus_ = gpus;
  unavailable_ = reason;
  const QSignalBlocker block(box_);
  box_->clear();
  box_->addItem(tr("CPU"), QStringLiteral("cpu"));
  for (const gpu::DeviceInfo& d : gpus_) {
    const QString id = QStringLiteral("cuda:%1").arg(d.index);
    box_->addItem(QStringLiteral("%1 · %2 · %3, %4 free")
                      .arg(id, QString::fromStdString(d.name), bytesText(double(d.totalBytes)),
                           bytesText(double(d.freeBytes))),
                  id);
  }
  const bool any = !gpus_.empty();
  box_->setEnabled(any);
  const QString why = tr("GPU training unavailable: %1").arg(reason);
  box_->setToolTip(any ? tr("Train on the CPU or on a CUDA GPU (FP32, TF32 off)") : why);
  reason_->setText(why);
  reason_->setVisible(!any);
  setDevice(was);
}

QString DeviceSelector::device() const {
  return box_->currentData().toString();
}

const gpu::DeviceInfo* DeviceSelector::info(const QString& device) const {
  for (const gpu::DeviceInfo& d : gpus_)
    if (device == QStringLiteral("cuda:%1").arg(d.index) ||
        (device == QStringLiteral("cuda") && d.index == 0))
      return &d;
  return nullptr;
}

void DeviceSelector::setDevice(const QString& device) {
  const QString id = device == QStringLiteral("cuda") ? QStringLiteral("cuda:0") : device;
  int at = box_->findData(id);
  const bool missing = at < 0;
  if (missing) at = 0;
  if (box_->currentIndex() != at) box_->setCurrentIndex(at);
  if (missing && id != QStringLiteral("cpu") && !id.isEmpty()) {
    reason_->setText(tr("The saved device %1 is not available here (%2); training on the CPU.")
                         .arg(id, unavailable_.isEmpty() ? tr("no such GPU") : unavailable_));
    reason_->setVisible(true);
  } else if (!gpus_.empty()) {
    reason_->setVisible(false);
  }
}

}  // namespace tessel::ui
