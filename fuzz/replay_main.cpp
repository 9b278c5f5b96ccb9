// A main() for a fuzz target outside libFuzzer: feeds every file of the directories named on the
// command line (missing directories are skipped) to LLVMFuzzerTestOneInput, in name order, and
// exits 0 when none crashed. ctest runs it over each target's seed corpus and regressions, so
// the inputs that once broke a decoder keep being tested in every build, sanitizer builds too.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
    size_t inputs = 0;
    for (int i = 1; i < argc; ++i) {
        std::filesystem::path dir(argv[i]);
        if (!std::filesystem::is_directory(dir)) continue;
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            if (entry.is_regular_file()) files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            std::ifstream in(file, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
            ++inputs;
        }
    }
    std::printf("replayed %zu inputs without a crash\n", inputs);
    // No input at all means the corpus is missing: that is a broken test, not a pass.
    return inputs > 0 ? 0 : 1;
}
