import Foundation

/// `exhibit plugin new NAME --lang python|swift`: writes a working plugin (manifest, executable,
/// a sample fixture, a README) that passes `exhibit plugin test` as generated. The generated
/// plugin reads text files and reports one artifact per file with its line and byte counts — a
/// skeleton to replace with a real parser.
public enum PluginScaffold {
    /// Languages the scaffold knows.
    public enum Language: String, Sendable, CaseIterable { case python, swift }

    /// Creates the plugin in `directory` (which must not exist or be empty). Returns the files written
    /// and, for Swift, the build command (run when `swiftc` is on PATH).
    public static func create(name: String, language: Language, directory: String) throws -> (files: [String], notes: [String]) {
        guard name.count <= 64, name.first?.isLetter == true,
              name.unicodeScalars.allSatisfy({ "abcdefghijklmnopqrstuvwxyz0123456789.-_".unicodeScalars.contains($0) }) else {
            throw PluginError(path: name, "a plugin name is 1–64 characters of a-z 0-9 . - _, starting with a letter")
        }
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            throw PluginError(path: directory, "exists and is not empty; choose another --dir")
        }
        try fm.createDirectory(atPath: directory + "/fixtures", withIntermediateDirectories: true)
        var files: [(String, String, Bool)] = [
            ("fixtures/sample.txt", "First line of a sample text file.\nSecond line.\n한국어 세 번째 줄.\n", false),
            ("fixtures/sample.txt.expected.json", expected(name: name), false),
            ("README.md", readme(name: name, language: language), false),
        ]
        var notes: [String] = []
        switch language {
        case .python:
            files += [
                ("plugin.json", manifest(name: name, command: #"["python3", "plugin.py"]"#), false),
                ("plugin.py", pythonPlugin(name: name), true),
                ("exhibit_plugin.py", pythonHelper + "\n", false),
            ]
        case .swift:
            files += [
                ("plugin.json", manifest(name: name, command: "[\"./\(name)\"]"), false),
                ("main.swift", swiftPlugin(name: name), false),
            ]
        }
        for (rel, text, executable) in files {
            let path = directory + "/" + rel
            guard fm.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: executable ? 0o755 : 0o644]) else {
                throw PluginError(path: path, "cannot write")
            }
        }
        if language == .swift {
            let build = "swiftc -O main.swift -o \(name)"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["swiftc", "-O", "main.swift", "-o", name]
            p.currentDirectoryURL = URL(fileURLWithPath: directory)
            do {
                try p.run()
                p.waitUntilExit()
                notes.append(p.terminationStatus == 0 ? "built with: \(build)" : "the build failed; run in \(directory): \(build)")
            } catch { notes.append("swiftc not found; build it in \(directory) with: \(build)") }
        }
        return (files.map { directory + "/" + $0.0 }, notes)
    }

    /// What the skeleton replies for `fixtures/sample.txt` (73 bytes, 3 lines), as `exhibit plugin
    /// test` compares it. Regenerate after changing the parser: `exhibit plugin test . --update-expected`.
    static func expected(name: String) -> String {
        """
        [
          {
            "data" : {
              "location" : {
                "offset" : 0
              },
              "properties" : {
                "bytes" : 73,
                "first_line" : "First line of a sample text file.",
                "lines" : 3
              },
              "type" : "\(name).text-stats"
            },
            "kind" : "artifact"
          }
        ]

        """
    }

    static func manifest(name: String, command: String) -> String {
        """
        {
          "protocol": 1,
          "id": "\(name)",
          "version": "0.1.0",
          "summary": "\(name): counts the lines of text files (generated skeleton: replace with your parser)",
          "command": \(command),
          "accepts": {
            "mime_types": ["text/plain"],
            "path_globs": ["*.\(name)"],
            "needs_bytes": true
          },
          "timeout_seconds": 30,
          "limits": { "memory_mb": 2048, "cpu_seconds": 3600, "reply_mb": 64, "instances": 1 },
          "produces": ["artifact", "warning"]
        }

        """
    }

    static func pythonPlugin(name: String) -> String {
        """
        #!/usr/bin/env python3
        \"\"\"\(name) — an Exhibit analyzer plugin (protocol 1). See README.md and docs/plugins.md.\"\"\"
        import exhibit_plugin as ex

        PLUGIN_ID = "\(name)"
        VERSION = "0.1.0"  # keep equal to "version" in plugin.json


        def analyze(req):
            \"\"\"Called once per file the manifest accepts; returns or yields findings.\"\"\"
            data = req.read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as e:
                yield ex.warning("not-utf8", "not UTF-8 text (byte %d); counted lines only" % e.start)
                text = None
            properties = {"bytes": len(data), "lines": data.count(b"\\n")}
            if text is not None:
                properties["first_line"] = text.split("\\n", 1)[0][:200]
            yield ex.artifact("\(name).text-stats", properties, location=ex.location(offset=0))


        if __name__ == "__main__":
            ex.run(PLUGIN_ID, VERSION, analyze)

        """
    }

    static func readme(name: String, language: Language) -> String {
        let build = language == .swift ? """

            Build (plain `swiftc`, one file, no dependencies — rebuild after every edit):

                swiftc -O main.swift -o \(name)

            """ : ""
        let edit = language == .python ? "`plugin.py` (`exhibit_plugin.py` is the protocol helper: keep it)" : "`main.swift`"
        return """
            # \(name) — an Exhibit analyzer plugin

            Generated by `exhibit plugin new`. It reads text files and reports one `\(name).text-stats`
            artifact per file. Replace the body of `analyze` in \(edit) with your parser, and
            `accepts` in `plugin.json` with the MIME types and path globs of your format.
            \(build)
            Test (runs the plugin on `fixtures/` and on hostile inputs, validating every reply, and
            compares each fixture's reply with `FIXTURE.expected.json`):

                exhibit plugin test .
                exhibit plugin test . --update-expected    # after changing the parser: accept the new output

            Use on evidence:

                exhibit ingest seized.zip --db case.sqlite --plugins .

            Its findings are stored like a built-in analyzer's, with `analyzer_id` = `\(name)` and
            `analyzer_version` = `VERSION+sha256.<manifest hash>`. The protocol, the finding kinds and
            the sandbox the plugin runs in are described in Exhibit's docs/plugins.md.

            """
    }
}
