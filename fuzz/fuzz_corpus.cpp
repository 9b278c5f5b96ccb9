// fuzz_corpus DIR: writes the seed corpus of every fuzz target into DIR/<target>/, made with the
// real encoders so each seed is a valid input the fuzzer mutates from (a fuzzer that starts from
// valid bytes reaches the deep branches of a decoder in seconds instead of hours).
// The mode byte of fuzz_util.h comes first where a target takes one: 0 (decode as is), because
// these seeds carry their own correct checksums.
#include <cstdio>
#include <fstream>
#include <filesystem>
#include <string>
#include <vector>

#include "core/key_encoding.h"
#include "jepsen/history.h"
#include "mvcc/commit_request.h"
#include "net/frame.h"
#include "node/client_protocol.h"
#include "node/kv_command.h"
#include "node/sql_protocol.h"
#include "raft/message.h"
#include "storage/btree/format.h"
#include "storage/btree/wal.h"
#include "storage/lsm/block.h"
#include "storage/lsm/manifest.h"

namespace {

using namespace orrery;

void Write(const std::string& dir, const std::string& target, int n, const std::string& bytes,
           bool mode_byte) {
    std::filesystem::create_directories(dir + "/" + target);
    std::ofstream out(dir + "/" + target + "/seed-" + std::to_string(n), std::ios::binary);
    if (mode_byte) out.put('\0');
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> ClientSeeds() {
    std::vector<std::string> out;
    node::ClientRequest put;
    put.client_id = 1001;
    put.seq = 4;
    put.op = node::RequestOp::kPut;
    put.key = "k1";
    put.value = "7";
    out.push_back(node::EncodeRequest(put));
    node::ClientRequest scan = put;
    scan.op = node::RequestOp::kTxnScan;
    scan.end = "k9";
    scan.limit = 10;
    scan.snapshot = 3;
    out.push_back(node::EncodeRequest(scan));
    node::ClientReply reply;
    reply.client_id = 1001;
    reply.seq = 4;
    reply.pairs = {{"a", "1"}, {"b", "2"}};
    reply.status = node::ServerStatus{2, 3, 9, 9, 10, 1, 42};
    out.push_back(node::EncodeReply(reply));
    return out;
}

std::vector<std::string> SqlSeeds() {
    std::vector<std::string> out;
    node::SqlRequest r;
    r.client_id = 1001;
    r.seq = 4;
    r.text = "INSERT INTO movie VALUES (?, ?)";
    r.params = {sql::Value::Integer(1), sql::Value::String("Sicario")};
    out.push_back(node::EncodeSqlRequest(r));
    node::SqlReply reply;
    reply.client_id = 1001;
    reply.seq = 4;
    reply.txn_status = sql::TxnStatus::kInTransaction;
    reply.txn_token = 77;
    sql::StatementResult result;
    result.columns = {{"id", sql::DataType::kInteger}, {"score", sql::DataType::kFloat}};
    result.rows = {{sql::Value::Integer(1), sql::Value::Float(8.5)},
                   {sql::Value::Null(), sql::Value::Float(-0.0)}};
    result.tag = "SELECT 2";
    result.notices = {"a notice"};
    reply.result = result;
    out.push_back(node::EncodeSqlReply(reply));
    reply.result.reset();
    reply.code = node::SqlReplyCode::kError;
    reply.error = node::MakeSqlError(sql::ErrorKind::kSyntax, "syntax error at line 1");
    reply.error->position = 17;
    out.push_back(node::EncodeSqlReply(reply));
    return out;
}

std::vector<std::string> RaftSeeds() {
    std::vector<std::string> out;
    raft::Message append = raft::MakeMessage(raft::MsgType::kAppend);
    append.term = Term(3);
    append.prev_index = LogIndex(4);
    append.prev_term = Term(2);
    append.entries.push_back({Term(3), LogIndex(5), raft::EntryType::kNormal, "put k1 7"});
    append.commit = LogIndex(4);
    out.push_back(raft::EncodeMessage(append));
    raft::Message vote = raft::MakeMessage(raft::MsgType::kVote);
    vote.term = Term(4);
    vote.last_index = LogIndex(5);
    vote.last_term = Term(3);
    out.push_back(raft::EncodeMessage(vote));
    raft::Message resp = raft::MakeMessage(raft::MsgType::kAppendResp, false);
    resp.term = Term(4);
    resp.reject_index = LogIndex(5);
    resp.hint_index = LogIndex(3);
    resp.hint_term = Term(2);
    out.push_back(raft::EncodeMessage(resp));
    return out;
}

std::string CommitSeed() {
    mvcc::CommitRequest req;
    req.txn_id = 9;
    req.snapshot_version = 12;
    req.writes = {{"a", std::string("1")}, {"b", std::nullopt}};
    req.read_keys = {"a", "c"};
    req.read_ranges = {{"d", "f"}, {"x", ""}};
    return mvcc::EncodeCommitRequest(req);
}

std::string BlockSeed() {
    storage::lsm::BlockBuilder builder(2);
    builder.Add("apple", "1", false);
    builder.Add("apricot", "", true);
    builder.Add("banana", "22", false);
    builder.Add("bandana", "333", false);
    builder.Add("cherry", "4", false);
    return std::string(builder.Finish());
}

std::string HistorySeed() {
    return R"({"index":0,"time":1000,"process":1,"type":"invoke","f":"write","key":"x","value":1}
{"index":1,"time":2000,"process":1,"type":"ok","f":"write","key":"x","value":1}
{"index":2,"time":2500,"process":2,"type":"invoke","f":"read","key":"x","value":null}
{"index":3,"time":3000,"process":2,"type":"ok","f":"read","key":"x","value":1}
)";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_corpus DIR\n");
        return 2;
    }
    std::string dir = argv[1];
    int n = 0;
    for (const std::string& s : ClientSeeds()) Write(dir, "fuzz_client_message", n++, s, true);
    n = 0;
    for (const std::string& s : SqlSeeds()) Write(dir, "fuzz_sql_message", n++, s, true);
    n = 0;
    for (const std::string& s : RaftSeeds()) Write(dir, "fuzz_raft_message", n++, s, true);
    node::Command command{node::CommandOp::kCas, 1001, 5, "k1", "8", "7"};
    Write(dir, "fuzz_kv_command", 0, node::EncodeCommand(command), true);
    Write(dir, "fuzz_commit_request", 0, CommitSeed(), false);
    Write(dir, "fuzz_key_encoding", 0,
          EncodeKey({int64_t{7}, std::string("a\0b", 3)}) + EncodeKey({2.5, true, std::monostate{}}),
          false);
    Write(dir, "fuzz_lsm_block", 0, BlockSeed(), true);
    storage::lsm::Manifest manifest{9, 7, {{8, 4096}, {5, 123}}};
    Write(dir, "fuzz_lsm_manifest", 0, storage::lsm::EncodeManifest(manifest), true);
    storage::WriteBatch batch;
    batch.Set("k1", "v1");
    batch.Delete("k2");
    Write(dir, "fuzz_btree_wal", 0, storage::btree::EncodeBatchRecord(17, batch), false);
    Write(dir, "fuzz_frame", 0,
          net::EncodeFrame(net::EncodeHello({net::HelloRole::kClient, 0})) +
              net::EncodeFrame("payload"),
          false);
    Write(dir, "fuzz_history", 0, HistorySeed(), false);
    storage::btree::Meta meta;
    meta.generation = 3;
    meta.root = 2;
    meta.height = 1;
    meta.page_count = 3;
    Write(dir, "fuzz_btree_page", 0, storage::btree::EncodeMeta(meta), true);
    std::string leaf(storage::btree::kPageBytes, '\0');
    storage::btree::PageHeader header;
    header.type = storage::btree::PageType::kLeaf;
    header.id = 2;
    header.generation = 3;
    storage::btree::SealPage(&leaf, header);
    Write(dir, "fuzz_btree_page", 1, leaf, true);
    std::printf("seed corpus written to %s\n", dir.c_str());
    return 0;
}
