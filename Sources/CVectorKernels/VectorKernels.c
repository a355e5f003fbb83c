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

__attribute__((target("avx512f"))) static void adam_avx512(
    const float *theta, const float *gradient, float *m, float *v, float *out, long count,
    MontagueAdamConstants c) {
    const __m512 shrink = _mm512_set1_ps(c.shrink), l2 = _mm512_set1_ps(c.l2Penalty);
    const __m512 b1c = _mm512_set1_ps(c.oneMinusBeta1), b2 = _mm512_set1_ps(c.beta2);
    const __m512 b2c = _mm512_set1_ps(c.oneMinusBeta2), step = _mm512_set1_ps(c.scaledStepSize);
    const __m512 eps = _mm512_set1_ps(c.scaledEpsilon);
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 p = _mm512_mul_ps(_mm512_loadu_ps(theta + i), shrink);
        __m512 g = _mm512_add_ps(_mm512_loadu_ps(gradient + i), _mm512_mul_ps(l2, p));
        __m512 mi = _mm512_loadu_ps(m + i);
        __m512 vi = _mm512_loadu_ps(v + i);
        mi = _mm512_add_ps(mi, _mm512_mul_ps(b1c, _mm512_sub_ps(g, mi)));
        vi = _mm512_add_ps(_mm512_mul_ps(vi, b2), _mm512_mul_ps(_mm512_mul_ps(b2c, g), g));
        __m512 denominator = _mm512_add_ps(_mm512_sqrt_ps(vi), eps);
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        _mm512_storeu_ps(out + i, _mm512_sub_ps(p, _mm512_mul_ps(step, _mm512_div_ps(mi, denominator))));
    }
    adam_scalar(theta, gradient, m, v, out, i, count, c);
}

__attribute__((target("avx2"))) static void adam_avx2(
    const float *theta, const float *gradient, float *m, float *v, float *out, long count,
    MontagueAdamConstants c) {
    const __m256 shrink = _mm256_set1_ps(c.shrink), l2 = _mm256_set1_ps(c.l2Penalty);
    const __m256 b1c = _mm256_set1_ps(c.oneMinusBeta1), b2 = _mm256_set1_ps(c.beta2);
    const __m256 b2c = _mm256_set1_ps(c.oneMinusBeta2), step = _mm256_set1_ps(c.scaledStepSize);
    const __m256 eps = _mm256_set1_ps(c.scaledEpsilon);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 p = _mm256_mul_ps(_mm256_loadu_ps(theta + i), shrink);
        __m256 g = _mm256_add_ps(_mm256_loadu_ps(gradient + i), _mm256_mul_ps(l2, p));
        __m256 mi = _mm256_loadu_ps(m + i);
        __m256 vi = _mm256_loadu_ps(v + i);
        mi = _mm256_add_ps(mi, _mm256_mul_ps(b1c, _mm256_sub_ps(g, mi)));
        vi = _mm256_add_ps(_mm256_mul_ps(vi, b2), _mm256_mul_ps(_mm256_mul_ps(b2c, g), g));
        __m256 denominator = _mm256_add_ps(_mm256_sqrt_ps(vi), eps);
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(out + i, _mm256_sub_ps(p, _mm256_mul_ps(step, _mm256_div_ps(mi, denominator))));
    }
    adam_scalar(theta, gradient, m, v, out, i, count, c);
}

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
    switch (montague_vector_lanes()) {
    case 16: adam_avx512(theta, gradient, m, v, out, count, constants); break;
    case 8: adam_avx2(theta, gradient, m, v, out, count, constants); break;
    default: adam_scalar(theta, gradient, m, v, out, 0, count, constants); break;
    }
}

#else

int montague_vector_lanes(void) { return 1; }

void montague_adam_update(
    const float *theta, const float *gradient, float *m, float *v, float *out, long count,
    MontagueAdamConstants constants) {
    adam_scalar(theta, gradient, m, v, out, 0, count, constants);
}

#endif
