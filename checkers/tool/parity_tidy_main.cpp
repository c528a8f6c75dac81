// parity-tidy: the stock clang-tidy driver with the parity-* checks linked in, for users whose
// clang-tidy cannot --load plugins. Accepts every clang-tidy option.
#include "clang-tidy/tool/ClangTidyMain.h"

int main(int argc, const char** argv) { return clang::tidy::clangTidyMain(argc, argv); }
