// StreamListener: a TCP listener for a byte-stream protocol that is not Orrery's own framing
// (the PostgreSQL wire protocol, served by `orrery node --pg-port`). The node's client and peer
// ports carry net/frame.h frames through Connection; this carries raw bytes both ways and leaves
// the cutting to its owner (node::PgConnection cuts PostgreSQL messages).
//
// It runs on the node's io_context, the same event loop as the node's TcpNetwork, so everything
// it hands its owner happens on that one thread, between the node's other events.
//
// StreamConnection: one accepted socket.
//   - Start(on_bytes, on_close): reads forever, handing each chunk to on_bytes.
//   - Write(bytes): queues bytes in order; more than limits bytes_max queued closes the
//     connection (kBusy): a client that stops reading must not grow the node.
//   - Close(): stops reading, writes out what is queued, then closes the socket (a FATAL error
//     message must reach the client before the connection ends).
//   - on_close(why) runs exactly once, never inline in a call of the owner: after EOF (OK), a
//     socket error (kIOError), an overfull queue, or Close() once the queue is written. No
//     callback runs after it, nor after Detach().
//   - Handlers keep the connection alive (shared_from_this) until the socket is done with it.
//
// REQUIRES: used from its io_context's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "net/connection.h"
#include "net/logger.h"

namespace orrery::net {

class StreamConnection : public std::enable_shared_from_this<StreamConnection> {
public:
    using BytesFn = std::function<void(std::string_view bytes)>;
    using CloseFn = std::function<void(const Status& why)>;

    StreamConnection(boost::asio::ip::tcp::socket socket, size_t bytes_max, std::string label);

    void Start(BytesFn on_bytes, CloseFn on_close);
    void Write(std::string_view bytes);
    void Close();
    // Forgets both callbacks and closes the socket at once: for an owner that is going away.
    void Detach();

    bool closing() const { return closing_ || ended_; }
    const std::string& label() const { return label_; }
    size_t queued_bytes() const { return queued_.size() + writing_.size(); }

private:
    void ReadMore();
    void WriteMore();
    // Closes the socket and posts on_close(why). Idempotent.
    void End(Status why);

    boost::asio::ip::tcp::socket socket_;
    size_t bytes_max_;
    std::string label_;
    std::array<char, kReadBufferBytes> read_buf_{};
    std::string queued_;   // Not yet handed to the socket.
    std::string writing_;  // Being written (empty: no write in flight).
    bool closing_ = false;  // Close() was called: end once everything is written.
    bool ended_ = false;
    BytesFn on_bytes_;
    CloseFn on_close_;
};

struct StreamListenerOptions {
    std::string listen;  // "host:port"; port 0 picks a free one (tests).
    size_t bytes_max = kDefaultQueueBytesMax;  // Per connection's outbound queue.
};

class StreamListener {
public:
    using AcceptFn = std::function<void(std::shared_ptr<StreamConnection> connection)>;

    // Listens at once; kIOError/kInvalidArgument when the address cannot be bound. Every
    // accepted connection goes to on_accept (not started: the owner calls Start).
    static Result<std::unique_ptr<StreamListener>> Create(boost::asio::io_context& io,
                                                          StreamListenerOptions options,
                                                          AcceptFn on_accept, Logger& log);
    ~StreamListener();
    StreamListener(const StreamListener&) = delete;
    StreamListener& operator=(const StreamListener&) = delete;

    uint16_t port() const;
    uint64_t accepted() const { return accepted_; }

private:
    StreamListener(boost::asio::io_context& io, StreamListenerOptions options, AcceptFn on_accept,
                   Logger& log);
    void Accept();

    StreamListenerOptions options_;
    AcceptFn on_accept_;
    Logger& log_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<char> alive_;  // Queued accept handlers check it.
    uint64_t accepted_ = 0;
};

}  // namespace orrery::net
