import EvidenceStore
import ExhibitKit
import Foundation

extension ReportWriter {
    /// The executive summary, first in the report: the evidence items and whether each matched
    /// its seizure form, the integrity of the case (audit chain, findings digest, a fresh
    /// verification when one was run), the counts, the known-bad pictures in court form — one
    /// line per picture group, with the numbers `exhibit spread --known` prints — and the
    /// reviewer's work.
    func summary() throws {
        try open(.summary)
        let c = try q.caseHeader()
        var s = "<dl><dt>Case</dt><dd>\(t(c?.name))</dd><dt>Examiner</dt><dd>\(t(c?.examiner))</dd>"
        let zone = c?.assumedZone
        s += "<dt>Time zone</dt><dd>\(t(zone ?? "none declared (times in UTC)"))</dd>"
        let counts = try q.caseCounts()
        let n = { (v: Int64?) in "\(v ?? 0)" }
        s += "<dt>Findings</dt><dd>\(n(counts.files)) files and entries, \(n(counts.chats)) chats, \(n(counts.messages)) messages, \(n(counts.events)) timeline events, \(n(counts.problems)) problems recorded</dd></dl>\n"
        try out.write(s)

        try out.write("<h3>Evidence items</h3><ul class=\"court\">")
        for e in try q.evidenceItems() {
            let expected = e.expectedMatch
            let form = expected == nil ? "no hash from the seizure form to compare"
                : expected == 1 ? "<span class=\"ok\">matches the seizure form</span>" : "<span class=\"fail\">DIFFERS from the seizure form</span>"
            let complete = (e.complete ?? 0) == 1 ? "" : " — <span class=\"warn\">not read to the end</span>"
            let label = e.label ?? "", item = e.item
            try out.write("<li>\(t(item ?? label)) \(item == nil ? "" : "(\(t(label)))") — SHA-256 \(m(e.sha256)) — \(form)\(complete)</li>")
        }
        try out.write("</ul>\n")

        let chain = context.chain
        var integrity = "<li>Audit log: " + (chain.ok ? "<span class=\"ok\">intact</span>" : "<span class=\"fail\">BROKEN: \(ExportEscape.html(chain.message))</span>")
        integrity += ", \(chain.entries) entries, head \(m(chain.head))</li>"
        integrity += "<li>Findings digest: \(m(context.digest)) (one hash over every finding; equal for equal evidence)</li>"
        if let lines = options.verification, let verdict = lines.last {
            integrity += "<li>Verification when this report was generated (evidence re-hashed): \(ExportEscape.html(verdict))</li>"
        } else {
            integrity += "<li>The evidence was not re-hashed for this report; the hashes above are those recorded when each item was read.</li>"
        }
        // A banner (incomplete case, failed verification) already opens this and every section.
        try out.write("<h3>Integrity</h3><ul class=\"court\">\(integrity)</ul>\n")

        try out.write("<h3>Known-bad pictures</h3>\n")
        if context.spreads.isEmpty {
            let sets = try has("hashsets") ? try q.knownBadSetCount() : 0
            try out.write("<p>\(sets == 0 ? "No known-bad hash set was compared with this case." : "No file matched a known-bad hash set.")</p>\n")
        } else {
            try out.write("<ul class=\"court\">" + context.spreads.map { s in
                // The time of the first appearance is kept on one line.
                let line = ExportEscape.html(s.courtLine(firstTime: s.first.flatMap { local($0.utc, $0.utcMicros) }))
                guard let r = line.range(of: ", first ", options: .backwards) else { return "<li>\(line)</li>" }
                return "<li>\(line[..<r.upperBound])<span class=\"nowrap\">\(line[r.upperBound...])</span></li>"
            }.joined() + "</ul>\n")
            try table(["Picture group", "Copies", "Messages", "Rooms", "Senders", "First appearance"], context.spreads.map { s in
                let first = s.first.map { a in
                    "\(when(a.utc, micros: a.utcMicros, basis: a.basis))<br>" + (a.appearance == "message"
                        ? "sent by \(t(a.sender)) in \(t(a.platform)) “\(t(a.chat))”" : "file \(m(a.path))")
                } ?? "<span class=\"muted\">no known time</span>"
                return [m(s.content) + (s.hashsets.isEmpty ? "" : "<br>\(t(s.hashsets.joined(separator: ", ")))"), "\(s.files.count)",
                        "\(s.messages.count)", "\(s.rooms)", "\(s.senders)", first]
            })
        }

        if let review = options.review {
            let k = { (kind: ReviewTargetKind) in review.ids(kind).count }
            let groups = Set(review.tags.filter { $0.target == .group }.map(\.targetID)).count
            var line = "\(k(.message)) message(s), \(groups) picture group(s), \(k(.file)) file(s) and \(k(.event)) event(s) tagged; "
            line += "\(review.notes.count) note(s). Review log: \(review.logEntries) entries, "
            line += review.logBrokenAt.map { "<span class=\"fail\">BROKEN at entry \($0)</span>" } ?? "<span class=\"ok\">intact</span>"
            line += review.logHead.map { ", head \(m($0))" } ?? ""
            try out.write("<h3>Reviewer's work</h3><p>\(line)</p>\n")
        }
        try close()
    }

    /// The wall clock in the case's zone (UTC text without one), as one plain string.
    func local(_ utc: String?, _ micros: Int64?) -> String? {
        guard let us = micros ?? utc.flatMap({ UTCFormat.parseUserInstant($0)?.micros }) else { return nil }
        return context.zone.map { CaseZoneFormat.local(micros: us, zone: $0) } ?? "\(utc ?? UTCFormat.string(micros: us)) UTC"
    }

    /// The examiner's attestation: what was examined, with which tool, the digest that pins
    /// the findings, and lines to sign.
    func attestation() throws {
        try open(.attestation)
        let c = try q.caseHeader()
        let examiner = options.attestingExaminer ?? c?.examiner
        let items = try q.evidenceItems().map { $0.item ?? $0.label ?? "" }
        try out.write("""
            <div class="attest">
            <p>I, \(examiner.map(ExportEscape.html) ?? "____________________"), examined the evidence item(s) \(t(items.joined(separator: ", "))) \
            of case \(t(c?.name)) with Exhibit \(ExportEscape.html(options.toolVersion)). The evidence was opened read-only and its hashes \
            were recorded before it was examined. This report was generated from the case database whose findings digest is \
            \(m(context.digest)) and whose audit log head is \(m(context.chain.head)). To the best of my knowledge the findings \
            set out in this report are a true and complete account of what the examination found.</p>
            <table class="sign"><tr><td>Name</td><td>\(examiner.map(ExportEscape.html) ?? "")</td></tr>
            <tr><td>Signature</td><td></td></tr><tr><td>Date and place</td><td></td></tr></table>
            </div>

            """)
        try close()
    }
}
