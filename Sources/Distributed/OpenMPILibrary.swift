import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Open MPI's C API, opened at run time with `dlopen` and resolved with `dlsym`, so building Montague needs neither
/// MPI headers nor the library (see docs/distributed.md for why this beats a system-library target here).
///
/// Open MPI's handles are pointers to exported globals: `MPI_COMM_WORLD` is `&ompi_mpi_comm_world`, `MPI_FLOAT` is
/// `&ompi_mpi_float`, `MPI_SUM` is `&ompi_mpi_op_sum`, `MPI_ERRORS_RETURN` is `&ompi_mpi_errors_return`, and
/// `MPI_IN_PLACE` is `(void *) 1` (Open MPI's `mpi.h`, versions 1.x to 5.x). `dlsym` returns exactly those addresses.
/// The library is opened with `RTLD_GLOBAL` because Open MPI's own plug-ins resolve symbols of `libmpi` when MPI
/// initializes.
final class OpenMPILibrary {
    typealias Handle = UnsafeMutableRawPointer
    typealias InitFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32
    typealias FlagFunction = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias VoidFunction = @convention(c) () -> Int32
    typealias CommIntFunction = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    typealias CommFunction = @convention(c) (Handle) -> Int32
    typealias CommHandleFunction = @convention(c) (Handle, Handle) -> Int32
    typealias BroadcastFunction = @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    typealias AllreduceFunction =
        @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    typealias GatherFunction =
        @convention(c) (
            UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle
        ) -> Int32
    typealias GathervFunction =
        @convention(c) (
            UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, UnsafePointer<Int32>?,
            UnsafePointer<Int32>?, Handle, Int32, Handle
        ) -> Int32
    typealias ErrorStringFunction =
        @convention(c) (Int32, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32
    typealias AbortFunction = @convention(c) (Handle, Int32) -> Int32

    /// `MPI_MAX_ERROR_STRING` and `MPI_MAX_LIBRARY_VERSION_STRING` in Open MPI's `mpi.h`.
    static let maximumStringLength = 256
    /// `MPI_IN_PLACE` in Open MPI's `mpi.h`.
    static var inPlace: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: 1) }

    let path: String
    let commWorld: Handle
    let float: Handle
    let double: Handle
    let byte: Handle
    let int: Handle
    let sum: Handle
    let maximum: Handle
    let errorsReturn: Handle

    let initialize: InitFunction
    let initialized: FlagFunction
    let finalized: FlagFunction
    let finalize: VoidFunction
    let commRank: CommIntFunction
    let commSize: CommIntFunction
    let commSetErrorHandler: CommHandleFunction
    let barrier: CommFunction
    let broadcast: BroadcastFunction
    let allreduce: AllreduceFunction
    let gather: GatherFunction
    let gatherv: GathervFunction
    let errorString: ErrorStringFunction
    let abort: AbortFunction
    let libraryVersion: ErrorStringFunctionWithoutCode

    typealias ErrorStringFunctionWithoutCode =
        @convention(c) (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32

    /// The library names tried, in order, after `MONTAGUE_MPI_LIBRARY`.
    static var defaultNames: [String] {
        #if os(macOS)
        ["libmpi.40.dylib", "libmpi.dylib", "/opt/homebrew/lib/libmpi.dylib", "/usr/local/lib/libmpi.dylib"]
        #else
        ["libmpi.so.40", "libmpi.so"]
        #endif
    }

    /// The names to try: `override` (from `MONTAGUE_MPI_LIBRARY`) first, then ``defaultNames``.
    static func candidates(override: String?) -> [String] { (override.map { [$0] } ?? []) + defaultNames }

    /// Opens the first loadable library of `names` and resolves every symbol.
    ///
    /// - Throws: ``DistributedError/libraryNotFound(tried:reason:)``, ``DistributedError/missingSymbol(library:symbol:)``.
    init(candidates names: [String]) throws(DistributedError) {
        var opened: (handle: UnsafeMutableRawPointer, name: String)?
        var reason = ""
        for name in names {
            if let handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL) {
                opened = (handle, name)
                break
            }
            reason = dlerror().map { String(cString: $0) } ?? "not found"
        }
        guard let opened else { throw .libraryNotFound(tried: names, reason: reason) }
        path = opened.name
        func symbol(_ name: String) throws(DistributedError) -> UnsafeMutableRawPointer {
            guard let address = dlsym(opened.handle, name) else {
                throw .missingSymbol(library: opened.name, symbol: name)
            }
            return address
        }
        func function<F>(_ name: String, as type: F.Type) throws(DistributedError) -> F {
            unsafeBitCast(try symbol(name), to: type)
        }
        commWorld = try symbol("ompi_mpi_comm_world")
        float = try symbol("ompi_mpi_float")
        double = try symbol("ompi_mpi_double")
        byte = try symbol("ompi_mpi_byte")
        int = try symbol("ompi_mpi_int")
        sum = try symbol("ompi_mpi_op_sum")
        maximum = try symbol("ompi_mpi_op_max")
        errorsReturn = try symbol("ompi_mpi_errors_return")
        initialize = try function("MPI_Init", as: InitFunction.self)
        initialized = try function("MPI_Initialized", as: FlagFunction.self)
        finalized = try function("MPI_Finalized", as: FlagFunction.self)
        finalize = try function("MPI_Finalize", as: VoidFunction.self)
        commRank = try function("MPI_Comm_rank", as: CommIntFunction.self)
        commSize = try function("MPI_Comm_size", as: CommIntFunction.self)
        commSetErrorHandler = try function("MPI_Comm_set_errhandler", as: CommHandleFunction.self)
        barrier = try function("MPI_Barrier", as: CommFunction.self)
        broadcast = try function("MPI_Bcast", as: BroadcastFunction.self)
        allreduce = try function("MPI_Allreduce", as: AllreduceFunction.self)
        gather = try function("MPI_Gather", as: GatherFunction.self)
        gatherv = try function("MPI_Gatherv", as: GathervFunction.self)
        errorString = try function("MPI_Error_string", as: ErrorStringFunction.self)
        abort = try function("MPI_Abort", as: AbortFunction.self)
        libraryVersion = try function("MPI_Get_library_version", as: ErrorStringFunctionWithoutCode.self)
    }

    /// MPI's text for an error code.
    func message(forCode code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Self.maximumStringLength + 1)
        var length: Int32 = 0
        guard errorString(code, &buffer, &length) == 0 else { return "unknown MPI error" }
        return String(decoding: buffer.prefix(Int(max(0, length))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Throws ``DistributedError/mpi(operation:code:message:)`` unless `code` is `MPI_SUCCESS` (0).
    func check(_ code: Int32, _ operation: String) throws(DistributedError) {
        if code != 0 { throw .mpi(operation: operation, code: code, message: message(forCode: code)) }
    }

    /// The library's version text (`MPI_Get_library_version`), first line.
    var versionText: String {
        var buffer = [CChar](repeating: 0, count: Self.maximumStringLength + 1)
        var length: Int32 = 0
        guard libraryVersion(&buffer, &length) == 0 else { return path }
        let text = String(decoding: buffer.prefix(Int(max(0, length))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: ",").first.map(String.init) ?? text
    }
}
