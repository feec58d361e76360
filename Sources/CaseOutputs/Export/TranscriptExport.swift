import EvidenceStore
import ExhibitKit
import Foundation

/// Printable chat transcripts for disclosure: one self-contained HTML file per chat (export
/// copies included, marked), plus `index.html` listing them. Every message shows its sequence
/// and native id, its time in the case's zone with UTC beside it, the basis and the raw value, sender, text, and attachments by
/// name with the SHA-256 of the linked file. No media is shown; all evidence text is escaped.
enum TranscriptHTML {
    /// Shared print-friendly style (also used by the report).
    static let style = """
        body{font-family:"Noto Sans","Noto Sans CJK KR","Malgun Gothic",sans-serif;font-size:10.5pt;margin:1.5em;color:#111}
        h1{font-size:15pt;margin:0 0 .3em} h2{font-size:12.5pt;margin:1.2em 0 .4em;border-bottom:1px solid #999}
        table{border-collapse:collapse;width:100%} th,td{border:1px solid #bbb;padding:3px 5px;vertical-align:top;text-align:left}
        th{background:#eee} tr{page-break-inside:avoid}
        .mono{font-family:"DejaVu Sans Mono",monospace;font-size:8.5pt;word-break:break-all}
        .text{white-space:pre-wrap;word-break:break-word} .muted{color:#666;font-size:9pt}
        .basis{font-size:8.5pt;color:#444} dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px} dt{font-weight:bold}
        footer{margin-top:2em;font-size:8.5pt;color:#444;border-top:1px solid #999;padding-top:4px}
        @page{size:A4;margin:15mm 12mm 18mm 12mm;@bottom-center{content:"Page " counter(page) " of " counter(pages);font-size:8pt}}
        @media print{body{margin:0} .pagebreak{page-break-before:always}}
        """

    /// The document up to and including the opening `<body>`.
    static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="und"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <title>\(ExportEscape.html(title))</title><style>\(style)</style></head>
        <body>

        """
    }

    /// The footer and the document's end.
    static func tail(footer: String) -> String { "<footer>\(footer)</footer>\n</body></html>\n" }

    /// `2024-08-28 15:12:03 +09:00 (06:12:03Z)` + basis + raw, or the raw value when there is no UTC.
    static func time(utc: String?, basis: String?, raw: String?, note: String?, clock: CaseTimeText) -> String {
        let e = ExportEscape.html
        var s = utc.map { "<span class=\"mono\">\(e(clock.human(utc: $0)))</span>" } ?? "<em>no UTC</em>"
        s += "<br><span class=\"basis\">\(e(basis ?? "unknown"))"
        if let raw { s += " · raw “\(e(raw))”" }
        if let note { s += " · \(e(note))" }
        return s + "</span>"
    }
}

extension EvidenceDatabase {
    func exportTranscripts(to path: String, options: ExportOptions) throws -> ExportSummary {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw ExportError.invalidOption("\(path): transcripts go into a directory; this is a file") }
            let content = (try? fm.contentsOfDirectory(atPath: path)) ?? []
            if !content.isEmpty && !options.overwrite { throw ExportError.outputExists(path: path) }
        } else {
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw ExportError.cannotWrite(path: path, reason: "\(error)")
            }
        }
        var summary = ExportSummary()
        let e = ExportEscape.html
        let clock = try options.displayClock ?? CaseTimeText(zoneIdentifier: caseInfo()?.assumedZone)
        let generated = clock.human(micros: options.generatedMicros)
        let how = clock.zone == nil ? "times are UTC" : "times are shown in \(clock.zoneName) with UTC beside them"
        let footer = "Exhibit \(e(options.toolVersion)) · transcript generated \(e(generated)) · \(e(how)); the basis says how each was derived"
        try readCase { q in
            guard try q.hasRelation("chats") else { return }
            let caseName = try q.caseHeader()?.name ?? ""
            let chats = try q.transcriptChats(window: options.window)
            var index = ""
            var number = 0
            for c in chats {
                let count = c.messageCount
                if options.hasWindow && count == 0 { continue }
                number += 1
                let chatID = c.id
                let platform = c.platform ?? ""
                let title = c.title ?? "(untitled)"
                let name = String(format: "%04d-%@.html", number, platform.filter { $0.isLetter || $0.isNumber })
                var body = "<h1>Chat transcript: \(e(title))</h1>\n<dl>"
                func item(_ k: String, _ v: String?) { if let v { body += "<dt>\(k)</dt><dd>\(v)</dd>" } }
                item("Case", e(caseName))
                item("Platform / format", e("\(platform) / \(c.format ?? "")"))
                item("Chat type", c.chatType.map(e))
                item("Export file", "<span class=\"mono\">\(e(c.exportPath ?? ""))</span>")
                item("Export file SHA-256", c.exportSHA256.map { "<span class=\"mono\">\(e($0))</span>" })
                item("Evidence item", e(c.evidenceLabel ?? ""))
                item("Exported", c.exportedUTC.map { _ in TranscriptHTML.time(utc: c.exportedUTC, basis: c.exportedBasis, raw: c.exportedRaw, note: nil, clock: clock) })
                item("Device owner shown as", c.exportingUser.map(e))
                if let order = c.dateOrder {
                    item("Date order", e(order) + ((c.dateOrderProven ?? 0) == 1 ? " (proven)" : " (assumed)")
                         + (c.dateOrderReason.map { ": " + e($0) } ?? ""))
                }
                item("Notes", c.notes.map(e))
                if let original = c.copyOf { item("Copy", "another export of the same room (chat row \(original))") }
                item("Messages", options.hasWindow ? "\(count) in the selected window" : "\(count)")
                body += "</dl>\n"
                let participants = try q.participants(chatID: chatID)
                if !participants.isEmpty {
                    body += "<h2>Participants</h2><ul>" + participants.map { p in
                        "<li>\(e(p.displayName ?? ""))\(p.nativeID.map { " <span class=\"mono\">[\(e($0))]</span>" } ?? "")\((p.isDeviceOwner ?? 0) == 1 ? " (device owner)" : "")</li>"
                    }.joined() + "</ul>\n"
                }
                let out = try ExportOutput(path: (path as NSString).appendingPathComponent(name), overwrite: true)
                try out.write(TranscriptHTML.head(title: "Transcript: \(title)") + body)
                try out.write("<h2>Messages</h2>\n<table><thead><tr><th>#</th><th>Message id</th><th>Time (\(e(clock.zone == nil ? "UTC" : clock.zoneName + " · UTC"))) and basis</th><th>Sender</th><th>Text</th><th>Attachments</th></tr></thead><tbody>\n")
                try writeTranscriptRows(q, chatID: chatID, options: options, out: out, clock: clock)
                try out.write("</tbody></table>\n" + TranscriptHTML.tail(footer: footer))
                try out.finish()
                summary.outputs.append(out.path)
                summary.written += count
                index += "<tr><td><a href=\"\(e(name))\">\(e(name))</a></td><td>\(e(platform))</td><td>\(e(title))</td><td>\(count)</td><td class=\"mono\">\(e(c.exportPath ?? ""))</td></tr>\n"
            }
            let body = "<h1>Chat transcripts — \(e(caseName))</h1>\n<table><thead><tr><th>File</th><th>Platform</th><th>Chat</th><th>Messages</th><th>Export file</th></tr></thead><tbody>\n"
                + index + "</tbody></table>"
            let out = try ExportOutput(path: (path as NSString).appendingPathComponent("index.html"), overwrite: true)
            try out.write(TranscriptHTML.head(title: "Chat transcripts — \(caseName)") + body + TranscriptHTML.tail(footer: footer))
            try out.finish()
            summary.outputs.insert(out.path, at: 0)
        }
        return summary
    }

    private func writeTranscriptRows(_ q: CaseOutputReader, chatID: Int64, options: ExportOptions, out: ExportOutput, clock: CaseTimeText) throws {
        let e = ExportEscape.html
        let rows = try q.transcriptMessages(chatID: chatID, window: options.window)
        while let m = try rows.next() {
            var text = e(m.text ?? "")
            var marks: [String] = []
            if (m.recovered ?? 0) == 1 {
                marks.append("recovered deleted record\(m.recoveredRecordID.map { " #\($0) (exhibit recovered)" } ?? "")")
            }
            if let action = m.serviceAction { marks.append("action: \(e(action))\(m.serviceActor.map { " by " + e($0) } ?? "")") }
            if let fwd = m.forwardedFrom { marks.append("forwarded from \(e(fwd))") }
            if let reply = m.replyToNativeID { marks.append("reply to \(e(reply))") }
            if (m.deleted ?? 0) == 1 { marks.append("deleted") }
            if (m.editedMarker ?? 0) == 1 { marks.append("marked edited") }
            if let touched = m.touchedUTC { marks.append("changed after sending: \(e(touched))") }
            if !marks.isEmpty { text += "<br><span class=\"muted\">[" + marks.joined(separator: "; ") + "]</span>" }
            var media: [String] = []
            for a in try q.attachments(messageID: m.id) {
                let name = a.fileName ?? a.reference ?? "(no name)"
                var s = "\(e(a.kind ?? "file")): \(e(name))"
                if let sha = a.sha256 {
                    s += "<br><span class=\"mono\">SHA-256 \(e(sha))</span>"
                } else {
                    s += " <span class=\"muted\">(\(e(a.status ?? ""))\(a.missingReason.map { ": " + e($0) } ?? ""))</span>"
                }
                media.append(s)
            }
            let sender = m.senderName.map(e) ?? "<em>\(e(m.kind ?? ""))</em>"
            try out.write("<tr><td>\(m.sequence ?? 0)</td><td class=\"mono\">\(m.nativeID.map(e) ?? "—")</td><td>"
                          + TranscriptHTML.time(utc: m.sentUTC, basis: m.sentBasis, raw: m.sentRaw, note: m.sentNote, clock: clock)
                          + "</td><td>\(sender)</td><td class=\"text\">\(text)</td><td>\(media.joined(separator: "<br>"))</td></tr>\n")
        }
    }
}
