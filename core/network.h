// Network: unreliable datagrams between endpoints, the only way a node talks to anyone.
//
// Contract:
//  - Send(to, bytes) may deliver the message once, never, more than once, late, or out of order.
//    A link may be cut in either direction. It never blocks and never fails loudly: protocol
//    code must tolerate loss by retrying on timers. (TCP in the real world is stricter, so code
//    written for this contract holds there too.)
//  - Delivery calls the handler on the receiving node's own event loop, never inline in Send.
//  - Messages are bytes: the same codec runs in the simulator and on sockets, so bit flips hit
//    real encodings and checksums must catch them.
//  - Clients are endpoints too (ids >= kFirstClientId); their requests and replies cross the
//    same network and are traced like everything else.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/types.h"

namespace orrery {

class Network {
public:
    using Handler = std::function<void(NodeId from, std::string_view bytes)>;

    virtual ~Network() = default;

    // This endpoint's id.
    virtual NodeId self() const = 0;

    // Sends bytes to `to`; see the contract above.
    virtual void Send(NodeId to, std::string bytes) = 0;

    // Installs the function that receives this endpoint's messages (replacing any previous one).
    virtual void SetHandler(Handler handler) = 0;
};

}  // namespace orrery
