import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends the process when one collective call waits longer than a timeout, so that a rank whose peer died or hung
/// does not wait forever: the launcher sees the rank exit without `MPI_Finalize` and stops the whole job.
///
/// A background thread checks twice a second; the MPI calls themselves stay on the caller's thread (the
/// watchdog never calls MPI, so MPI's single-threaded mode suffices).
final class CollectiveWatchdog: @unchecked Sendable {
    private let rank: Int
    private let timeout: Double
    private let lock = NSLock()
    private var operation: String?
    private var startedAt = 0.0
    private var running = true

    init(rank: Int, timeout: Double) {
        self.rank = rank
        self.timeout = timeout
        let thread = Thread { [weak self] in
            while let watchdog = self, watchdog.check() { usleep(500_000) }
        }
        thread.name = "montague.mpi-watchdog"
        thread.start()
    }

    func begin(_ operation: String) {
        lock.lock()
        self.operation = operation
        startedAt = ProcessInfo.processInfo.systemUptime
        lock.unlock()
    }

    func end() {
        lock.lock()
        operation = nil
        lock.unlock()
    }

    func stop() {
        lock.lock()
        running = false
        lock.unlock()
    }

    /// Whether to keep watching; ends the process when the current call is overdue.
    private func check() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard running else { return false }
        if let operation, ProcessInfo.processInfo.systemUptime - startedAt > timeout {
            let message =
                "rank \(rank): error: \(operation) waited more than \(timeout) s for the other ranks "
                + "(MONTAGUE_MPI_TIMEOUT); a rank has failed or hangs: stopping the job\n"
            FileHandle.standardError.write(Data(message.utf8))
            _exit(3)
        }
        return true
    }
}
