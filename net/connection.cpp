// Connection: framed reads, batched writes, a bounded queue. See connection.h.
#include "net/connection.h"

#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include <vector>

namespace orrery::net {

namespace {
// The most frames one read can complete: each frame is at least a header long.
constexpr size_t kMaxFramesPerRead = kReadBufferBytes / kFrameHeaderBytes + 1;
}  // namespace

bool FrameQueue::Push(std::string frame) {
    if (frames_.size() + 1 > limits_.frames_max) return false;
    if (bytes_ + frame.size() > limits_.bytes_max) return false;
    bytes_ += frame.size();
    frames_.push_back(std::move(frame));
    return true;
}

std::string FrameQueue::Pop() {
    ORRERY_ASSERT(!frames_.empty(), "Pop from an empty frame queue");
    std::string frame = std::move(frames_.front());
    frames_.pop_front();
    bytes_ -= frame.size();
    return frame;
}

Connection::Connection(boost::asio::ip::tcp::socket socket, QueueLimits limits, std::string label)
    : socket_(std::move(socket)), label_(std::move(label)), queue_(limits) {
    boost::system::error_code ignored;
    socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);  // Raft is latency-bound.
}

void Connection::Start(FrameFn on_frame, CloseFn on_close) {
    ORRERY_ASSERT(on_frame && on_close, "Connection::Start needs both callbacks");
    on_frame_ = std::move(on_frame);
    on_close_ = std::move(on_close);
    ReadMore();
}

bool Connection::Send(std::string frame) {
    if (closed_) return false;
    if (!queue_.Push(std::move(frame))) return false;
    if (writing_frames_ == 0) WriteMore();
    return true;
}

void Connection::Close(const Status& why) {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    on_frame_ = nullptr;
    CloseFn on_close = std::move(on_close_);
    on_close_ = nullptr;
    if (on_close) on_close(why);
}

void Connection::Detach() {
    on_frame_ = nullptr;
    on_close_ = nullptr;
    Close(Status::Ok());
}

void Connection::ReadMore() {
    socket_.async_read_some(
        boost::asio::buffer(read_buf_),
        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
            self->OnRead(ec, n);
        });
}

void Connection::OnRead(const boost::system::error_code& ec, size_t n) {
    if (closed_) return;
    if (ec == boost::asio::error::eof) {
        if (decoder_.buffered() > 0) {
            Close(Status::Corruption(fmt::format("stream ended inside a frame ({} bytes buffered)",
                                                 decoder_.buffered())));
        } else {
            Close(Status::Ok());
        }
        return;
    }
    if (ec) {
        Close(Status::IOError(fmt::format("read: {}", ec.message())));
        return;
    }
    decoder_.Feed(std::string_view(read_buf_.data(), n));
    for (size_t i = 0; i < kMaxFramesPerRead; ++i) {
        Result<std::optional<std::string>> next = decoder_.Next();
        if (!next.ok()) {
            Close(next.status());
            return;
        }
        if (!next->has_value()) break;
        on_frame_(std::move(**next));
        if (closed_) return;  // The owner closed us from inside the callback.
    }
    ReadMore();
}

void Connection::WriteMore() {
    ORRERY_ASSERT(writing_frames_ == 0, "one write at a time");
    if (queue_.empty() || closed_) return;
    writing_frames_ = std::min(queue_.size(), kMaxFramesPerWrite);
    std::vector<boost::asio::const_buffer> buffers;
    buffers.reserve(writing_frames_);
    for (size_t i = 0; i < writing_frames_; ++i) {
        buffers.emplace_back(boost::asio::buffer(queue_.at(i)));
    }
    boost::asio::async_write(
        socket_, buffers,
        [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
            self->OnWrite(ec);
        });
}

void Connection::OnWrite(const boost::system::error_code& ec) {
    if (closed_) return;
    if (ec) {
        Close(Status::IOError(fmt::format("write: {}", ec.message())));
        return;
    }
    for (size_t i = 0; i < writing_frames_; ++i) queue_.Pop();
    writing_frames_ = 0;
    WriteMore();
}

}  // namespace orrery::net
