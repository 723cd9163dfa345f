# Generates the host-emulation version of one CUDA source (tests/engine/gpu/emu/CudaEmulation.h):
#   cmake -DINPUT=<file.cu> -DOUTPUT=<file.cpp> [-DSILENCE=<warning;...>] -P GenerateKernelsEmu.cmake
# SILENCE: g++ warnings (as "sign-compare") that the device code raises and nvcc does not: each
# becomes a `#pragma GCC diagnostic ignored` at the top of the output.
# The kernel source is copied verbatim except for its launches:
#   kernel<<<grid, block, smem, stream>>>(args)  ->  ::cuda_emu::launch(kernel, grid, block, smem, stream)(args)
# (kernel may be a template's instance with simple arguments: kernel<32><<<...>>>)
# and the namespace tessel::gpu becomes tessel::gpu_emu (a macro over the whole file, headers
# included), so that the emulated launch functions never clash with the real ones of the
# engine's libtessel_gpu_kernels.a in the test executable.
if(NOT INPUT OR NOT OUTPUT)
  message(FATAL_ERROR "usage: cmake -DINPUT=<file.cu> -DOUTPUT=<file.cpp> -P GenerateKernelsEmu.cmake")
endif()
file(READ "${INPUT}" source)
string(REGEX MATCHALL "<<<" launches "${source}")
list(LENGTH launches launch_count)
string(REGEX REPLACE "([A-Za-z_][A-Za-z0-9_:]*(<[^<>;()]*>)?)[ \t\r\n]*<<<" "::cuda_emu::launch(\\1, " source "${source}")
string(REPLACE ">>>" ")" source "${source}")
string(FIND "${source}" "<<<" left_open)
if(launch_count EQUAL 0 OR NOT left_open EQUAL -1)
  message(FATAL_ERROR "${INPUT}: ${launch_count} kernel launches found; some were not rewritten")
endif()
set(pragmas "")
foreach(warning IN LISTS SILENCE)
  string(APPEND pragmas "#pragma GCC diagnostic ignored \"-W${warning}\"\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by tests/engine/gpu/emu/GenerateKernelsEmu.cmake at build time
// (${launch_count} launches rewritten for the host emulation of CudaEmulation.h): do not edit.
// The kernel code is the device code verbatim; it compiles -Wall -Wextra clean with g++ as it is
// (but for the warnings its CMake rule names in SILENCE, silenced here).
${pragmas}#include \"CudaEmulation.h\"
#define gpu gpu_emu
#line 1 \"${INPUT}\"
${source}")
# Touch the output only when it changed (no rebuild of the object otherwise).
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")
