#pragma once
// The editor's identity of a node (as QtNodes' NodeId): given when the node enters a
// GraphDocument and kept through renames, undo and redo, so commands, scene items, the inspector
// and the summary can hold on to a node while its Keras name (a property) changes. It lives for
// the editing session only: files store the Keras JSON, where the layer name is the key.
#include <QtGlobal>

namespace tessel::ui {

using NodeId = quint64;
inline constexpr NodeId kInvalidNodeId = 0;

}  // namespace tessel::ui
