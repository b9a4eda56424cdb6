/* c_calls_cpp — the seed's C program: it calls double_input, defined in C++ with cbound,
 * as cheaply as a C function (call_site.check verifies the call site in the assembly). */
#include <stdint.h>
#include <stdio.h>

extern int32_t double_input(int32_t input);

int main(void) {
    int input = 4;
    int output = double_input(input);
    printf("%d * 2 = %d\n", input, output);
    return 0;
}
