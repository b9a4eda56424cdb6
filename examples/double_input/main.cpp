// double_input — C++ calls a C function with no overhead: the call site is the argument in
// a register and one call instruction (call_site.check verifies it in the assembly).
#include <cstdio>

extern "C" int double_input(int input);

int main() {
    int input = 4;
    int output = double_input(input);
    std::printf("%d * 2 = %d\n", input, output);
    return 0;
}
