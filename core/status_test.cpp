// Status and Result behaviour.
#include "core/status.h"

#include <catch2/catch.hpp>

namespace orrery {
namespace {

Result<int> Half(int x) {
    if (x % 2 != 0) return Status::InvalidArgument("odd");
    return x / 2;
}

Result<int> Quarter(int x) {
    ORRERY_ASSIGN_OR_RETURN(int h, Half(x));
    return Half(h);
}

TEST_CASE("status renders its code and message", "[core]") {
    CHECK(Status::Ok().ToString() == "ok");
    CHECK(Status::Corruption("bad block").ToString() == "corruption: bad block");
    CHECK(Status::IOError("eio").WithContext("reading wal").ToString() == "io_error: reading wal: eio");
}

TEST_CASE("result propagates errors through ORRERY_ASSIGN_OR_RETURN", "[core]") {
    CHECK(Quarter(8).value() == 2);
    CHECK(Quarter(6).status().code() == Code::kInvalidArgument);
    CHECK(Quarter(3).status().message() == "odd");
}

}  // namespace
}  // namespace orrery
