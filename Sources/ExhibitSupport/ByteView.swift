/// Bounds-checked integer reads over bytes, in either byte order. Every read past the end (or
/// at a negative or overflowing offset) is `nil`: a length or pointer taken from evidence can
/// never trap, and "outside the data" is an ordinary condition the caller must handle — there is
/// no silent `0`.
public struct ByteView: Sendable {
    /// The bytes read.
    public let bytes: [UInt8]
    /// Number of bytes.
    public var count: Int { bytes.count }

    /// A view of `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether `[at, at+length)` lies inside the data (overflow-safe).
    public func contains(_ at: Int, _ length: Int) -> Bool { ByteOrder.fits(count: bytes.count, at, length) }

    /// The byte at `at`.
    public func u8(_ at: Int) -> UInt8? { contains(at, 1) ? bytes[at] : nil }

    /// A 16-bit unsigned integer at `at`.
    public func u16(_ at: Int, bigEndian: Bool) -> UInt16? { ByteOrder.read(bytes, at, width: 2, bigEndian: bigEndian).map { UInt16($0) } }

    /// A 32-bit unsigned integer at `at`.
    public func u32(_ at: Int, bigEndian: Bool) -> UInt32? { ByteOrder.read(bytes, at, width: 4, bigEndian: bigEndian).map { UInt32($0) } }

    /// A 64-bit unsigned integer at `at`.
    public func u64(_ at: Int, bigEndian: Bool) -> UInt64? { ByteOrder.read(bytes, at, width: 8, bigEndian: bigEndian) }

    /// An unsigned integer of `width` (0…8) bytes at `at`.
    public func uint(_ at: Int, width: Int, bigEndian: Bool) -> UInt64? { ByteOrder.read(bytes, at, width: width, bigEndian: bigEndian) }

    /// `[at, at+length)` as a slice, or `nil` when it does not fit.
    public func slice(_ at: Int, _ length: Int) -> ArraySlice<UInt8>? { contains(at, length) ? bytes[at..<at + length] : nil }

    /// Whether the bytes at `at` equal `pattern`.
    public func matches(_ at: Int, _ pattern: [UInt8]) -> Bool {
        guard let s = slice(at, pattern.count) else { return false }
        return s.elementsEqual(pattern)
    }

    /// Index of the first `byte` in `[from, to)`, or `nil`.
    public func firstIndex(of byte: UInt8, from: Int, to: Int) -> Int? {
        let end = min(to, bytes.count)
        guard from >= 0, from < end else { return nil }
        return bytes[from..<end].firstIndex(of: byte)
    }
}

/// The reads behind ``ByteView``, for any random-access bytes indexed from 0 (arrays, raw
/// buffers of mapped files), so a decoder over a buffer does not copy it to read a header.
public enum ByteOrder {
    /// Whether `[at, at+length)` lies inside `count` bytes (overflow-safe).
    @inlinable public static func fits(count: Int, _ at: Int, _ length: Int) -> Bool {
        guard at >= 0, length >= 0 else { return false }
        let end = at.addingReportingOverflow(length)
        return !end.overflow && end.partialValue <= count
    }

    /// An unsigned integer of `width` (0…8) bytes at `at` of `bytes`, or `nil` outside them.
    @inlinable public static func read<C: RandomAccessCollection>(_ bytes: C, _ at: Int, width: Int, bigEndian: Bool) -> UInt64?
    where C.Element == UInt8, C.Index == Int {
        guard width >= 0, width <= 8, fits(count: bytes.count, at, width) else { return nil }
        let base = bytes.startIndex + at
        var v: UInt64 = 0
        for i in 0..<width { v = v << 8 | UInt64(bytes[base + (bigEndian ? i : width - 1 - i)]) }
        return v
    }

    /// A little-endian 16-bit integer at `at`.
    @inlinable public static func le16<C: RandomAccessCollection>(_ b: C, _ at: Int) -> UInt16? where C.Element == UInt8, C.Index == Int {
        read(b, at, width: 2, bigEndian: false).map { UInt16($0) }
    }
    /// A little-endian 32-bit integer at `at`.
    @inlinable public static func le32<C: RandomAccessCollection>(_ b: C, _ at: Int) -> UInt32? where C.Element == UInt8, C.Index == Int {
        read(b, at, width: 4, bigEndian: false).map { UInt32($0) }
    }
}
