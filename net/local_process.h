// Local processes and ports: what a harness needs to run a real cluster on this machine.
//
// The end-to-end tests and `orrery bench cluster` start real `orrery node` processes on
// localhost. They need free ports (chosen at run time, so two runs on one machine never clash),
// a way to start a child with its output in a file, and a way to wait for it with a deadline.
// These are thin wrappers over posix_spawn, waitpid and bind; they live in net/ because net/ is
// where the real world is allowed.
//
// Invariants: SpawnProcess never runs a shell (argv goes to the program as is); a spawned child
// gets its own session (setsid) so a terminal's signals reach only the harness; WaitProcess
// reaps only the pid it is given.
#pragma once

#include <chrono>

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "net/cluster_config.h"

namespace orrery::net {

// Returns n distinct TCP ports on 127.0.0.1 that were free a moment ago (all bound at once, then
// released). Another process may still take one before the caller binds it; callers retry.
Result<std::vector<uint16_t>> PickFreePorts(int n);

// A localhost config of n nodes on freshly picked free ports.
Result<ClusterConfig> FreeLocalhostConfig(int n);

// The path of the running executable (/proc/self/exe).
std::string SelfExecutable();

struct SpawnOptions {
    std::string stdin_path = "/dev/null";  // Opened read-only as the child's stdin.
    std::string stdout_path;               // "" = inherit; else appended (stderr goes there too).
    bool new_session = true;               // setsid(), so terminal signals skip the child.
    std::string program;                   // "" = argv[0]; else the path run, argv[0] kept as is.
};

// Starts argv[0] (a path; or options.program) with argv. kIOError if the spawn fails. REQUIRES: !argv.empty().
Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, const SpawnOptions& options);

// Waits for `pid` (a child of ours) to exit and returns its exit status (128+N if it died of
// signal N). kTimeout if it still runs after `timeout` (it is left running).
Result<int> WaitProcess(pid_t pid, Duration timeout);

// Spawns and waits: the exit status, or kTimeout (the child is then killed with SIGKILL).
Result<int> RunProcess(const std::vector<std::string>& argv, const SpawnOptions& options,
                       Duration timeout);

// The arguments of a running process (from /proc/PID/cmdline), or empty if it is gone.
std::vector<std::string> ProcessArgs(pid_t pid);

// True iff `pid` is alive and runs `orrery node --id <id> --config <config>` (any argv[0]): the
// check `orrery cluster` makes before it signals a pid from a pid file, so a recycled pid is
// left alone.
bool IsOrreryNode(pid_t pid, uint32_t id, const std::string& config);

// The state letter of /proc/PID/stat (R, S, T for stopped, Z, ...), or '\0' if the process is gone.
char ProcessState(pid_t pid);

// Reaps `pid` if it is our child, and reports whether it has gone. A zombie has gone too: a
// process started by an earlier command is reaped by init, which may take seconds.
bool ProcessGone(pid_t pid);

// Polls ProcessGone every 50 ms; false if `pid` still runs after `timeout`.
bool WaitProcessGone(pid_t pid, std::chrono::milliseconds timeout);

// True once something accepts TCP connections on host:port.
bool PortAcceptsConnections(const std::string& address);

// Ok if this process could bind host:port now (with SO_REUSEADDR, as the node's listeners do);
// kAlreadyExists naming the address when something holds it, kInvalidArgument when the host
// does not resolve. A check of the moment: another process may take the port right after.
Status CheckPortFree(const std::string& address);

}  // namespace orrery::net
