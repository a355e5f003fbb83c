#ifndef MONTAGUE_CVECTORKERNELS_H
#define MONTAGUE_CVECTORKERNELS_H

/// Vector kernels that Swift cannot compile wider than the baseline x86-64 (SSE2) without unsafe build flags: each
/// is written with AVX-512 and AVX2 intrinsics in functions compiled for those extensions only, and chosen once at
/// run time from what the processor supports (CPUID), so one binary runs everywhere.

/// The scalars of one Adam step (Kingma & Ba 2015, in the form of docs/benchmarks.md: the bias corrections folded
/// into the step size and ε).
typedef struct {
    float shrink;          ///< 1 − γ·λ_decoupled (AdamW), else 1
    float l2Penalty;       ///< λ added to the gradient as θ·λ (Adam's weight decay)
    float oneMinusBeta1;   ///< 1 − β₁
    float beta2;           ///< β₂
    float oneMinusBeta2;   ///< 1 − β₂
    float scaledStepSize;  ///< γ·√(1 − β₂ᵗ)/(1 − β₁ᵗ)
    float scaledEpsilon;   ///< ε·√(1 − β₂ᵗ)
} MontagueAdamConstants;

/// One Adam update of `count` elements, every lane with the same IEEE single-precision operations in the same order
/// (no fused multiply-add), so the bits equal those of the scalar formula:
///
///     p = θ·shrink;  g = grad + l2Penalty·p
///     m = m + (1 − β₁)·(g − m);  v = v·β₂ + ((1 − β₂)·g)·g
///     out = p − scaledStepSize·(m / (√v + scaledEpsilon))
///
/// `theta` and `out` may be the same buffer (each element is read before it is written); the others must not
/// overlap.
void montague_adam_update(
    const float *theta, const float *gradient, float *m, float *v, float *out, long count,
    MontagueAdamConstants constants);

/// ``montague_adam_update`` through `lanes` lanes (16, 8 or 1; 0 or more than the processor has: its widest), so
/// tests can compare every width the processor supports. The same bits for every width.
void montague_adam_update_lanes(
    int lanes, const float *theta, const float *gradient, float *m, float *v, float *out, long count,
    MontagueAdamConstants constants);
/// The lanes the kernels above use on this processor: 16 (AVX-512F), 8 (AVX2) or 1 (scalar C).
int montague_vector_lanes(void);

/// Softmax (`logarithmic` = 0) or log-softmax (`logarithmic` ≠ 0) of `rows` contiguous rows of `width` scalars each,
/// from `x` into `out` (which must not overlap `x`), through `lanes` lanes (16, 8 or 1; 0 or more than the processor
/// has: its widest). Per row: the maximum m, eᵢ = exp(xᵢ − m) by the Cephes `expf` polynomial (the one of the Swift
/// kernels, `Kernels.exponentialInRange`), the sum of the eᵢ in `lanes` partial sums, then eᵢ / Σ or
/// (xᵢ − m) − log Σ. Terms with xᵢ − m < −87 (below e⁻⁸⁷, under the smallest normal float) count as 0 in the sum and
/// give 0 in the softmax. A row with a NaN or infinite entry is computed by the scalar formula with libm's `expf`
/// (so NaN and ±∞ behave as there: NaN rows).
void montague_softmax_rows(int lanes, const float *x, float *out, long rows, long width, int logarithmic);

/// The softmax backward product of `rows` contiguous rows of `width` scalars: `out = y ⊙ (g − Σ g ⊙ y)` per row, with
/// `y` the softmax output and `g` the incoming gradient (`out` must not overlap either), through `lanes` lanes as
/// ``montague_softmax_rows``.
void montague_softmax_backward_rows(
    int lanes, const float *y, const float *gradient, float *out, long rows, long width);

/// Standard Gumbel noise in place: each `values[i]`, a uniform draw strictly inside (0, 1), becomes
/// `−log(−log(values[i]))`, with Cephes' `logf` polynomial in `lanes` lanes (16, 8 or 1; 0 or more than the
/// processor has: its widest); every width gives the same bits. Inputs must be normal floats in (0, 1) (then both
/// logarithms' arguments are positive normal floats); the maximum relative error of each logarithm is about 1e-7.
void montague_gumbel_noise(int lanes, float *values, long count);

#endif
