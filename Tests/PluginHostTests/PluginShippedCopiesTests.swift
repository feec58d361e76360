import ExhibitTesting
import Foundation
@testable import PluginHost
import Testing

/// The protocol helpers `exhibit plugin new` writes are also shipped as copies (the examples, the
/// test corpus): every copy must be the scaffold's text, so a wire change reaches all of them.
struct PluginShippedCopiesTests {
    @Test func shippedHelperCopiesMatchTheScaffold() throws {
        for url in [Corpus.packageRoot().appendingPathComponent("plugins/examples/android-sms/exhibit_plugin.py"), Corpus.url("plugins/misbehave/exhibit_plugin.py")] {
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text == PluginScaffold.pythonHelper + "\n", "\(url.path) differs from the helper `exhibit plugin new` writes")
        }
        // Swift: the protocol part of main.swift (from its marker line to the end).
        let scaffold = PluginScaffold.swiftPlugin(name: "x")
        let example = try String(contentsOf: Corpus.packageRoot().appendingPathComponent("plugins/examples/bash-history/main.swift"), encoding: .utf8)
        for (name, text) in [("the scaffold", scaffold), ("plugins/examples/bash-history/main.swift", example)] {
            let part = try #require(text.range(of: PluginScaffold.swiftHelperMarker), "\(name) has no protocol part")
            #expect(String(text[part.lowerBound...]) == PluginScaffold.swiftHelper + "\n", "\(name)'s protocol part differs from the scaffold's")
        }
    }
}
