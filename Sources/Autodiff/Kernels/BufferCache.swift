#if canImport(Glibc)
import Glibc
#endif

/// Keeps freed tensor storage in the process for reuse instead of returning it to the kernel.
///
/// Every op writes its result into a new buffer, and a training step frees most of them at the end of the step,
/// so the next step asks for the same sizes again. glibc's allocator already keeps freed chunks in size-ordered
/// bins, which makes it the size-bucketed cache a step needs — but with its defaults a buffer above a dynamic
/// threshold (128 KiB at first) is an `mmap` of its own, and the top of the heap is handed back once more than
/// twice that is free, so each step page-faults its large buffers in again (a fault per 4 KiB page, with the
/// kernel zeroing it). ``retainFreedMemory()`` fixes both: no buffer is a mapping of its own (`M_MMAP_MAX` 0:
/// glibc's mapping threshold cannot be raised above 32 MiB, and a language model's logits and their gradient are
/// larger, 44.8 MB each for 1,120 tokens over 10,000 classes), so every buffer comes from the heap, and freed
/// memory stays there up to 512 MiB. The price is that memory freed in the middle of the heap is not returned to
/// the system until the process ends (it is reused for the next buffers of its size).
///
/// Called once when the first ``Parameter`` is created (training makes parameters before its first step). A
/// process that sets `MALLOC_MMAP_THRESHOLD_` or `MALLOC_TRIM_THRESHOLD_` keeps its own choice; without glibc this
/// does nothing.
public enum BufferCache {
    /// Whether the allocator's thresholds were set by ``retainFreedMemory()``.
    public static var isRetainingFreedMemory: Bool { configured }

    /// Sets the allocator's thresholds (once per process; later calls do nothing).
    public static func retainFreedMemory() { _ = configured }

    /// glibc's largest mapping threshold, 32 MiB: buffers this large get huge-page advice.
    @usableFromInline static let largeBufferBytes = 32 << 20

    /// Asks for transparent huge pages on a new, untouched buffer above ``largeBufferBytes`` (where such a buffer is
    /// fresh memory — the first time, or always when the allocator's thresholds were not set — it would otherwise be
    /// faulted in one 4 KiB page at a time: 11,000 faults for a 1120 × 10,000 logits matrix). Only the whole 2 MiB blocks inside the buffer are advised; smaller buffers
    /// and systems without `MADV_HUGEPAGE` are left alone. The contents are unaffected.
    @inlinable
    public static func adviseHugePages(_ buffer: UnsafeMutableBufferPointer<Float>) {
        #if canImport(Glibc)
        guard buffer.count &* 4 >= largeBufferBytes, let base = buffer.baseAddress else { return }
        let hugePage = 2 << 20
        let start = (Int(bitPattern: base) &+ hugePage &- 1) & ~(hugePage &- 1)
        let end = (Int(bitPattern: base + buffer.count)) & ~(hugePage &- 1)
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end &- start, MADV_HUGEPAGE)
        #endif
    }

    private static let configured: Bool = {
        #if canImport(Glibc)
        if getenv("MALLOC_MMAP_THRESHOLD_") != nil || getenv("MALLOC_TRIM_THRESHOLD_") != nil { return false }
        // `mallopt` is declared in <malloc.h>, which the Glibc module does not export: look it up instead.
        typealias MallocOption = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: MallocOption.self)
        // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_MMAP_MAX.
        let (trimThreshold, mmapThreshold, mmapMaximum): (Int32, Int32, Int32) = (-1, -3, -4)
        let mmapSet = mallopt(mmapThreshold, Int32(largeBufferBytes)) == 1
        let mappingsOff = mallopt(mmapMaximum, 0) == 1
        let trimSet = mallopt(trimThreshold, 512 << 20) == 1
        return mmapSet && mappingsOff && trimSet
        #else
        return false
        #endif
    }()
}
