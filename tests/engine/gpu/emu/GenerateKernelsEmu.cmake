# Generates the host-emulation version of one CUDA source (tests/engine/gpu/emu/CudaEmulation.h):
#   cmake -DINPUT=<file.cu> -DOUTPUT=<file.cpp> -P GenerateKernelsEmu.cmake
# The kernel source is copied verbatim except for its launches:
#   kernel<<<grid, block, smem, stream>>>(args)  ->  ::cuda_emu::launch(kernel, grid, block, smem, stream)(args)
# and the namespace tessel::gpu becomes tessel::gpu_emu (a macro over the whole file, headers
# included), so that the emulated launch functions never clash with the real ones of the
# engine's libtessel_gpu_kernels.a in the test executable.
if(NOT INPUT OR NOT OUTPUT)
  message(FATAL_ERROR "usage: cmake -DINPUT=<file.cu> -DOUTPUT=<file.cpp> -P GenerateKernelsEmu.cmake")
endif()
file(READ "${INPUT}" source)
string(REGEX MATCHALL "<<<" launches "${source}")
list(LENGTH launches launch_count)
string(REGEX REPLACE "([A-Za-z_][A-Za-z0-9_:]*)[ \t\r\n]*<<<" "::cuda_emu::launch(\\1, " source "${source}")
string(REPLACE ">>>" ")" source "${source}")
string(FIND "${source}" "<<<" left_open)
if(launch_count EQUAL 0 OR NOT left_open EQUAL -1)
  message(FATAL_ERROR "${INPUT}: ${launch_count} kernel launches found; some were not rewritten")
endif()
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by tests/engine/gpu/emu/GenerateKernelsEmu.cmake at build time
// (${launch_count} launches rewritten for the host emulation of CudaEmulation.h): do not edit.
// The kernel code is the device code verbatim; it compiles -Wall -Wextra clean with g++ as it is
// (no warning is silenced here: add a `#pragma GCC diagnostic` above only if nvcc-style code
// needs one).
#include \"CudaEmulation.h\"
#define gpu gpu_emu
#line 1 \"${INPUT}\"
${source}")
# Touch the output only when it changed (no rebuild of the object otherwise).
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")
