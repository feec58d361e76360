import Foundation

/// A service message's action (`MessageAction`), with the fields Exhibit keeps.
struct TLAction: Hashable {
    /// The stable action name (`create_group`, `phone_call`…), or `unknown`.
    var name: String
    var constructor: UInt32
    var title: String?
    /// Users the action names (added, removed, the link's inviter).
    var users: [Int64] = []
    var period: Int32?
    var autoSettingFrom: Int64?
    var callID: Int64?
    var duration: Int32?
    var discardReason: String?
    var video = false

    static func read(_ r: inout TLReader) throws(TLFailure) -> TLAction {
        let c = try r.u32("action")
        var a = TLAction(name: "unknown", constructor: c)
        switch c {
        case 0xBD47_CBAD:  // chatCreate title users:Vector<long>
            a.name = "create_group"; a.title = try r.string("action.title")
            a.users = try r.vector("action.users", minElement: 8) { r throws(TLFailure) in try r.i64("action.users") }
        case 0xA663_8B9A:  // chatCreate (layer ≤ 132) users:Vector<int>
            a.name = "create_group"; a.title = try r.string("action.title")
            a.users = try r.vector("action.users") { r throws(TLFailure) in Int64(try r.i32("action.users")) }
        case 0x15CE_FD00:
            a.name = "invite_members"
            a.users = try r.vector("action.users", minElement: 8) { r throws(TLFailure) in try r.i64("action.users") }
        case 0x488A_7337:
            a.name = "invite_members"
            a.users = try r.vector("action.users") { r throws(TLFailure) in Int64(try r.i32("action.users")) }
        case 0xA43F_30CC: a.name = "remove_members"; a.users = [try r.i64("action.user_id")]
        case 0xB2AE_9B0C: a.name = "remove_members"; a.users = [Int64(try r.i32("action.user_id"))]
        case 0x0312_24C3: a.name = "join_by_link"; a.users = [try r.i64("action.inviter_id")]
        case 0xF89C_F5E8: a.name = "join_by_link"; a.users = [Int64(try r.i32("action.inviter_id"))]
        case 0xEBBC_A3CB: a.name = "join_by_request"
        case 0x4792_929B: a.name = "screenshot_taken"
        case 0x9FBA_B604: a.name = "history_clear"
        case 0xAA1A_FBFD: a.name = "set_messages_ttl"; a.period = try r.i32("action.period")
        case 0x3C13_4D7B:
            a.name = "set_messages_ttl"
            let f = try r.i32("action.flags")
            a.period = try r.i32("action.period")
            if f & 1 != 0 { a.autoSettingFrom = try r.i64("action.auto_setting_from") }
        case 0x80E1_1A7F:  // phoneCall flags video:2 call_id reason:0? duration:1?
            a.name = "phone_call"
            let f = try r.i32("action.flags")
            a.video = f & 4 != 0
            a.callID = try r.i64("action.call_id")
            if f & 1 != 0 { a.discardReason = try discardReason(&r) }
            if f & 2 != 0 { a.duration = try r.i32("action.duration") }
        case 0x95D2_AC92: a.name = "create_channel"; a.title = try r.string("action.title")
        case 0xB5A1_CE5A: a.name = "edit_group_title"; a.title = try r.string("action.title")
        case 0x95E3_FBEF: a.name = "delete_group_photo"
        case 0x94BD_38ED: a.name = "pin_message"
        case 0xF3F2_5F76: a.name = "contact_signup"
        case 0xE103_7F92: a.name = "migrate_to_supergroup"; a.users = []; _ = try r.i64("action.channel_id")
        case 0xB6AE_F7B0: a.name = "empty"
        default: throw .unknownConstructor(c, field: "action")
        }
        return a
    }

    private static func discardReason(_ r: inout TLReader) throws(TLFailure) -> String {
        let c = try r.u32("action.reason")
        switch c {
        case 0x85E4_2301: return "missed"
        case 0xE095_C1A0: return "disconnect"
        case 0x57AD_C690: return "hangup"
        case 0xFAF7_E8C9: return "busy"
        default: return TLReader.hex(c)
        }
    }
}
