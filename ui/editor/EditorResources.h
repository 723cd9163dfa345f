#pragma once
// ui/editor.qrc lives in the static tessel_ui library: its registration must be referenced
// explicitly or the linker drops it. Call before using ":/tessel/..." (cheap, idempotent).
#include <QIcon>
#include <QString>

namespace tessel::ui {

void initEditorResources();
// The SVG icon of a palette group ("Core", "Convolution", ...; "Input" for InputLayer).
QIcon groupIcon(const QString& group);
QString groupIconPath(const QString& group);

}  // namespace tessel::ui
