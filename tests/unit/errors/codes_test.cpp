// Which code each kind of failure carries.
#include "catch.hpp"
