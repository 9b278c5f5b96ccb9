// Connection: one TCP socket carrying frames both ways, with a bounded outbound queue.
//
// It reads the socket forever, cutting the stream with a FrameDecoder and handing each payload to
// on_frame; it writes queued frames in order, several per write(2). It knows nothing about
// hellos or node ids: its owner (an OutboundLink or TcpNetwork) gives the frames meaning.
//
// Invariants:
//  - The queue holds at most limits.frames_max frames and limits.bytes_max bytes, counting the
//    frames being written. A Send that would exceed either bound drops the frame and returns
//    false: the network contract allows loss, and a slow or dead peer must not grow a node's
//    memory without limit.
//  - on_close runs exactly once, when the connection ends for any reason: a clean EOF (OK), a
//    socket error (kIOError), a malformed frame (kCorruption), or the owner's Close(). No
//    callback runs after it, nor after Detach().
//  - Handlers keep the Connection alive (shared_from_this) until the socket is done with it.
//
// REQUIRES: used from its io_context's thread only.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "net/frame.h"

namespace orrery::net {

// Default bounds of one outbound queue (per peer link or client connection).
inline constexpr size_t kDefaultQueueFramesMax = 4096;
inline constexpr size_t kDefaultQueueBytesMax = 64u << 20;
// The read buffer, and the most frames handed to one write(2).
inline constexpr size_t kReadBufferBytes = 64u << 10;
inline constexpr size_t kMaxFramesPerWrite = 64;

struct QueueLimits {
    size_t frames_max = kDefaultQueueFramesMax;
    size_t bytes_max = kDefaultQueueBytesMax;
};

// A FIFO of encoded frames that refuses to grow past its limits.
class FrameQueue {
public:
    explicit FrameQueue(QueueLimits limits) : limits_(limits) {}

    // Appends a frame; returns false (dropping it) when either limit would be exceeded.
    bool Push(std::string frame);
    // Removes and returns the oldest frame. REQUIRES: !empty().
    std::string Pop();

    bool empty() const { return frames_.empty(); }
    size_t size() const { return frames_.size(); }
    size_t bytes() const { return bytes_; }
    const std::string& at(size_t i) const { return frames_.at(i); }

private:
    QueueLimits limits_;
    std::deque<std::string> frames_;  // References stay valid across push_back: writes use them.
    size_t bytes_ = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    using FrameFn = std::function<void(std::string payload)>;
    using CloseFn = std::function<void(const Status& why)>;

    // Wraps a connected socket. `label` names it in logs ("127.0.0.1:50312").
    Connection(boost::asio::ip::tcp::socket socket, QueueLimits limits, std::string label);

    // Starts reading. Callbacks run on the io_context's thread, never inline in this call.
    void Start(FrameFn on_frame, CloseFn on_close);

    // Queues an encoded frame for writing. Returns false if it was dropped (queue full or closed).
    bool Send(std::string frame);

    // Closes the socket and runs on_close(why) once (synchronously). Idempotent.
    void Close(const Status& why);

    // Forgets both callbacks and closes the socket: for an owner that is going away.
    void Detach();

    bool closed() const { return closed_; }
    const std::string& label() const { return label_; }
    void set_label(std::string label) { label_ = std::move(label); }
    size_t queued_frames() const { return queue_.size(); }

private:
    void ReadMore();
    void OnRead(const boost::system::error_code& ec, size_t n);
    void WriteMore();
    void OnWrite(const boost::system::error_code& ec);

    boost::asio::ip::tcp::socket socket_;
    std::string label_;
    FrameQueue queue_;
    FrameDecoder decoder_;
    std::array<char, kReadBufferBytes> read_buf_{};
    size_t writing_frames_ = 0;  // Frames at the queue's front being written; 0 = idle.
    bool closed_ = false;
    FrameFn on_frame_;
    CloseFn on_close_;
};

}  // namespace orrery::net
