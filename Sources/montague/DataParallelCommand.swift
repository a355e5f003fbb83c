import ArgumentParser
import Distributed

extension ProcessGroup {
    /// Runs a training command's work on this rank and ends the MPI job cleanly.
    ///
    /// Without `mpirun` (one rank) errors propagate as in any command. Under `mpirun` a failing rank may leave the
    /// others waiting in a collective call, so its error ends the whole job with this rank's message
    /// (`MPI_Abort`, exit status 2), after `cleanup` (e.g. removing a scratch directory). A deliberate exit status
    /// (`ExitCode`, such as 130 after Ctrl-C, which every rank agrees on) is passed through unchanged.
    func runTraining(cleanup: () -> Void = {}, _ body: () throws -> Void) throws {
        do {
            try body()
            try finalize()
        } catch  where size > 1 && !(error is ExitCode) {
            cleanup()
            abortJob(message: CommandFailure.message(for: error))
        }
    }
}
