/* The all-reduce timing loop of Benchmarks/DistributedBenchmarks.swift written directly against Open MPI's C API
 * (the reference a C or OSU-benchmark user would measure), for the comparison in docs/distributed.md:
 *
 *     mpicc -O2 -o /tmp/mpi_allreduce_reference bench/mpi_allreduce_reference.c
 *     mpirun -np 2 /tmp/mpi_allreduce_reference
 *
 * One JSON line per message size (4 B to 64 MiB, ×4): the slowest rank's seconds per MPI_Allreduce (float sum,
 * in place), after 3 warm-up calls and a barrier; the buffer is refilled before every call, as in the Swift loop,
 * and the refill time is measured alone and subtracted. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static void fill(float *buffer, int count) {
    for (int i = 0; i < count; i++) buffer[i] = 1.0f;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (long bytes = 4; bytes <= (64L << 20); bytes *= 4) {
        int count = (int)(bytes / 4);
        float *buffer = malloc((size_t)bytes);
        long iterations = (64L << 20) / bytes;
        if (iterations > 100) iterations = 100;
        if (iterations < 3) iterations = 3;
        fill(buffer, count);
        for (int i = 0; i < 3; i++) MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
        double start = MPI_Wtime();
        for (long i = 0; i < iterations; i++) {
            fill(buffer, count);
            MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        }
        double seconds = (MPI_Wtime() - start) / (double)iterations, slowest;
        MPI_Allreduce(&seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        double refillStart = MPI_Wtime();
        for (long i = 0; i < iterations; i++) fill(buffer, count);
        double refill = (MPI_Wtime() - refillStart) / (double)iterations;
        double perCall = slowest - refill > 1e-9 ? slowest - refill : 1e-9;
        if (rank == 0) {
            printf("{\"case\":\"allreduce float sum\",\"impl\":\"c\",\"ranks\":%d,\"bytes\":%ld,\"latency_us\":%.3f,"
                   "\"algorithm_GBps\":%.4f,\"bus_GBps\":%.4f}\n",
                   size, bytes, perCall * 1e6, bytes / perCall / 1e9,
                   bytes / perCall / 1e9 * 2.0 * (size - 1) / size);
            fflush(stdout);
        }
        free(buffer);
    }
    MPI_Finalize();
    return 0;
}
