// Host-side check of the device code's scalar functions: compiled by nvcc as an ordinary host
// program (no GPU needed) from the same sources the PTX comes from, driven by DeviceCodeHostTest.
// stdin lines, stdout one line each (all floats as hex bit patterns, so comparisons are exact):
//   dropout <seed> <index>                      → <bits of dropout_uniform>
//   adamw <p> <m> <v> <g> <decay> <w1> <b2> <w2> <stepSize> <bc2Sqrt> <eps> <applyDecay>
//                                               → <p> <m> <v>
#include <cstdio>
#include <cstring>
#include <cstdint>
#include "../../main/cuda/adamw.cu"

static float f(uint32_t bits) {
    float x;
    std::memcpy(&x, &bits, 4);
    return x;
}

static uint32_t b(float x) {
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    return bits;
}

int main() {
    char op[16];
    while (std::scanf("%15s", op) == 1) {
        if (std::strcmp(op, "dropout") == 0) {
            unsigned long long seed, index;
            if (std::scanf("%llx %llx", &seed, &index) != 2) return 2;
            std::printf("%08x\n", b(dropout_uniform(seed, index)));
        } else if (std::strcmp(op, "adamw") == 0) {
            uint32_t v[11];
            int decay;
            for (int i = 0; i < 11; i++)
                if (std::scanf("%x", &v[i]) != 1) return 2;
            if (std::scanf("%d", &decay) != 1) return 2;
            float p = f(v[0]), m = f(v[1]), vv = f(v[2]);
            AdamWScalars s{f(v[4]), f(v[5]), f(v[6]), f(v[7]), f(v[8]), f(v[9]), f(v[10]), decay};
            adamw_update(p, m, vv, f(v[3]), s);
            std::printf("%08x %08x %08x\n", b(p), b(m), b(vv));
        } else {
            return 3;
        }
    }
    return 0;
}
