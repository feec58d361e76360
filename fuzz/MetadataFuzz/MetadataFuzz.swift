import Foundation
import ExhibitKit
import Metadata

/// Which parser the harness drives (`jpeg`, `tiff`, `png`, `webp`, `bmff`, `xmp`), from
/// `EXHIBIT_FUZZ_PARSER`; unset means "detect from the magic bytes" like the analyzer does.
enum FuzzConfig {
    static let parser = ProcessInfo.processInfo.environment["EXHIBIT_FUZZ_PARSER"]
}

/// libFuzzer's entry point: one input through one parser. Any crash, trap or sanitizer report is
/// a bug; the findings themselves are discarded.
@_cdecl("LLVMFuzzerTestOneInput")
public func metadataFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = MetadataAnalyzer.findings(in: bytes, zone: nil, parser: FuzzConfig.parser)
    return 0
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links executables with `main` aliased to `<product>_main`; under libFuzzer that entry
/// hands control to libFuzzer's driver (its own `main` is then never linked in).
@_cdecl("exhibit_metadata_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var args = argv
    return LLVMFuzzerRunDriver(&count, &args, metadataFuzzOne)
}
#else
/// Without libFuzzer: replays the files named on the command line (a crash reproducer or a
/// corpus folder's files) through the same entry point.
@main
struct ReplayInputs {
    static func main() throws {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let bytes = [UInt8](data)
            _ = bytes.withUnsafeBufferPointer { metadataFuzzOne($0.baseAddress, $0.count) }
            count += 1
        }
        print("replayed \(count) inputs")
    }
}
#endif
