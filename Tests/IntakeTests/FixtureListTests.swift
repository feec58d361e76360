import Foundation
import Testing

/// `IntakeFixtureManifest.fixtureNames` feeds the fixture-manifest suite; a broken path would give it zero cases
/// and a silent pass. This suite reads `expected.json` by the throwing path (issue 18, part 5).
@Suite struct IntakeFixtureListTests {
    @Test func theFixtureListIsNotEmpty() throws {
        let data = try Data(contentsOf: IntakeFixtureManifest.directory.appendingPathComponent("expected.json"))
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let names = list.compactMap { $0["fixture"] as? String }
        try #require(names.count >= 10, "only \(names.count) intake fixtures")
        #expect(names == IntakeFixtureManifest.fixtureNames)
        for name in names {
            #expect(FileManager.default.fileExists(atPath: IntakeFixtureManifest.directory.appendingPathComponent(name).path), "\(name) missing")
        }
    }
}
