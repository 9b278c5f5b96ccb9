// ClientEnv and RunUntil. See client_env.h.
#include "net/client_env.h"

#include "net/real_random.h"

namespace orrery::net {

ClientEnv::ClientEnv(boost::asio::io_context& io, ClientEnvOptions options)
    : log_(options.name, options.log_level),
      clock_(io),
      random_(MakeNodeRandom(NodeId(kFirstClientId), options.seed)) {
    ORRERY_ASSERT(!options.servers.empty(), "a client needs at least one server");
    TcpClientOptions network_options;
    network_options.servers = std::move(options.servers);
    network_ = std::make_unique<TcpClient>(io, std::move(network_options), random_, log_, tracer_);
    env_ = std::make_unique<Env>(
        Env{NodeId(kFirstClientId), clock_, random_, disk_, *network_, tracer_, faults_});
}

bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& done) {
    if (io.stopped()) io.restart();
    while (!done()) {
        if (io.run_one() == 0) return done();
    }
    return true;
}

}  // namespace orrery::net
