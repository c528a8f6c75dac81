#pragma once
// Sending a live feed (core/feed.h) to one client, over Beast: as WebSocket text frames or as
// server-sent events. Included by the HTTP server only, which keeps Beast out of other headers.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>

#include "core/feed.h"
#include "server/http.h"

namespace ws {

/// Silence after which a stream is poked (an SSE comment; the WebSocket pings on its own).
inline constexpr std::chrono::seconds kStreamIdle{25};

/// Sends `feed` as text frames until either side ends; what the client sends is read (so that
/// pings and the close handshake work) and ignored.
boost::asio::awaitable<void> sendFeed(boost::beast::websocket::stream<boost::beast::tcp_stream>& ws, Feed& feed);

/// Sends `res.feed` as server-sent events: the head of `res`, `: ping`, then one `data:` line per
/// message, and a comment after kStreamIdle of silence, which also finds clients that are gone.
boost::asio::awaitable<void> sendEvents(boost::beast::tcp_stream& stream, unsigned version, const Response& res,
                                        std::chrono::seconds write_timeout);

}  // namespace ws
