// OutboundLink: dial, hello, write, and redial with capped exponential backoff.
// See outbound_link.h.
#include "net/outbound_link.h"

#include <boost/asio/connect.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "net/cluster_config.h"

namespace orrery::net {

OutboundLink::OutboundLink(boost::asio::io_context& io, NodeId remote, LinkOptions options,
                           Random& random, Logger& log)
    : io_(io),
      remote_(remote),
      options_(std::move(options)),
      random_(random),
      log_(log),
      resolver_(io),
      dialling_socket_(io),
      redial_timer_(io),
      pending_(options_.queue),
      backoff_(options_.backoff_initial),
      alive_(std::make_shared<char>(0)) {
    ORRERY_ASSERT(options_.backoff_initial.us() > 0, "backoff must be positive");
    ORRERY_ASSERT(options_.backoff_initial <= options_.backoff_max, "backoff cap below its start");
}

OutboundLink::~OutboundLink() {
    alive_.reset();  // Handlers still queued find the link gone and do nothing.
    boost::system::error_code ignored;
    resolver_.cancel();
    dialling_socket_.close(ignored);
    redial_timer_.cancel();
    if (conn_) conn_->Detach();
}

void OutboundLink::SetCallbacks(FrameFn on_frame, HelloFn on_hello) {
    on_frame_ = std::move(on_frame);
    on_hello_ = std::move(on_hello);
}

void OutboundLink::Start() {
    if (state_ == State::kIdle) Dial();
}

bool OutboundLink::Send(std::string frame) {
    bool queued = conn_ ? conn_->Send(std::move(frame)) : pending_.Push(std::move(frame));
    if (!queued) ++stats_.dropped_full;
    if (state_ == State::kIdle) Dial();
    return queued;
}

void OutboundLink::SetAddress(std::string address) {
    options_.address = std::move(address);
    if (conn_) conn_->Close(Status::Ok());  // OnClosed redials, now at the new address.
}

void OutboundLink::Dial() {
    state_ = State::kDialling;
    Result<HostPort> hp = ParseHostPort(options_.address);
    if (!hp.ok()) {
        DialFailed(hp.status().message());
        return;
    }
    resolver_.async_resolve(
        hp->host, std::to_string(hp->port),
        [this, alive = std::weak_ptr<char>(alive_)](
            const boost::system::error_code& ec,
            const boost::asio::ip::tcp::resolver::results_type& endpoints) {
            if (!alive.expired()) OnResolved(ec, endpoints);
        });
}

void OutboundLink::OnResolved(const boost::system::error_code& ec,
                              const boost::asio::ip::tcp::resolver::results_type& endpoints) {
    if (ec) {
        DialFailed(fmt::format("resolve: {}", ec.message()));
        return;
    }
    dialling_socket_ = boost::asio::ip::tcp::socket(io_);
    boost::asio::async_connect(
        dialling_socket_, endpoints,
        [this, alive = std::weak_ptr<char>(alive_)](const boost::system::error_code& ec2,
                                                    const boost::asio::ip::tcp::endpoint&) {
            if (!alive.expired()) OnConnected(ec2);
        });
}

void OutboundLink::OnConnected(const boost::system::error_code& ec) {
    if (ec) {
        boost::system::error_code ignored;
        dialling_socket_.close(ignored);
        DialFailed(fmt::format("connect: {}", ec.message()));
        return;
    }
    std::string label = fmt::format("{} ({})", remote_, options_.address);
    // The connection's queue has one extra slot for the hello, so everything pending fits.
    QueueLimits limits = options_.queue;
    limits.frames_max += 1;
    limits.bytes_max += kFrameHeaderBytes + kHelloBytes;
    conn_ = std::make_shared<Connection>(std::move(dialling_socket_), limits, label);
    dialling_socket_ = boost::asio::ip::tcp::socket(io_);
    state_ = State::kConnected;
    ++stats_.connects;
    log_.Info("link to {} up{}", label,
              failures_in_a_row_ > 0 ? fmt::format(" after {} failed dials", failures_in_a_row_)
                                     : std::string());
    failures_in_a_row_ = 0;
    backoff_ = options_.backoff_initial;
    answered_ = false;
    auto alive = std::weak_ptr<char>(alive_);
    conn_->Start(
        [this, alive](std::string payload) {
            if (!alive.expired()) OnFrame(std::move(payload));
        },
        [this, alive](const Status& why) {
            if (!alive.expired()) OnClosed(why);
        });
    conn_->Send(EncodeFrame(EncodeHello(options_.hello)));  // First on an empty queue: fits.
    while (!pending_.empty()) {
        if (!conn_->Send(pending_.Pop())) ++stats_.dropped_full;
    }
}

void OutboundLink::OnFrame(std::string payload) {
    if (options_.hello.role == HelloRole::kPeer) {
        conn_->Close(Status::Corruption("a peer wrote on our outbound link"));
        return;
    }
    if (!answered_) {
        Result<Hello> answer = DecodeHello(payload);
        if (!answer.ok() || answer->role != HelloRole::kClient) {
            conn_->Close(answer.ok() ? Status::Corruption("hello answer with the peer role")
                                     : answer.status().WithContext("hello answer"));
            return;
        }
        answered_ = true;
        if (on_hello_) on_hello_(*answer);
        return;
    }
    if (on_frame_) on_frame_(std::move(payload));
}

void OutboundLink::OnClosed(const Status& why) {
    std::string label = conn_->label();
    conn_.reset();
    ++stats_.disconnects;
    if (why.ok()) {
        log_.Info("link to {} closed by the other end", label);
    } else {
        log_.Warn("link to {} closed: {}", label, why.ToString());
    }
    state_ = State::kBackoff;
    ScheduleRedial(backoff_);
}

void OutboundLink::DialFailed(const std::string& why) {
    ++stats_.failed_dials;
    ++failures_in_a_row_;
    // One line per outage, not one per attempt: a dead peer would otherwise flood the log.
    if (failures_in_a_row_ == 1) {
        log_.Info("cannot reach {} at {}: {} (retrying, backoff up to {})", remote_,
                  options_.address, why, options_.backoff_max);
    } else {
        log_.Debug("cannot reach {} at {}: {} (attempt {})", remote_, options_.address, why,
                   failures_in_a_row_);
    }
    state_ = State::kBackoff;
    Duration delay = backoff_;
    backoff_ = std::min(backoff_ * 2, options_.backoff_max);
    ScheduleRedial(delay);
}

void OutboundLink::ScheduleRedial(Duration delay) {
    Duration jittered = random_.RangeDuration(delay / 2, delay);
    redial_timer_.expires_after(std::chrono::microseconds(jittered.us()));
    redial_timer_.async_wait(
        [this, alive = std::weak_ptr<char>(alive_)](const boost::system::error_code& ec) {
            if (alive.expired() || ec) return;
            if (state_ == State::kBackoff) Dial();
        });
}

}  // namespace orrery::net
