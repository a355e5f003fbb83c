#!/usr/bin/env bash
# Prints the OpenBLAS kernel family `make bench` should force with OPENBLAS_CORETYPE, or nothing.
#
# A DYNAMIC_ARCH OpenBLAS picks its kernels from the CPU when it is loaded. An OpenBLAS older than the CPU does not
# recognize it and falls back to its oldest kernels: Debian 12's OpenBLAS 0.3.21 on an Intel Xeon of family 6,
# model 207 (a CPU with AVX-512) chooses "Prescott" (SSE3), about 6x slower in single-precision GEMM than its
# AVX-512 kernels. Every GEMM of the Montague side and of the GEMM-only bound goes through that library, while
# PyTorch (MKL, oneDNN) and JAX (XLA) detect the CPU themselves, so the comparison would measure the library's age.
#
# Rules: an OPENBLAS_CORETYPE the caller set is kept (nothing printed); if OpenBLAS's own choice is a family with
# AVX2 or AVX-512 kernels, nothing is printed; otherwise the family follows the CPU's flags (/proc/cpuinfo):
# AVX-512 F/BW/DQ/VL with BF16 -> Cooperlake, without -> SkylakeX; AVX2 and FMA -> Haswell; else nothing.
# The same rule as BLASRuntime.recommendedCoreType (Autodiff), which the montague tool applies to itself; this
# script serves the processes that cannot (the test runner, the benchmarks) and must be changed with it.
set -euo pipefail

[ -n "${OPENBLAS_CORETYPE:-}" ] && exit 0
python="${PYTHON:-python3}"
chosen="$("$python" - <<'EOF' 2>/dev/null || true
import ctypes, ctypes.util
for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
    if not name:
        continue
    try:
        library = ctypes.CDLL(name)
    except OSError:
        continue
    library.openblas_get_corename.restype = ctypes.c_char_p
    print(library.openblas_get_corename().decode())
    break
EOF
)"
case "${chosen,,}" in
    "" | haswell | zen | skylakex | cooperlake | sapphirerapids | excavator) exit 0 ;;
esac
flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
has() { [[ " $flags " == *" $1 "* ]]; }
if has avx512f && has avx512bw && has avx512dq && has avx512vl; then
    if has avx512_bf16; then echo Cooperlake; else echo SkylakeX; fi
elif has avx2 && has fma; then
    echo Haswell
fi
