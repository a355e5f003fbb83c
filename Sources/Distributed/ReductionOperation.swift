/// How ``ProcessGroup/allReduce(_:_:)`` combines the ranks' buffers element by element.
public enum ReductionOperation: String, Sendable, CaseIterable {
    /// The sum over ranks (`MPI_SUM`).
    case sum
    /// The sum over ranks divided by the world size (`MPI_SUM`, then a local division).
    case mean
    /// The largest value over ranks (`MPI_MAX`).
    case maximum
}
