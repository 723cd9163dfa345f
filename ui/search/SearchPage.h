#pragma once
// The studio's "Search" tab: a SearchPanel wired to the main window. Whenever the tab is shown it
// takes the current model's graph and undo stack, the project file and model id, and the compile
// panel's settings; the data is the current model's data set (the training data last built, else
// built from the model's data settings when a search starts). "Apply best" writes compile/fit
// values back into the compile panel.
namespace tessel::ui {

class MainWindow;
class SearchPanel;

SearchPanel* installSearchPage(MainWindow* window);

}  // namespace tessel::ui
