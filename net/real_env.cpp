// RealEnv: assembles a real node's Env. See real_env.h.
#include "net/real_env.h"

#include <fmt/format.h>

#include "net/real_random.h"
#include "net/real_tracer.h"

namespace orrery::net {

Result<std::unique_ptr<RealEnv>> RealEnv::Create(boost::asio::io_context& io,
                                                 RealEnvOptions options,
                                                 std::unique_ptr<Disk> disk, Logger& log) {
    ORRERY_ASSERT(disk != nullptr, "RealEnv needs a disk");
    auto me = options.cluster.nodes.find(options.node);
    if (me == options.cluster.nodes.end()) {
        return Status::InvalidArgument(
            fmt::format("node {} is not in the cluster config", options.node.value()));
    }
    std::unique_ptr<RealEnv> env(new RealEnv());
    env->clock_ = std::make_unique<RealClock>(io);
    env->random_ = std::make_unique<Random>(MakeNodeRandom(options.node, options.seed));
    env->net_random_ = std::make_unique<Random>(env->random_->Fork("net"));
    log.Info("random seed {}", env->random_->seed());

    env->disk_ = std::move(disk);
    if (options.trace_path.empty()) {
        env->tracer_ = std::make_unique<NullTracer>();
    } else {
        ORRERY_ASSIGN_OR_RETURN(env->tracer_, RealTracer::Open(options.trace_path, *env->clock_));
        log.Info("tracing to {}", options.trace_path);
    }

    TcpNetworkOptions net_options;
    net_options.self = options.node;
    net_options.peer_listen = me->second.peer;
    net_options.client_listen = options.client_listener ? me->second.client : "";
    net_options.peers = options.cluster.PeerAddresses();
    net_options.render = std::move(options.render);
    ORRERY_ASSIGN_OR_RETURN(env->network_, TcpNetwork::Create(io, std::move(net_options),
                                                               *env->net_random_, log,
                                                               *env->tracer_));
    env->env_ = std::make_unique<Env>(Env{options.node, *env->clock_, *env->random_, *env->disk_,
                                          *env->network_, *env->tracer_, env->faults_});
    return env;
}

}  // namespace orrery::net
