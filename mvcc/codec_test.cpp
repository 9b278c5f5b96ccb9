// Tests of MVCC's byte formats: the versioned key encoding, commit requests and txn records.
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mvcc/commit_request.h"
#include "mvcc/key_codec.h"
#include "mvcc/txn_record.h"

namespace orrery::mvcc {
namespace {

// Short keys over a tiny alphabet that includes 0x00 and 0xFF, to hit the escaping.
rc::Gen<std::string> GenKey() {
    return rc::gen::nonEmpty(rc::gen::container<std::string>(
        rc::gen::element<char>('\x00', '\x01', 'a', 'b', '\xff')));
}

TEST_CASE("data keys round-trip and keep (key asc, version desc) order", "[mvcc]") {
    rc::prop("order", [] {
        std::string a = *GenKey(), b = *GenKey();
        Version va = *rc::gen::arbitrary<Version>(), vb = *rc::gen::arbitrary<Version>();
        std::string ea = EncodeDataKey(a, va), eb = EncodeDataKey(b, vb);
        bool before = a < b || (a == b && va > vb);
        RC_ASSERT((ea < eb) == before);
        auto da = DecodeDataKey(ea);
        RC_ASSERT(da.ok());
        RC_ASSERT(da->user_key == a);
        RC_ASSERT(da->version == va);
        RC_ASSERT(ea.substr(0, da->group_bytes) == DataKeyPrefix(a));
        // Every version of a key lies in DataScan of any range containing the key.
        RC_ASSERT(storage::InRange(ea, DataScan(a, "")));
        RC_ASSERT(!storage::InRange(ea, DataScan("", a)));
    });
}

TEST_CASE("the data key byte layout is the documented one", "[mvcc]") {
    std::string key = EncodeDataKey(std::string("a\x00z", 3), 1);
    CHECK(key == std::string("\x02"
                             "a\x00\xff"
                             "z\x00\x00"
                             "\xff\xff\xff\xff\xff\xff\xff\xfe",
                             15));
    CHECK(RecordKey(258) == std::string("\x01\x00\x00\x00\x00\x00\x00\x01\x02", 9));
    CHECK(!DecodeDataKey(std::string("\x02" "a\x00\x07" "z\x00\x00" "12345678", 15)).ok());
    CHECK(!DecodeDataKey("\x02short").ok());
    CHECK(ValidateUserKey("").code() == Code::kInvalidArgument);
    CHECK(ValidateUserKey(std::string(storage::kMaxKeyBytes - 11, 'k')).ok());
    CHECK(!ValidateUserKey(std::string(storage::kMaxKeyBytes - 10, 'k')).ok());
}

rc::Gen<CommitRequest> GenRequest() {
    return rc::gen::exec([] {
        CommitRequest req;
        req.txn_id = *rc::gen::arbitrary<uint64_t>();
        req.snapshot_version = *rc::gen::arbitrary<uint64_t>();
        req.isolation = *rc::gen::element(Isolation::kSerializable, Isolation::kSnapshot);
        std::map<std::string, std::string> writes =
            *rc::gen::container<std::map<std::string, std::string>>(
                GenKey(), rc::gen::arbitrary<std::string>());
        for (auto& [k, v] : writes) {
            bool is_delete = v.size() % 3 == 1;  // Some writes are deletes.
            req.writes.push_back(
                Write{k, is_delete ? std::nullopt : std::optional<std::string>(v)});
        }
        std::set<std::string> keys = *rc::gen::container<std::set<std::string>>(GenKey());
        req.read_keys.assign(keys.begin(), keys.end());
        for (int i = *rc::gen::inRange(0, 3); i > 0; --i) {
            std::string a = *GenKey();
            req.read_ranges.push_back(KeyRange{a, *rc::gen::element(std::string(), a + "z")});
        }
        req.read_only = req.writes.empty() && *rc::gen::arbitrary<bool>();
        return req;
    });
}

TEST_CASE("commit requests round-trip and reject damage cleanly", "[mvcc]") {
    rc::prop("round trip", [] {
        CommitRequest req = *GenRequest();
        std::string bytes = EncodeCommitRequest(req);
        auto decoded = DecodeCommitRequest(bytes);
        RC_ASSERT(decoded.ok());
        RC_ASSERT(*decoded == req);
        // Truncation and a flipped byte never crash; truncation is always detected.
        size_t cut = *rc::gen::inRange<size_t>(0, bytes.size());
        RC_ASSERT(!DecodeCommitRequest(bytes.substr(0, cut)).ok());
        std::string flipped = bytes;
        flipped[*rc::gen::inRange<size_t>(0, bytes.size())] ^= 0x5a;
        auto damaged = DecodeCommitRequest(flipped);
        if (!damaged.ok()) RC_ASSERT(damaged.status().Is(Code::kCorruption));
        RC_ASSERT(!DecodeCommitRequest(bytes + "x").ok());
    });
}

TEST_CASE("commit request invariants are enforced", "[mvcc]") {
    CommitRequest req;
    req.writes = {Write{"b", "1"}, Write{"a", "2"}};
    CHECK(ValidateCommitRequest(req).code() == Code::kInvalidArgument);
    req.writes = {Write{"a", "1"}};
    req.read_only = true;
    CHECK(ValidateCommitRequest(req).code() == Code::kInvalidArgument);
    req.read_only = false;
    req.read_ranges = {KeyRange{"b", "a"}};
    CHECK(ValidateCommitRequest(req).code() == Code::kInvalidArgument);
    req.read_ranges = {KeyRange{"a", ""}};
    CHECK(ValidateCommitRequest(req).ok());
    CHECK(DecodeCommitRequest("").status().Is(Code::kCorruption));
    CHECK(DecodeCommitRequest(std::string("\x09", 1)).status().Is(Code::kCorruption));
}

TEST_CASE("txn records round-trip and answer read-set overlap", "[mvcc]") {
    TxnRecord r;
    r.commit_version = 9;
    r.snapshot_version = 4;
    r.txn_id = 77;
    r.read_only = true;
    r.earliest_out_conflict = 6;
    r.read_keys = {"m", "x"};
    r.read_ranges = {KeyRange{"c", "f"}};
    auto back = DecodeTxnRecord(9, EncodeTxnRecord(r));
    REQUIRE(back.ok());
    CHECK(back->read_keys == r.read_keys);
    CHECK(back->read_ranges == r.read_ranges);
    CHECK(back->earliest_out_conflict == 6);
    CHECK(back->read_only);
    CHECK(back->ReadCovers("x"));
    CHECK(back->ReadCovers("d"));
    CHECK(!back->ReadCovers("f"));
    CHECK(back->ReadsAnyOf({Write{"a", "1"}, Write{"e", std::nullopt}}));
    CHECK(!back->ReadsAnyOf({Write{"a", "1"}, Write{"g", "1"}, Write{"y", "1"}}));
    // A record whose versions are out of order is corrupt.
    CHECK(!DecodeTxnRecord(5, EncodeTxnRecord(r)).ok());
}

}  // namespace
}  // namespace orrery::mvcc
