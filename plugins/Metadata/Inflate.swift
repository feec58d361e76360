import Foundation
import ExhibitKit
internal import CZlib

/// zlib inflate with an output cap: compressed text chunks are hostile input (decompression bombs).
enum Inflate {
    /// Most bytes one compressed chunk may expand to.
    static let maxOutput = 16 << 20

    /// The inflated bytes, and whether the stream was complete (false: damaged or over the cap;
    /// the bytes produced so far are still returned).
    static func zlib(_ input: [UInt8], limit: Int = maxOutput) -> (bytes: [UInt8], complete: Bool) {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return ([], false) }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var status: Int32 = Z_OK
        var input = input
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            while status == Z_OK, output.count < limit {
                chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    let produced = outBuf.count - Int(stream.avail_out)
                    output += outBuf[0..<min(produced, limit - output.count)]
                }
                if status == Z_BUF_ERROR || (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) { break }
            }
        }
        return (output, status == Z_STREAM_END)
    }
}
