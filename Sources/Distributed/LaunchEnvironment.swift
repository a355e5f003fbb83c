/// How this process was started: alone, or as one rank of a job started by an MPI launcher.
///
/// Launchers announce themselves through the environment: Open MPI's `mpirun` sets `OMPI_COMM_WORLD_SIZE` and
/// `OMPI_COMM_WORLD_RANK`, PMIx-based launchers (Open MPI 5, Slurm's `srun --mpi=pmix`) set `PMIX_RANK`, and
/// PMI-1/2 launchers (Slurm, MPICH's Hydra) set `PMI_SIZE` and `PMI_RANK`. Without any of them the process runs
/// single-process and never loads an MPI library, so a machine without MPI runs every command unchanged.
public struct LaunchEnvironment: Sendable, Equatable {
    /// The rank the launcher announced, or nil when it announced none.
    public var announcedRank: Int?
    /// The world size the launcher announced, or nil when it announced none.
    public var announcedSize: Int?
    /// The variable that revealed the launcher, or nil when the process was not started by one.
    public var launcherVariable: String?
    /// The path of the MPI library given by `MONTAGUE_MPI_LIBRARY`, tried before the default names.
    public var libraryOverride: String?

    /// Reads `environment` (the process's own by default).
    public init(_ environment: [String: String]) {
        let pairs: [(size: String, rank: String)] = [
            ("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"), ("PMIX_SIZE", "PMIX_RANK"), ("PMI_SIZE", "PMI_RANK"),
        ]
        for pair in pairs where environment[pair.size] != nil || environment[pair.rank] != nil {
            launcherVariable = environment[pair.size] != nil ? pair.size : pair.rank
            announcedSize = environment[pair.size].flatMap { Int($0) }
            announcedRank = environment[pair.rank].flatMap { Int($0) }
            break
        }
        libraryOverride = environment["MONTAGUE_MPI_LIBRARY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether an MPI launcher started this process (then ``ProcessGroup/world()`` initializes MPI).
    public var isLaunchedByMPI: Bool { launcherVariable != nil }

    /// Throws when a launcher announced more than one rank: for commands that do not train data-parallel, so that
    /// `mpirun -np N` does not start `N` copies writing the same output.
    ///
    /// - Throws: ``DistributedError/singleProcessOnly(command:ranks:)``.
    public func requireSingleProcess(_ command: String) throws {
        if let announcedSize, announcedSize > 1 {
            throw DistributedError.singleProcessOnly(command: command, ranks: announcedSize)
        }
    }
}
