// A C++17 consumer: it must fail with cbound's one #error naming C++20, not hundreds of errors.
#include <cbound/cbound.hpp>

int main() { return 0; }
