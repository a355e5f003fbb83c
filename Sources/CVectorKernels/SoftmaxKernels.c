#include "CVectorKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// Every lane computes exp with the operations of the scalar formula in the same order (no contraction into fused
// multiply-adds), so a lane's value equals the scalar kernel's; only the order of the row sums differs by width.
#pragma clang fp contract(off)
#pragma STDC FP_CONTRACT OFF

/// Below this, exp(x) is under the smallest normal float: such terms count as 0.
#define SOFTMAX_LOWEST (-87.0f)

/// Cephes `expf` on [−87, 88], the formula of `Kernels.exponentialInRange` (Swift).
static inline float exp_in_range(float x) {
    const float magic = 12582912.0f;
    float shifted = x * 1.4426950408889634f + magic;
    float n = shifted - magic;
    float r = (x - n * 0.693359375f) - n * -2.1219444e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t shiftedBits, magicBits;
    memcpy(&shiftedBits, &shifted, sizeof shiftedBits);
    memcpy(&magicBits, &magic, sizeof magicBits);
    uint32_t scaleBits = ((uint32_t)(shiftedBits - magicBits + 127)) << 23;
    float scale;
    memcpy(&scale, &scaleBits, sizeof scale);
    return p * scale;
}

/// One term of the fast path: exp(s) for s ≥ −87, else 0 (s ≤ 0 here: s = x − max).
static inline float softmax_term(float s) { return s >= SOFTMAX_LOWEST ? exp_in_range(s) : 0.0f; }

/// The reference formula with libm for rows with NaN or infinite entries: the maximum ignoring NaN (as Swift's
/// `max(m, x)`), then exp, the sum in order, and the normalization.
static void softmax_row_libm(const float *x, float *out, long width, int logarithmic) {
    float maximum = -INFINITY;
    for (long k = 0; k < width; k++) maximum = x[k] >= maximum ? x[k] : maximum;
    float total = 0;
    for (long k = 0; k < width; k++) {
        float shifted = x[k] - maximum;
        float e = expf(shifted);
        total += e;
        out[k] = logarithmic ? shifted : e;
    }
    if (logarithmic) {
        float logTotal = logf(total);
        for (long k = 0; k < width; k++) out[k] -= logTotal;
    } else {
        float reciprocal = 1 / total;
        for (long k = 0; k < width; k++) out[k] *= reciprocal;
    }
}

/// Writes the terms (or the shifted values) of `x[start..<width]` and returns their sum; sets `*bad` on a NaN
/// shifted value.
static inline float softmax_tail(
    const float *x, float *out, long start, long width, float maximum, int logarithmic, int *bad) {
    float total = 0;
    for (long k = start; k < width; k++) {
        float s = x[k] - maximum;
        if (s != s) *bad = 1;
        float e = softmax_term(s);
        total += e;
        out[k] = logarithmic ? s : e;
    }
    return total;
}

static inline void softmax_normalize(float *out, long width, float total, int logarithmic) {
    if (logarithmic) {
        float logTotal = logf(total);
        for (long k = 0; k < width; k++) out[k] -= logTotal;
    } else {
        float reciprocal = 1 / total;
        for (long k = 0; k < width; k++) out[k] *= reciprocal;
    }
}

static void softmax_rows_scalar(const float *x, float *out, long rows, long width, int logarithmic) {
    for (long row = 0; row < rows; row++) {
        const float *xr = x + row * width;
        float *outRow = out + row * width;
        float maximum = -INFINITY;
        for (long k = 0; k < width; k++) maximum = xr[k] >= maximum ? xr[k] : maximum;
        int bad = !(maximum < INFINITY && maximum > -INFINITY);
        float total = bad ? 0 : softmax_tail(xr, outRow, 0, width, maximum, logarithmic, &bad);
        if (bad) {
            softmax_row_libm(xr, outRow, width, logarithmic);
            continue;
        }
        softmax_normalize(outRow, width, total, logarithmic);
    }
}

static void softmax_backward_scalar(const float *y, const float *g, float *out, long rows, long width) {
    for (long row = 0; row < rows; row++) {
        const float *yr = y + row * width, *gr = g + row * width;
        float *outRow = out + row * width;
        float dot = 0;
        for (long k = 0; k < width; k++) dot += gr[k] * yr[k];
        for (long k = 0; k < width; k++) outRow[k] = yr[k] * (gr[k] - dot);
    }
}


/// Cephes `logf` for positive normal floats (no checks).
static inline float log_positive(float x) {
    int32_t bits;
    memcpy(&bits, &x, sizeof bits);
    float e = (float)((bits >> 23) - 126);
    int32_t mantissaBits = (bits & 0x807fffff) | 0x3f000000;  // the mantissa in [0.5, 1)
    float m;
    memcpy(&m, &mantissaBits, sizeof m);
    int small = m < 0.707106781186547524f;
    e = small ? e - 1.0f : e;
    float t = small ? (m + m) - 1.0f : m - 1.0f;
    float z = t * t;
    float y = 7.0376836292e-2f;
    y = y * t - 1.1514610310e-1f;
    y = y * t + 1.1676998740e-1f;
    y = y * t - 1.2420140846e-1f;
    y = y * t + 1.4249322787e-1f;
    y = y * t - 1.6668057665e-1f;
    y = y * t + 2.0000714765e-1f;
    y = y * t - 2.4999993993e-1f;
    y = y * t + 3.3333331174e-1f;
    y = y * t * z;
    y = y + -2.12194440e-4f * e;
    y = y - 0.5f * z;
    return (t + y) + 0.693359375f * e;
}

static void gumbel_noise_scalar(float *values, long start, long count) {
    for (long i = start; i < count; i++) values[i] = -log_positive(-log_positive(values[i]));
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx512f"))) static inline __m512 log_positive_avx512(__m512 x) {
    __m512i bits = _mm512_castps_si512(x);
    __m512 e = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srai_epi32(bits, 23), _mm512_set1_epi32(126)));
    __m512 m = _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_and_si512(bits, _mm512_set1_epi32((int)0x807fffff)), _mm512_set1_epi32(0x3f000000)));
    __mmask16 small = _mm512_cmp_ps_mask(m, _mm512_set1_ps(0.707106781186547524f), _CMP_LT_OQ);
    const __m512 one = _mm512_set1_ps(1.0f);
    e = _mm512_mask_blend_ps(small, e, _mm512_sub_ps(e, one));
    __m512 t = _mm512_mask_blend_ps(small, _mm512_sub_ps(m, one), _mm512_sub_ps(_mm512_add_ps(m, m), one));
    __m512 z = _mm512_mul_ps(t, t);
    __m512 y = _mm512_set1_ps(7.0376836292e-2f);
    y = _mm512_sub_ps(_mm512_mul_ps(y, t), _mm512_set1_ps(1.1514610310e-1f));
    y = _mm512_add_ps(_mm512_mul_ps(y, t), _mm512_set1_ps(1.1676998740e-1f));
    y = _mm512_sub_ps(_mm512_mul_ps(y, t), _mm512_set1_ps(1.2420140846e-1f));
    y = _mm512_add_ps(_mm512_mul_ps(y, t), _mm512_set1_ps(1.4249322787e-1f));
    y = _mm512_sub_ps(_mm512_mul_ps(y, t), _mm512_set1_ps(1.6668057665e-1f));
    y = _mm512_add_ps(_mm512_mul_ps(y, t), _mm512_set1_ps(2.0000714765e-1f));
    y = _mm512_sub_ps(_mm512_mul_ps(y, t), _mm512_set1_ps(2.4999993993e-1f));
    y = _mm512_add_ps(_mm512_mul_ps(y, t), _mm512_set1_ps(3.3333331174e-1f));
    y = _mm512_mul_ps(_mm512_mul_ps(y, t), z);
    y = _mm512_add_ps(y, _mm512_mul_ps(_mm512_set1_ps(-2.12194440e-4f), e));
    y = _mm512_sub_ps(y, _mm512_mul_ps(_mm512_set1_ps(0.5f), z));
    return _mm512_add_ps(_mm512_add_ps(t, y), _mm512_mul_ps(_mm512_set1_ps(0.693359375f), e));
}

__attribute__((target("avx512f"))) static void gumbel_noise_avx512(float *values, long count) {
    const __m512 zero = _mm512_setzero_ps();
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 inner = _mm512_sub_ps(zero, log_positive_avx512(_mm512_loadu_ps(values + i)));
        _mm512_storeu_ps(values + i, _mm512_sub_ps(zero, log_positive_avx512(inner)));
    }
    gumbel_noise_scalar(values, i, count);
}

__attribute__((target("avx2"))) static inline __m256 log_positive_avx2(__m256 x) {
    __m256i bits = _mm256_castps_si256(x);
    __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srai_epi32(bits, 23), _mm256_set1_epi32(126)));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
        _mm256_and_si256(bits, _mm256_set1_epi32((int)0x807fffff)), _mm256_set1_epi32(0x3f000000)));
    __m256 small = _mm256_cmp_ps(m, _mm256_set1_ps(0.707106781186547524f), _CMP_LT_OQ);
    const __m256 one = _mm256_set1_ps(1.0f);
    e = _mm256_blendv_ps(e, _mm256_sub_ps(e, one), small);
    __m256 t = _mm256_blendv_ps(_mm256_sub_ps(m, one), _mm256_sub_ps(_mm256_add_ps(m, m), one), small);
    __m256 z = _mm256_mul_ps(t, t);
    __m256 y = _mm256_set1_ps(7.0376836292e-2f);
    y = _mm256_sub_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(1.1514610310e-1f));
    y = _mm256_add_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(1.1676998740e-1f));
    y = _mm256_sub_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(1.2420140846e-1f));
    y = _mm256_add_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(1.4249322787e-1f));
    y = _mm256_sub_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(1.6668057665e-1f));
    y = _mm256_add_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(2.0000714765e-1f));
    y = _mm256_sub_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(2.4999993993e-1f));
    y = _mm256_add_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(3.3333331174e-1f));
    y = _mm256_mul_ps(_mm256_mul_ps(y, t), z);
    y = _mm256_add_ps(y, _mm256_mul_ps(_mm256_set1_ps(-2.12194440e-4f), e));
    y = _mm256_sub_ps(y, _mm256_mul_ps(_mm256_set1_ps(0.5f), z));
    return _mm256_add_ps(_mm256_add_ps(t, y), _mm256_mul_ps(_mm256_set1_ps(0.693359375f), e));
}

__attribute__((target("avx2"))) static void gumbel_noise_avx2(float *values, long count) {
    const __m256 zero = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 inner = _mm256_sub_ps(zero, log_positive_avx2(_mm256_loadu_ps(values + i)));
        _mm256_storeu_ps(values + i, _mm256_sub_ps(zero, log_positive_avx2(inner)));
    }
    gumbel_noise_scalar(values, i, count);
}

void montague_gumbel_noise(int lanes, float *values, long count) {
    int widest = montague_vector_lanes();
    switch (lanes <= 0 || lanes > widest ? widest : lanes) {
    case 16: gumbel_noise_avx512(values, count); break;
    case 8: gumbel_noise_avx2(values, count); break;
    default: gumbel_noise_scalar(values, 0, count); break;
    }
}

__attribute__((target("avx512f"))) static inline __m512 exp_in_range_avx512(__m512 x) {
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    __m512 shifted = _mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.4426950408889634f)), magic);
    __m512 n = _mm512_sub_ps(shifted, magic);
    __m512 r = _mm512_sub_ps(
        _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(0.693359375f))),
        _mm512_mul_ps(n, _mm512_set1_ps(-2.1219444e-4f)));
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(p, r), r), r), _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_castps_si512(magic));
    __m512i scale = _mm512_slli_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(scale));
}

__attribute__((target("avx512f"))) static void softmax_rows_avx512(
    const float *x, float *out, long rows, long width, int logarithmic) {
    const __m512 lowest = _mm512_set1_ps(SOFTMAX_LOWEST);
    for (long row = 0; row < rows; row++) {
        const float *xr = x + row * width;
        float *outRow = out + row * width;
        long k = 0;
        __m512 maxima = _mm512_set1_ps(-INFINITY);
        for (; k + 16 <= width; k += 16) maxima = _mm512_max_ps(_mm512_loadu_ps(xr + k), maxima);
        float maximum = _mm512_reduce_max_ps(maxima);
        for (; k < width; k++) maximum = xr[k] >= maximum ? xr[k] : maximum;
        int bad = !(maximum < INFINITY && maximum > -INFINITY);
        if (!bad) {
            const __m512 m = _mm512_set1_ps(maximum);
            __m512 sums = _mm512_setzero_ps();
            __mmask16 nan = 0;
            for (k = 0; k + 16 <= width; k += 16) {
                __m512 s = _mm512_sub_ps(_mm512_loadu_ps(xr + k), m);
                nan |= _mm512_cmp_ps_mask(s, s, _CMP_UNORD_Q);
                __mmask16 inRange = _mm512_cmp_ps_mask(s, lowest, _CMP_GE_OQ);
                __m512 e = _mm512_maskz_mov_ps(inRange, exp_in_range_avx512(_mm512_max_ps(s, lowest)));
                sums = _mm512_add_ps(sums, e);
                _mm512_storeu_ps(outRow + k, logarithmic ? s : e);
            }
            bad = nan != 0;
            float total = _mm512_reduce_add_ps(sums) + softmax_tail(xr, outRow, k, width, maximum, logarithmic, &bad);
            if (!bad) {
                if (logarithmic) {
                    const __m512 logTotal = _mm512_set1_ps(logf(total));
                    for (k = 0; k + 16 <= width; k += 16)
                        _mm512_storeu_ps(outRow + k, _mm512_sub_ps(_mm512_loadu_ps(outRow + k), logTotal));
                    for (; k < width; k++) outRow[k] -= logf(total);
                } else {
                    float reciprocal = 1 / total;
                    const __m512 scale = _mm512_set1_ps(reciprocal);
                    for (k = 0; k + 16 <= width; k += 16)
                        _mm512_storeu_ps(outRow + k, _mm512_mul_ps(_mm512_loadu_ps(outRow + k), scale));
                    for (; k < width; k++) outRow[k] *= reciprocal;
                }
                continue;
            }
        }
        softmax_row_libm(xr, outRow, width, logarithmic);
    }
}

__attribute__((target("avx512f"))) static void softmax_backward_avx512(
    const float *y, const float *g, float *out, long rows, long width) {
    for (long row = 0; row < rows; row++) {
        const float *yr = y + row * width, *gr = g + row * width;
        float *outRow = out + row * width;
        __m512 dots = _mm512_setzero_ps();
        long k = 0;
        for (; k + 16 <= width; k += 16)
            dots = _mm512_add_ps(dots, _mm512_mul_ps(_mm512_loadu_ps(gr + k), _mm512_loadu_ps(yr + k)));
        float dot = _mm512_reduce_add_ps(dots);
        for (; k < width; k++) dot += gr[k] * yr[k];
        const __m512 d = _mm512_set1_ps(dot);
        for (k = 0; k + 16 <= width; k += 16)
            _mm512_storeu_ps(
                outRow + k, _mm512_mul_ps(_mm512_loadu_ps(yr + k), _mm512_sub_ps(_mm512_loadu_ps(gr + k), d)));
        for (; k < width; k++) outRow[k] = yr[k] * (gr[k] - dot);
    }
}

__attribute__((target("avx2"))) static inline __m256 exp_in_range_avx2(__m256 x) {
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    __m256 shifted = _mm256_add_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.4426950408889634f)), magic);
    __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_sub_ps(
        _mm256_sub_ps(x, _mm256_mul_ps(n, _mm256_set1_ps(0.693359375f))),
        _mm256_mul_ps(n, _mm256_set1_ps(-2.1219444e-4f)));
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r), _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_castps_si256(magic));
    __m256i scale = _mm256_slli_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(scale));
}

__attribute__((target("avx2"))) static inline float sum_avx2(__m256 v) {
    float lanes[8];
    _mm256_storeu_ps(lanes, v);
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

__attribute__((target("avx2"))) static void softmax_rows_avx2(
    const float *x, float *out, long rows, long width, int logarithmic) {
    const __m256 lowest = _mm256_set1_ps(SOFTMAX_LOWEST);
    for (long row = 0; row < rows; row++) {
        const float *xr = x + row * width;
        float *outRow = out + row * width;
        long k = 0;
        __m256 maxima = _mm256_set1_ps(-INFINITY);
        for (; k + 8 <= width; k += 8) maxima = _mm256_max_ps(_mm256_loadu_ps(xr + k), maxima);
        float lanes[8];
        _mm256_storeu_ps(lanes, maxima);
        float maximum = -INFINITY;
        for (int j = 0; j < 8; j++) maximum = lanes[j] >= maximum ? lanes[j] : maximum;
        for (; k < width; k++) maximum = xr[k] >= maximum ? xr[k] : maximum;
        int bad = !(maximum < INFINITY && maximum > -INFINITY);
        if (!bad) {
            const __m256 m = _mm256_set1_ps(maximum);
            __m256 sums = _mm256_setzero_ps();
            __m256 nan = _mm256_setzero_ps();
            for (k = 0; k + 8 <= width; k += 8) {
                __m256 s = _mm256_sub_ps(_mm256_loadu_ps(xr + k), m);
                nan = _mm256_or_ps(nan, _mm256_cmp_ps(s, s, _CMP_UNORD_Q));
                __m256 inRange = _mm256_cmp_ps(s, lowest, _CMP_GE_OQ);
                __m256 e = _mm256_and_ps(inRange, exp_in_range_avx2(_mm256_max_ps(s, lowest)));
                sums = _mm256_add_ps(sums, e);
                _mm256_storeu_ps(outRow + k, logarithmic ? s : e);
            }
            bad = _mm256_movemask_ps(nan) != 0;
            float total = sum_avx2(sums) + softmax_tail(xr, outRow, k, width, maximum, logarithmic, &bad);
            if (!bad) {
                if (logarithmic) {
                    const __m256 logTotal = _mm256_set1_ps(logf(total));
                    for (k = 0; k + 8 <= width; k += 8)
                        _mm256_storeu_ps(outRow + k, _mm256_sub_ps(_mm256_loadu_ps(outRow + k), logTotal));
                    for (; k < width; k++) outRow[k] -= logf(total);
                } else {
                    float reciprocal = 1 / total;
                    const __m256 scale = _mm256_set1_ps(reciprocal);
                    for (k = 0; k + 8 <= width; k += 8)
                        _mm256_storeu_ps(outRow + k, _mm256_mul_ps(_mm256_loadu_ps(outRow + k), scale));
                    for (; k < width; k++) outRow[k] *= reciprocal;
                }
                continue;
            }
        }
        softmax_row_libm(xr, outRow, width, logarithmic);
    }
}

__attribute__((target("avx2"))) static void softmax_backward_avx2(
    const float *y, const float *g, float *out, long rows, long width) {
    for (long row = 0; row < rows; row++) {
        const float *yr = y + row * width, *gr = g + row * width;
        float *outRow = out + row * width;
        __m256 dots = _mm256_setzero_ps();
        long k = 0;
        for (; k + 8 <= width; k += 8)
            dots = _mm256_add_ps(dots, _mm256_mul_ps(_mm256_loadu_ps(gr + k), _mm256_loadu_ps(yr + k)));
        float dot = sum_avx2(dots);
        for (; k < width; k++) dot += gr[k] * yr[k];
        const __m256 d = _mm256_set1_ps(dot);
        for (k = 0; k + 8 <= width; k += 8)
            _mm256_storeu_ps(
                outRow + k, _mm256_mul_ps(_mm256_loadu_ps(yr + k), _mm256_sub_ps(_mm256_loadu_ps(gr + k), d)));
        for (; k < width; k++) outRow[k] = yr[k] * (gr[k] - dot);
    }
}

void montague_softmax_rows(int lanes, const float *x, float *out, long rows, long width, int logarithmic) {
    int widest = montague_vector_lanes();
    switch (lanes <= 0 || lanes > widest ? widest : lanes) {
    case 16: softmax_rows_avx512(x, out, rows, width, logarithmic); break;
    case 8: softmax_rows_avx2(x, out, rows, width, logarithmic); break;
    default: softmax_rows_scalar(x, out, rows, width, logarithmic); break;
    }
}

void montague_softmax_backward_rows(
    int lanes, const float *y, const float *gradient, float *out, long rows, long width) {
    int widest = montague_vector_lanes();
    switch (lanes <= 0 || lanes > widest ? widest : lanes) {
    case 16: softmax_backward_avx512(y, gradient, out, rows, width); break;
    case 8: softmax_backward_avx2(y, gradient, out, rows, width); break;
    default: softmax_backward_scalar(y, gradient, out, rows, width); break;
    }
}

#else

void montague_gumbel_noise(int lanes, float *values, long count) {
    (void)lanes;
    gumbel_noise_scalar(values, 0, count);
}

void montague_softmax_rows(int lanes, const float *x, float *out, long rows, long width, int logarithmic) {
    (void)lanes;
    softmax_rows_scalar(x, out, rows, width, logarithmic);
}

void montague_softmax_backward_rows(
    int lanes, const float *y, const float *gradient, float *out, long rows, long width) {
    (void)lanes;
    softmax_backward_scalar(y, gradient, out, rows, width);
}

#endif
