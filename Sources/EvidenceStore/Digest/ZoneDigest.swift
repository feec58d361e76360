import GRDB

/// The declared time zones (issue 15): the case's, and any item's own where it differs from
/// the case's (an item that merely follows the case zone is the same case either way). A zone is what turns naive
/// local times into instants, so `exhibit case set-tz` changes the digest even when no stored
/// time depended on it — and a cut-off `case.set-tz` audit entry is then caught by
/// `exhibit verify`. Nothing is added when no zone is declared.
extension FindingsDigest {
    static let zones = DigestSection.grouped("zones", groupWidth: 1, sql: """
        SELECT 'case', assumed_zone FROM cases WHERE assumed_zone IS NOT NULL
        UNION ALL
        SELECT 'evidence:' || label, assumed_zone FROM evidence
        WHERE assumed_zone IS NOT NULL AND assumed_zone IS NOT (SELECT assumed_zone FROM cases ORDER BY id LIMIT 1)
        ORDER BY 1
        """)
}
