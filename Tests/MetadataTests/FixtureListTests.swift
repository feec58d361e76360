import Foundation
import Testing

/// `MetadataFixtures.names` feeds parameterised suites; an unreadable `expected.json` would give
/// them zero cases and a silent pass. This suite reads it by the throwing path (issue 18, part 5).
@Suite struct MetadataFixtureListTests {
    @Test func theFixtureListIsNotEmpty() throws {
        let names = try MetadataFixtures.expected().keys.sorted()
        try #require(names.count >= 10, "only \(names.count) metadata fixtures")
        #expect(names == MetadataFixtures.names)
        for name in names {
            #expect(FileManager.default.fileExists(atPath: MetadataFixtures.root.appendingPathComponent(name).path), "\(name) missing")
        }
    }
}
