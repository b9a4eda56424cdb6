/* double_input — the seed's C function, compiled as C. */
int double_input(int input) { return input * 2; }
