// Lab index benchmark helper (bench/lab_bench.py): times `publish` and `spread` inside one
// process, so the numbers are the lab index's (COPY, the chunk-index query), not process start.
//
//   exhibit-labbench init [MIGRATION]               → {"applied": [...]}   (lab init, or up to MIGRATION:
//                                                     a lab of an older version, for before/after runs)
//   exhibit-labbench publish CASE.sqlite            → {"rows": N, "seconds": S, "tables": {...}}
//   exhibit-labbench spread PDQHEX [REPEAT]         → {"ms": [...], "contents": N, "appearances": N}
//
// The lab's connection string comes from $EXHIBIT_LAB_URL (never printed).
import Foundation
import LabIndex

func emit(_ object: [String: Any]) {
    if let d = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) { print(String(decoding: d, as: UTF8.self)) }
}

let args = Array(CommandLine.arguments.dropFirst())
guard args.count >= 2 || args.first == "init" else {
    FileHandle.standardError.write(Data("usage: exhibit-labbench publish CASE.sqlite | spread PDQHEX [REPEAT]\n".utf8))
    exit(2)
}
do {
    let url = try LabURL.load(file: nil)
    switch args[0] {
    case "init":
        let through = args.count > 1 ? args[1] : nil
        let applied = try LabIndex.with(url) { try await $0.migrate(through: through) }
        emit(["applied": applied])
    case "publish":
        let db = args[1]
        let (report, seconds) = try LabIndex.with(url) { lab in
            let t0 = Date()
            let r = try await lab.publish(caseDatabase: db)
            return (r, Date().timeIntervalSince(t0))
        }
        emit(["rows": report.rows.values.reduce(0, +), "seconds": seconds, "tables": report.rows])
    case "spread":
        let hex = args[1]
        let repeatCount = args.count > 2 ? max(1, Int(args[2]) ?? 5) : 5
        let (ms, contents, appearances) = try LabIndex.with(url) { lab in
            var ms: [Double] = []
            var last: LabSpread?
            for _ in 0..<repeatCount {
                let t0 = Date()
                last = try await lab.spread(sha256: nil, pdq: [hex])
                ms.append(Date().timeIntervalSince(t0) * 1000)
            }
            return (ms, last?.contents.count ?? 0, last?.appearances.count ?? 0)
        }
        emit(["ms": ms, "contents": contents, "appearances": appearances])
    default:
        FileHandle.standardError.write(Data("unknown command \(args[0])\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("exhibit-labbench: \(LabIndex.describe(error))\n".utf8))
    exit(1)
}
