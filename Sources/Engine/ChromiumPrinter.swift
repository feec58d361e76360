import Foundation

/// Prints an HTML file to PDF through headless Chromium (`exhibit report --pdf`). Chromium is
/// found at `$EXHIBIT_CHROMIUM`, else Debian's `/usr/bin/chromium` (APT_PACKAGES installs it);
/// each run gets a private profile directory under `temporaryRoot`, removed afterwards.
public enum ChromiumPrinter {
    /// Why no PDF was written.
    public enum Failure: Error, CustomStringConvertible {
        /// No Chromium binary was found.
        case notInstalled
        /// Chromium ran but wrote no PDF (its exit status and the end of its error output).
        case failed(status: Int32, message: String)
        /// Chromium did not finish within the time limit and was stopped.
        case timedOut(seconds: Int)

        /// One sentence with the remedy.
        public var description: String {
            switch self {
            case .notInstalled: return "no Chromium found (install Debian's chromium, or set EXHIBIT_CHROMIUM to its path); the HTML report was written"
            case .failed(let s, let m): return "Chromium exited with status \(s) without writing the PDF: \(m)"
            case .timedOut(let s): return "Chromium did not finish printing within \(s) s and was stopped"
            }
        }
    }

    /// The Chromium binary to use, or `nil`.
    public static func binary(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let candidates = [environment["EXHIBIT_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Prints `html` (a local file) to `pdf`, A4 as the report's `@page` rule says, without
    /// Chromium's own header and footer (the report prints its page numbers itself).
    public static func print(html: String, to pdf: String, temporaryRoot: String, timeoutSeconds: Int = 180) throws {
        guard let chromium = binary() else { throw Failure.notInstalled }
        let fm = FileManager.default
        let profile = URL(fileURLWithPath: temporaryRoot).appendingPathComponent("exhibit-chromium-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: profile, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? fm.removeItem(atPath: profile) }
        let errPath = profile + "/stderr"
        fm.createFile(atPath: errPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        // No sandbox: Chromium's own sandbox needs user namespaces that containers often deny;
        // the page is our own file with a policy that forbids any script or load.
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                       "--user-data-dir=\(profile)", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)",
                       URL(fileURLWithPath: html).absoluteString]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try? fm.removeItem(atPath: pdf)
        try p.run()
        let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
            throw Failure.timedOut(seconds: timeoutSeconds)
        }
        let head = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: pdf)))
            .flatMap { h -> Data? in defer { try? h.close() }; return try? h.read(upToCount: 5) }
        guard p.terminationStatus == 0, head == Data("%PDF-".utf8) else {
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw Failure.failed(status: p.terminationStatus, message: String(err.suffix(500)))
        }
    }
}
