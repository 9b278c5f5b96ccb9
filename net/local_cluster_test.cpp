// LeadersInStatus reads the leader off `orrery cluster status` lines (the rest of LocalCluster
// runs real processes: the e2e tests that use it cover it).
#include "net/local_cluster.h"

#include <catch2/catch.hpp>

namespace orrery::net {
namespace {

TEST_CASE("local_cluster_leaders_in_status_output") {
    std::string out =
        "node       pid    pg cql              role            term  commit applied    last  leader state hash\n"
        "n1       1201     - -                follower           2       7       7       7  n3     00000000000000aa\n"
        "n2       1202  5434 127.0.0.2:9042   no answer      (timed out)\n"
        "n3       1203     - 127.0.0.3:9042   leader             2       7       7       7  n3     00000000000000aa\n"
        "n4       1204     - -                pre-candidate      2       7       7       7  ?      00000000000000aa\n";
    CHECK(LeadersInStatus(out) == std::vector<uint32_t>{3});
    CHECK(LeadersInStatus("n1 12 - - follower 1 1 1 1 n5 00\n").empty());
    CHECK(LeadersInStatus("").empty());
    // The header's "leader" column and a follower naming the leader are not a leader.
    CHECK(LeadersInStatus("node pid pg cql role term commit applied last leader\n").empty());
}

}  // namespace
}  // namespace orrery::net
