// The one Catch2 main every test binary links (compiled once, reused by all).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
