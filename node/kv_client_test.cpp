// Tests of KvClient's retry logic against a hand-driven clock and network (golden scripts
// testdata/client_*.txt): same seq on every retry, hints followed, and the ok/fail/info rules.
#include "node/kv_client.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>

#include "testkit/golden.h"

namespace orrery::node {
namespace {

// A clock whose time moves only when the test says so.
class ManualClock final : public Clock {
public:
    Timestamp Now() const override { return now_; }
    TimerId SetTimer(Duration after, std::function<void()> fn) override {
        TimerId id = next_id_++;
        timers_[{now_ + std::max(after, Duration(0)), id}] = std::move(fn);
        return id;
    }
    void CancelTimer(TimerId id) override {
        for (auto it = timers_.begin(); it != timers_.end(); ++it) {
            if (it->first.second == id) {
                timers_.erase(it);
                return;
            }
        }
    }
    // Moves time forward by d, firing due timers in (time, id) order.
    void Advance(Duration d) {
        Timestamp end = now_ + d;
        while (!timers_.empty() && timers_.begin()->first.first <= end) {
            auto it = timers_.begin();
            now_ = it->first.first;
            auto fn = std::move(it->second);
            timers_.erase(it);
            fn();
        }
        now_ = end;
    }

private:
    Timestamp now_;
    TimerId next_id_ = 1;
    std::map<std::pair<Timestamp, TimerId>, std::function<void()>> timers_;
};

// Logs what the client sends, and when.
class CapturingNetwork final : public Network {
public:
    CapturingNetwork(const Clock& clock, std::vector<std::string>& log) : clock_(clock), log_(log) {}
    NodeId self() const override { return NodeId(1001); }
    void Send(NodeId to, std::string bytes) override {
        log_.push_back(fmt::format("{} → {} {}", clock_.Now(), to, DescribeDatagram(bytes)));
    }
    void SetHandler(Handler h) override { handler = std::move(h); }
    Handler handler;

private:
    const Clock& clock_;
    std::vector<std::string>& log_;
};

class NoDisk final : public Disk {
public:
    Result<std::unique_ptr<File>> Open(std::string_view, OpenMode) override {
        return Status::NotSupported("no disk");
    }
    Status Rename(std::string_view, std::string_view) override { return Status::NotSupported(""); }
    Status Remove(std::string_view) override { return Status::NotSupported(""); }
    Status SyncDir() override { return Status::NotSupported(""); }
    Result<std::vector<std::string>> List() override { return std::vector<std::string>{}; }
    bool Exists(std::string_view) override { return false; }
};

ReplyCode ParseCode(const std::string& s) {
    if (s == "ok") return ReplyCode::kOk;
    if (s == "not-found") return ReplyCode::kNotFound;
    if (s == "cas-failed") return ReplyCode::kCasFailed;
    if (s == "not-leader") return ReplyCode::kNotLeader;
    return ReplyCode::kError;
}

class Harness {
public:
    Harness() : env_{NodeId(1001), clock_, random_, disk_, net_, tracer_, faults_} {}

    Result<std::string> Run(const testkit::GoldenCommand& cmd) {
        if (cmd.name == "client") {
            KvClientOptions o;
            for (int i = 1; i <= cmd.GetInt("servers", 3); ++i) o.servers.push_back(NodeId(i));
            o.client_id = 7;
            client_.reset();
            client_ = std::make_unique<KvClient>(env_, o);
            return std::string();
        }
        if (!client_) return Status::InvalidArgument("no client");
        if (cmd.name == "put") return Start([&](auto d) { client_->Put(cmd.args.at(0), cmd.args.at(1), d); });
        if (cmd.name == "get") return Start([&](auto d) { client_->Get(cmd.args.at(0), d); });
        if (cmd.name == "cas") {
            return Start([&](auto d) { client_->Cas(cmd.args.at(0), cmd.args.at(1), cmd.args.at(2), d); });
        }
        if (cmd.name == "status") return Start([&](auto d) { client_->Status(NodeId(cmd.GetInt("server", 1)), d); });
        if (cmd.name == "reply") return Reply(cmd);
        if (cmd.name == "garbage") {
            net_.handler(NodeId(1), std::string("\x02garbage", 8));
            return Drain();
        }
        if (cmd.name == "advance") {
            clock_.Advance(Duration::Millis(cmd.GetInt("ms", 0)));
            return Drain();
        }
        return Status::InvalidArgument("unknown command " + cmd.name);
    }

private:
    template <typename F>
    Result<std::string> Start(F start) {
        start([this](const KvOutcome& o) {
            std::string text = fmt::format("outcome: {}", OutcomeTypeName(o.type));
            if (o.type != KvOutcome::Type::kInfo) text += fmt::format(" {}", ReplyCodeName(o.code));
            if (!o.value.empty()) text += fmt::format(" value={}", o.value);
            if (!o.error.empty()) text += fmt::format(" ({})", o.error);
            log_.push_back(fmt::format("{} {} attempts={}", clock_.Now(), text, o.attempts));
        });
        return Drain();
    }

    Result<std::string> Reply(const testkit::GoldenCommand& cmd) {
        ClientReply r;
        r.client_id = static_cast<uint64_t>(cmd.GetInt("client", 7));
        r.seq = static_cast<uint64_t>(cmd.GetInt("seq", static_cast<int64_t>(client_->last_seq())));
        r.code = ParseCode(cmd.Get("code", "ok"));
        r.leader_hint = static_cast<uint32_t>(cmd.GetInt("leader", 0));
        r.value = cmd.Get("value");
        net_.handler(NodeId(cmd.GetInt("from", 1)), Frame(Channel::kClient, EncodeReply(r)));
        return Drain();
    }

    // Everything the client sent or reported since the last command, with the time.
    std::string Drain() {
        std::string out;
        for (const auto& line : log_) out += line + "\n";
        log_.clear();
        return out;
    }

    ManualClock clock_;
    Random random_{1};
    NoDisk disk_;
    std::vector<std::string> log_;
    CapturingNetwork net_{clock_, log_};
    NullTracer tracer_;
    NoFaultPoints faults_;
    Env env_;
    std::unique_ptr<KvClient> client_;
};

}  // namespace

TEST_CASE("kv client golden scripts", "[node]") {
    for (const auto& file : testkit::ListGoldenFiles("testdata", ".txt")) {
        if (file.find("client_") == std::string::npos) continue;
        Harness h;
        testkit::RunGoldenFile(file, [&](const testkit::GoldenCommand& c) { return h.Run(c); });
    }
}

}  // namespace orrery::node
