#include "CVectorKernels.h"

#include <math.h>

// The kernels must give the bits of the scalar formula: no contraction of a·b + c into a fused multiply-add.
#pragma clang fp contract(off)
#pragma STDC FP_CONTRACT OFF

static inline void adam_scalar(
    const float *theta, const float *gradient, float *m, float *v, float *out, long start, long end,
    MontagueAdamConstants c) {
    for (long i = start; i < end; i++) {
        float p = theta[i] * c.shrink;
        float g = gradient[i] + c.l2Penalty * p;
        float mi = m[i] + c.oneMinusBeta1 * (g - m[i]);
        float vi = v[i] * c.beta2 + (c.oneMinusBeta2 * g) * g;
        float denominator = sqrtf(vi) + c.scaledEpsilon;
        m[i] = mi;
        v[i] = vi;
        out[i] = p - c.scaledStepSize * (mi / denominator);
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// One body for every vector width: `ADAM_VECTOR(name, target, lanes, vector type, intrinsic prefix)` defines
// `name`, compiled for `target` only, running `lanes` elements per iteration with the `prefix##_…_ps` intrinsics in
// the scalar formula's order, then the scalar loop for the tail.
#define ADAM_VECTOR(NAME, TARGET, LANES, VEC, P)                                                                  \
    __attribute__((target(TARGET))) static void NAME(                                                          \
        const float *theta, const float *gradient, float *m, float *v, float *out, long count,               \
        MontagueAdamConstants c) {                                                                            \
        const VEC shrink = P##_set1_ps(c.shrink), l2 = P##_set1_ps(c.l2Penalty);                              \
        const VEC b1c = P##_set1_ps(c.oneMinusBeta1), b2 = P##_set1_ps(c.beta2);                              \
        const VEC b2c = P##_set1_ps(c.oneMinusBeta2), step = P##_set1_ps(c.scaledStepSize);                   \
        const VEC eps = P##_set1_ps(c.scaledEpsilon);                                                         \
        long i = 0;                                                                                           \
        for (; i + (LANES) <= count; i += (LANES)) {                                                          \
            VEC p = P##_mul_ps(P##_loadu_ps(theta + i), shrink);                                              \
            VEC g = P##_add_ps(P##_loadu_ps(gradient + i), P##_mul_ps(l2, p));                                \
            VEC mi = P##_loadu_ps(m + i);                                                                     \
            VEC vi = P##_loadu_ps(v + i);                                                                     \
            mi = P##_add_ps(mi, P##_mul_ps(b1c, P##_sub_ps(g, mi)));                                          \
            vi = P##_add_ps(P##_mul_ps(vi, b2), P##_mul_ps(P##_mul_ps(b2c, g), g));                           \
            VEC denominator = P##_add_ps(P##_sqrt_ps(vi), eps);                                               \
            P##_storeu_ps(m + i, mi);                                                                         \
            P##_storeu_ps(v + i, vi);                                                                         \
            P##_storeu_ps(out + i, P##_sub_ps(p, P##_mul_ps(step, P##_div_ps(mi, denominator))));             \
        }                                                                                                     \
        adam_scalar(theta, gradient, m, v, out, i, count, c);                                                 \
    }

ADAM_VECTOR(adam_avx512, "avx512f", 16, __m512, _mm512)
ADAM_VECTOR(adam_avx2, "avx2", 8, __m256, _mm256)

#undef ADAM_VECTOR

/// 0 until the first call, then 16, 8 or 1.
static int detected_lanes = 0;

int montague_vector_lanes(void) {
    int lanes = __atomic_load_n(&detected_lanes, __ATOMIC_RELAXED);
    if (lanes != 0) return lanes;
    __builtin_cpu_init();
    lanes = __builtin_cpu_supports("avx512f") ? 16 : __builtin_cpu_supports("avx2") ? 8 : 1;
    __atomic_store_n(&detected_lanes, lanes, __ATOMIC_RELAXED);
    return lanes;
}

void montague_adam_update(
    const float *theta, const float *gradient, float *m, float *v, float *out, long count,
    MontagueAdamConstants constants) {
    montague_adam_update_lanes(0, theta, gradient, m, v, out, count, constants);
}

void montague_adam_update_lanes(
    int lanes, const float *theta, const float *gradient, float *m, float *v, float *out, long count,
    MontagueAdamConstants constants) {
    int widest = montague_vector_lanes();
    switch (lanes <= 0 || lanes > widest ? widest : lanes) {
    case 16: adam_avx512(theta, gradient, m, v, out, count, constants); break;
    case 8: adam_avx2(theta, gradient, m, v, out, count, constants); break;
    default: adam_scalar(theta, gradient, m, v, out, 0, count, constants); break;
    }
}

#else

int montague_vector_lanes(void) { return 1; }

void montague_adam_update_lanes(
    int lanes, const float *theta, const float *gradient, float *m, float *v, float *out, long count,
    MontagueAdamConstants constants) {
    (void)lanes;
    adam_scalar(theta, gradient, m, v, out, 0, count, constants);
}

void montague_adam_update(
    const float *theta, const float *gradient, float *m, float *v, float *out, long count,
    MontagueAdamConstants constants) {
    adam_scalar(theta, gradient, m, v, out, 0, count, constants);
}

#endif
