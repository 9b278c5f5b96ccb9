// OutboundLink: one endpoint's dialled connection to one remote listener, kept up forever.
//
// A node has one link per peer (role kPeer: frames flow one way, to the peer); a client process
// has one link per node it talks to (role kClient: the node answers on the same connection).
// The link resolves and dials the address, sends the hello, and then writes frames. When the
// connection fails or drops, it dials again after a backoff that starts at backoff_initial,
// doubles per failed attempt up to backoff_max, and is jittered to half..full of that value so a
// restarted node is not hit by every peer in the same millisecond. A successful connect resets it.
//
// Frames sent while the link is down wait in a queue with the same bounds as a connection's
// queue (QueueLimits); when it is full they are dropped. On connect the queue moves, in order,
// behind the hello.
//
// Invariants: at most one connection or dial attempt at a time; the hello is the first frame of
// every connection; in kPeer role any frame received is a protocol error and closes the
// connection; in kClient role the first frame received must be the node's hello answer.
// REQUIRES: used from its io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <string>

#include "core/random.h"
#include "core/types.h"
#include "net/connection.h"
#include "net/frame.h"
#include "net/logger.h"

namespace orrery::net {

inline constexpr Duration kDefaultBackoffInitial = Duration::Millis(20);
inline constexpr Duration kDefaultBackoffMax = Duration::Seconds(2);

struct LinkOptions {
    std::string address;  // "host:port" of the remote listener.
    Hello hello;          // What we introduce ourselves as.
    QueueLimits queue;
    Duration backoff_initial = kDefaultBackoffInitial;
    Duration backoff_max = kDefaultBackoffMax;
};

// Counters of one link, monotonic over its life.
struct LinkStats {
    uint64_t connects = 0;         // Connections established.
    uint64_t failed_dials = 0;     // Resolve or connect attempts that failed.
    uint64_t disconnects = 0;      // Established connections that ended.
    uint64_t dropped_full = 0;     // Frames dropped because a queue was full.
};

class OutboundLink {
public:
    // Receives a data frame's payload (kClient role only).
    using FrameFn = std::function<void(std::string payload)>;
    // Receives the node's hello answer (kClient role only).
    using HelloFn = std::function<void(const Hello& answer)>;

    // `remote` names the other end in logs. Does not dial until the first Send or Start.
    OutboundLink(boost::asio::io_context& io, NodeId remote, LinkOptions options, Random& random,
                 Logger& log);
    ~OutboundLink();
    OutboundLink(const OutboundLink&) = delete;
    OutboundLink& operator=(const OutboundLink&) = delete;

    // Installs the callbacks for a kClient link.
    void SetCallbacks(FrameFn on_frame, HelloFn on_hello);

    // Starts dialling if idle.
    void Start();

    // Queues an encoded frame; dials if idle. Returns false if the frame was dropped (full).
    bool Send(std::string frame);

    // Points the link at a new address; the current connection, if any, is closed.
    void SetAddress(std::string address);

    bool connected() const { return conn_ != nullptr; }
    // kClient: true once the current connection's hello has been answered.
    bool answered() const { return conn_ != nullptr && answered_; }
    const LinkStats& stats() const { return stats_; }

private:
    enum class State { kIdle, kDialling, kConnected, kBackoff };

    void Dial();
    void OnResolved(const boost::system::error_code& ec,
                    const boost::asio::ip::tcp::resolver::results_type& endpoints);
    void OnConnected(const boost::system::error_code& ec);
    void OnFrame(std::string payload);
    void OnClosed(const Status& why);
    void DialFailed(const std::string& why);
    void ScheduleRedial(Duration delay);

    boost::asio::io_context& io_;
    NodeId remote_;
    LinkOptions options_;
    Random& random_;
    Logger& log_;
    State state_ = State::kIdle;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::ip::tcp::socket dialling_socket_;
    boost::asio::steady_timer redial_timer_;
    std::shared_ptr<Connection> conn_;
    FrameQueue pending_;         // Frames waiting for a connection.
    Duration backoff_;           // The next failed dial waits about this long.
    bool answered_ = false;      // kClient: the node's hello answer has arrived.
    int failures_in_a_row_ = 0;  // Failed dials since the last connection (for quiet logs).
    LinkStats stats_;
    FrameFn on_frame_;
    HelloFn on_hello_;
    std::shared_ptr<char> alive_;  // Completion handlers hold a weak_ptr to it.
};

}  // namespace orrery::net
