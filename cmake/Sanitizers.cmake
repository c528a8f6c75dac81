# Sanitizers and fuzzing, for every target of the build:
#   WS_SANITIZE=address,undefined  instruments everything (errors abort: no recovery)
#   WS_FUZZ=ON                     adds libFuzzer coverage instrumentation and the fuzz/ targets
# tools/fuzz configures build-fuzz/ with both (clang-19); ./tools/test runs its suites.

set(WS_SANITIZE "" CACHE STRING "Sanitizers for every target (-fsanitize=...), e.g. address,undefined")
option(WS_FUZZ "Build the libFuzzer targets in fuzz/ (needs clang)" OFF)

if(WS_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "WS_FUZZ=ON needs clang (configure with CMAKE_CXX_COMPILER=clang++-19)")
endif()
if(WS_FUZZ AND NOT WS_SANITIZE)
  # The sanitizer runtime supplies the coverage callbacks of the binaries without libFuzzer.
  message(FATAL_ERROR "WS_FUZZ=ON needs WS_SANITIZE (e.g. address,undefined)")
endif()

if(WS_SANITIZE)
  add_compile_options(-fsanitize=${WS_SANITIZE} -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${WS_SANITIZE})
endif()

if(WS_FUZZ)
  # Coverage feedback from the libraries too; only the fuzz targets link libFuzzer itself.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
