/// What can go wrong in a distributed run: the MPI library cannot be loaded, a call fails, or the ranks disagree.
public enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// The process was started by an MPI launcher, but no MPI library could be opened (`tried`: the names tried,
    /// `reason`: the loader's last message).
    case libraryNotFound(tried: [String], reason: String)
    /// The opened library lacks a symbol Open MPI exports (another MPI implementation or version).
    case missingSymbol(library: String, symbol: String)
    /// An MPI call returned an error code; `message` is MPI's own text for it (`MPI_Error_string`).
    case mpi(operation: String, code: Int32, message: String)
    /// The ranks passed buffers that do not agree (different element counts, metric names or roots).
    case mismatch(operation: String, detail: String)
    /// An argument outside what the operation accepts (a root rank outside the world, a buffer too large).
    case invalidArgument(operation: String, detail: String)
    /// A command that does not train data-parallel was started by an MPI launcher with several ranks.
    case singleProcessOnly(command: String, ranks: Int)

    /// A one-line message (the CLI prefixes `error: `).
    public var description: String {
        switch self {
        case .libraryNotFound(let tried, let reason):
            "started by an MPI launcher, but no MPI library could be loaded (tried \(tried.joined(separator: ", ")): "
                + "\(reason)); install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev) or set "
                + "MONTAGUE_MPI_LIBRARY to the path of libmpi"
        case .missingSymbol(let library, let symbol):
            "\(library) does not export '\(symbol)': Montague's MPI binding needs Open MPI (4.x or 5.x)"
        case .mpi(let operation, let code, let message): "\(operation) failed (MPI error \(code)): \(message)"
        case .mismatch(let operation, let detail): "\(operation): the ranks disagree: \(detail)"
        case .invalidArgument(let operation, let detail): "\(operation): \(detail)"
        case .singleProcessOnly(let command, let ranks):
            "\(command) runs in one process, but mpirun started \(ranks) ranks; data-parallel training under mpirun "
                + "is available for train lm (docs/distributed.md)"
        }
    }
}
