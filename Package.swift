// swift-tools-version:6.1
import PackageDescription

// Exhibit — offline forensic toolkit. Module split and dependency rules: docs/architecture.md.
let package = Package(
    name: "Exhibit",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "exhibit", targets: ["exhibit"]),
        .library(name: "ExhibitKit", targets: ["ExhibitKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        // The lab index (issue 17): PostgreSQL access for `exhibit lab`.
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        // `exhibit serve`: the local read-only review application (issue 16, docs/review.md).
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
    ],
    targets: [
        // Shared primitives (hex, byte readers, canonical JSON, fd loops, temp-dir default):
        // Foundation only, no analyzer vocabulary (docs/architecture.md, "One home for primitives").
        .target(name: "ExhibitSupport"),
        .testTarget(name: "ExhibitSupportTests", dependencies: ["ExhibitSupport", "ExhibitKit"]),
        // The shared analyzer protocol: Foundation only.
        .target(name: "ExhibitKit", dependencies: ["ExhibitSupport"]),

        // C libraries: one system-library target each (module.modulemap + shim.h only).
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CMagic", providers: [.apt(["libmagic-dev"])]),
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Media hasher decoders (issue 5).
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        .systemLibrary(name: "CGIF", providers: [.apt(["libgif-dev"])]),
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CHEIF", pkgConfig: "libheif", providers: [.apt(["libheif-dev"])]),
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat", providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),
        // Linux confinement for external plugins (Landlock, memfd seals, rlimits): kernel headers only.
        .systemLibrary(name: "CSandbox"),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        // OpenSSL libcrypto: AES-256-CBC over whole chunks for encrypted iPhone backups (docs/intake.md).
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // SQLite's process-wide settings (`sqlite3_config`, variadic): the store's memory statistics off.
        .systemLibrary(name: "CSQLiteTuning", providers: [.apt(["libsqlite3-dev"])]),

        // Built-in analyzers (plugins/<Name>): ExhibitKit plus their own C targets only.
        .target(name: "ChatExport", dependencies: ["ExhibitKit", "CXML2"], path: "plugins/ChatExport"),
        .target(name: "Metadata", dependencies: ["ExhibitKit", "ExhibitSupport", "CXML2", "CZlib", "CArchive"], path: "plugins/Metadata"),
        .target(name: "MediaHash", dependencies: ["ExhibitKit", "ExhibitSupport", "CTurboJPEG", "CPNG", "CWebP", "CGIF", "CTIFF", "CHEIF", "CFFmpeg"],
                path: "plugins/MediaHash"),
        // Hash-set import (plain, hashdeep, NSRL, VICS, NCMEC, PDQ/vPDQ) and matching (issue 5).
        .target(
            name: "HashSets",
            dependencies: ["ExhibitKit", "ExhibitSupport", "EvidenceStore", "CXML2", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Timeline", dependencies: ["ExhibitKit"], path: "plugins/Timeline"),
        // Page-level SQLite reader and deleted-record carving (issue 13): Foundation and ExhibitKit
        // only, over bytes, never SQLite's pager; shared by the recovery analyzer and the app analyzers.
        .target(name: "SQLiteForensics", dependencies: ["ExhibitKit", "ExhibitSupport"]),
        .target(name: "SQLiteRecovery", dependencies: ["ExhibitKit", "SQLiteForensics"], path: "plugins/SQLiteRecovery"),
        // App databases found in phone extractions: opened from the engine's private copy with
        // their WAL (issue 11); shared by the app-database analyzers.
        .target(name: "AppDatabaseKit", dependencies: ["ExhibitKit", "ExhibitSupport", "SQLiteForensics", .product(name: "GRDB", package: "GRDB.swift"),
                                                  .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(name: "WhatsAppDB", dependencies: ["ExhibitKit", "ExhibitSupport", "AppDatabaseKit", "SQLiteForensics", .product(name: "GRDB", package: "GRDB.swift")], path: "plugins/WhatsAppDB"),
        .testTarget(name: "WhatsAppDBTests", dependencies: ["WhatsAppDB", "ExhibitKit", "ExhibitTesting", "SQLiteForensics"]),
        .target(name: "KakaoTalkDB", dependencies: ["ExhibitKit", "AppDatabaseKit", "SQLiteForensics", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")], path: "plugins/KakaoTalkDB"),
        .testTarget(name: "KakaoTalkDBTests", dependencies: ["KakaoTalkDB", "AppDatabaseKit", "ExhibitKit", "ExhibitTesting"]),
        .target(name: "TelegramDB", dependencies: ["ExhibitKit", "ExhibitSupport", "AppDatabaseKit", "SQLiteForensics", .product(name: "GRDB", package: "GRDB.swift")], path: "plugins/TelegramDB"),
        .testTarget(name: "TelegramDBTests", dependencies: ["TelegramDB", "ExhibitKit", "ExhibitTesting"]),
        .target(name: "WhatsAppIOSDB", dependencies: ["ExhibitKit", "AppDatabaseKit", "SQLiteForensics", .product(name: "GRDB", package: "GRDB.swift")], path: "plugins/WhatsAppIOSDB"),
        .testTarget(name: "WhatsAppIOSDBTests", dependencies: ["WhatsAppIOSDB", "ExhibitKit", "ExhibitTesting"]),
        .target(name: "TelegramIOSDB", dependencies: ["ExhibitKit", "ExhibitSupport", "AppDatabaseKit", "SQLiteForensics", .product(name: "GRDB", package: "GRDB.swift")], path: "plugins/TelegramIOSDB"),
        .testTarget(name: "TelegramIOSDBTests", dependencies: ["TelegramIOSDB", "AppDatabaseKit", "ExhibitKit", "ExhibitTesting"]),

        .target(
            name: "Intake",
            dependencies: [
                "ExhibitKit", "ExhibitSupport", "CArchive", "CMagic", "CSandbox",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "EvidenceStore",
            dependencies: [
                "ExhibitKit", "ExhibitSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The findings digest reads columns in place (Digest/DigestColumns.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                "CSQLiteTuning",
            ]),
        // The external-plugin host (docs/plugins.md): manifest, wire, sandbox, processes, scaffold,
        // conformance tester. Engine registers its PluginAnalyzers; it never depends on Engine.
        .target(name: "PluginHost", dependencies: ["ExhibitKit", "ExhibitSupport", "Intake", "CSandbox", "CSeccomp"]),
        .testTarget(name: "PluginHostTests", dependencies: ["PluginHost", "ExhibitKit", "ExhibitTesting"]),
        // `exhibit export` and `exhibit report` (docs/exports.md): consumers of EvidenceStore's
        // public query API (Query/Export*Queries, Report*Queries); no SQL of their own, no GRDB.
        .target(
            name: "CaseOutputs",
            dependencies: ["EvidenceStore", "ExhibitKit", "ExhibitSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Engine",
            dependencies: ["ExhibitKit", "ExhibitSupport", "Intake", "EvidenceStore", "PluginHost", "CSandbox", "ChatExport", "Metadata", "MediaHash", "HashSets",
                           "Timeline", "SQLiteRecovery", "CLibCrypto", "AppDatabaseKit", "WhatsAppDB", "KakaoTalkDB", "TelegramDB", "WhatsAppIOSDB", "TelegramIOSDB",
                           .product(name: "GRDB", package: "GRDB.swift"),
                           // Encrypted iPhone backups: PBKDF2, AES key wrap, AES-CBC (docs/intake.md).
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")]),
        // The lab index (issue 17): case databases published to one PostgreSQL for cross-case
        // questions. Reads case databases through EvidenceStore (LabExportReader, read-only);
        // writes only to PostgreSQL.
        .target(
            name: "LabIndex",
            dependencies: ["EvidenceStore", "ExhibitSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "LabIndexTests", dependencies: ["LabIndex", "ExhibitTesting", .product(name: "GRDB", package: "GRDB.swift"),
                                                  .product(name: "PostgresNIO", package: "postgres-nio")]),
        // `exhibit serve` (issue 16): HTTP API and pages over a case opened read-only; tags and
        // notes go to a sidecar review database (EvidenceStore's ReviewDatabase).
        .target(
            name: "Review",
            dependencies: ["EvidenceStore", "ExhibitKit", "ExhibitSupport", "CaseOutputs", "Engine", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ReviewTests", dependencies: ["ExhibitTesting", "EvidenceStore", "CaseOutputs", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "ExhibitCLI",
            dependencies: [
                "Engine", "EvidenceStore", "CaseOutputs", "ExhibitKit", "ExhibitSupport", "Intake", "HashSets", "LabIndex", "Review", "PluginHost",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "exhibit", dependencies: ["ExhibitCLI", "Engine"]),
        .target(name: "ExhibitTesting", dependencies: ["ExhibitKit", "ExhibitSupport"]),

        // A second front end used only by tests: the real CLI plus test-only analyzers that crash,
        // hang or fail on purpose, to prove dispatch and worker supervision. Never shipped.
        .executableTarget(
            name: "exhibit-testbed",
            dependencies: ["ExhibitCLI", "Engine", "ExhibitKit", "AppDatabaseKit", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/TestBed"),

        // Benchmark helper: the machine's hashing limit, measured in the same run (make bench).
        .executableTarget(
            name: "exhibit-hashspeed",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            path: "bench/HashSpeed"),

        // Metadata benchmark helper: the analyzer's own files/s over files in memory (make bench).
        .executableTarget(
            name: "exhibit-metabench",
            dependencies: ["Metadata", "ExhibitKit"],
            path: "bench/MetaBench"),

        // Chat parser benchmark helper: runs the chat-export analyzer over one file (bench/chat_bench.py).
        .executableTarget(
            name: "exhibit-chatbench",
            dependencies: ["ChatExport", "ExhibitKit"],
            path: "bench/ChatBench"),

        // Recovery benchmark helper: recovered rows of one database as JSON lines (bench/recovery_bench.py).
        .executableTarget(
            name: "exhibit-recoverybench",
            dependencies: ["SQLiteForensics"],
            path: "bench/RecoveryBench"),
        .testTarget(name: "SQLiteForensicsTests", dependencies: ["SQLiteForensics", "SQLiteRecovery", "ExhibitKit", "ExhibitTesting"]),
        .testTarget(name: "ChatExportTests", dependencies: ["ChatExport", "ExhibitKit", "ExhibitTesting"]),
        // libFuzzer harness for the metadata parsers (fuzz/README.md). Built normally it replays
        // files given on the command line; built with -sanitize=fuzzer -DFUZZING it is the fuzzer.
        .executableTarget(name: "exhibit-metadata-fuzz", dependencies: ["Metadata", "ExhibitKit"], path: "fuzz/MetadataFuzz"),

        // Lab index benchmark helper: publish rows/s and spread latency in one process (bench/lab_bench.py).
        .executableTarget(
            name: "exhibit-labbench",
            dependencies: ["LabIndex"],
            path: "bench/LabBench"),
        // Media hasher benchmark helper: PDQ images/s and frames/s, hash-set lookups (make bench).
        .executableTarget(
            name: "exhibit-mediabench",
            dependencies: ["MediaHash", "HashSets", "ExhibitKit"],
            path: "bench/MediaBench"),
        .testTarget(name: "MediaHashTests", dependencies: ["MediaHash", "HashSets", "ExhibitKit", "ExhibitTesting"]),
        .testTarget(name: "HashSetsTests", dependencies: ["HashSets", "EvidenceStore", "ExhibitKit", "ExhibitTesting"]),
        // End-to-end through the real `exhibit` (built with --build-tests): the timeline case
        // analyzer, and the exports and report (CaseOutputs), each checked by its consumer's tool.
        .testTarget(name: "TimelineTests", dependencies: ["Timeline", "ExhibitTesting", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CaseOutputsTests", dependencies: ["CaseOutputs", "ExhibitTesting", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "MetadataTests", dependencies: ["Metadata", "ExhibitKit", "ExhibitTesting"]),
        .testTarget(name: "ExhibitKitTests", dependencies: ["ExhibitKit", "ExhibitTesting"]),
        .testTarget(name: "IntakeTests", dependencies: ["Intake", "ExhibitKit", "ExhibitTesting"]),
        .testTarget(
            name: "EvidenceStoreTests",
            dependencies: ["EvidenceStore", "ExhibitKit", "ExhibitTesting", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "EvidenceStore", "CaseOutputs", "ExhibitKit", "ExhibitTesting", "Intake", "PluginHost",
                           .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
