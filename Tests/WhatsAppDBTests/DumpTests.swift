import ExhibitKit
import ExhibitTesting
import Foundation
import Testing
@testable import WhatsAppDB

@Test func dump() async throws {
    let dir = try TestDirectory("wa")
    defer { dir.remove() }
    for f in ["current", "legacy", "transitional"] {
        let file = try WAFixture.file(f, in: dir)
        let findings = try await WAFixture.run(file, in: dir)
        print("=== \(f)")
        for x in findings { print(x) }
    }
}
