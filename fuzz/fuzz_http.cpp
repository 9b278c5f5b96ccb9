// Fuzz target: the metrics endpoint's HTTP parsers (net/http.h). ParseRequestHead reads what any
// local process sends to a node's metrics port; ParseResponse reads what answers at a metrics
// address for `orrery cluster status --metrics`. Neither may crash, and what they accept must
// hold what the server and the CLI rely on.
#include "fuzz/fuzz_util.h"
#include "net/http.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto head = net::ParseRequestHead(bytes);
    if (head.ok()) {
        FUZZ_CHECK(!head->method.empty());
        FUZZ_CHECK(!head->target.empty() && head->target[0] == '/');
        FUZZ_CHECK(head->target.find('?') == std::string::npos);
        FUZZ_CHECK(head->version == "HTTP/1.0" || head->version == "HTTP/1.1");
    }
    auto reply = net::ParseResponse(bytes);
    if (reply.ok()) {
        FUZZ_CHECK(reply->status >= 0 && reply->status <= 999);
        FUZZ_CHECK(reply->body.size() <= bytes.size());
    }
    return 0;
}
