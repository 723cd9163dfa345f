// The object that carries a test group's precompiled header (tests/CMakeLists.txt,
// tessel_test_pch); it defines nothing.
