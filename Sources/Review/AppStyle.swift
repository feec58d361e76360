/// The style sheet: system fonts only (Korean falls back to whatever CJK font the machine has),
/// no external resources.
enum AppStyle {
    static let css = """
        body { font: 14px/1.45 system-ui, "Noto Sans CJK KR", "Noto Sans", sans-serif; margin: 0; color: #1d2329; background: #f6f7f9; }
        header { background: #1f3a5f; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
        header a { color: #dce8f7; margin-right: 12px; text-decoration: none; }
        header a:hover { text-decoration: underline; }
        #case { margin-left: auto; font-size: 12px; color: #c9d6e6; }
        main { padding: 12px 20px; max-width: 1400px; }
        h1 { font-size: 20px; margin: 8px 0 12px; } h2 { font-size: 16px; margin: 18px 0 8px; }
        table { border-collapse: collapse; width: 100%; background: #fff; margin-bottom: 12px; }
        th, td { border: 1px solid #d8dde3; padding: 4px 6px; text-align: left; vertical-align: top; }
        th { background: #eef1f5; font-weight: 600; }
        td.time { white-space: nowrap; }
        .utc, .muted { color: #68727d; font-size: 12px; }
        .basis { background: #fff3cd; color: #6b5200; border-radius: 3px; padding: 0 4px; font-size: 11px; margin-left: 4px; }
        .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; word-break: break-all; }
        .ok { color: #1a7f37; } .bad { color: #b42318; font-weight: 600; }
        .court { background: #fff; border-left: 4px solid #b42318; padding: 8px 12px; margin: 8px 0; }
        form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 10px; }
        form.filters label { display: flex; flex-direction: column; font-size: 12px; color: #4a545e; }
        input, select, button { font: inherit; padding: 3px 6px; }
        button { cursor: pointer; }
        .pager { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
        .thread { max-width: 900px; }
        .msg { background: #fff; border: 1px solid #d8dde3; border-radius: 8px; padding: 6px 10px; margin: 6px 0; }
        .msg.owner { background: #eaf4ff; margin-left: 60px; }
        .msg.service { background: #f1f1f1; font-style: italic; }
        .msg .who { font-weight: 600; margin-right: 8px; }
        .msg .text { white-space: pre-wrap; margin: 4px 0; }
        .mark { font-size: 11px; border-radius: 3px; padding: 0 4px; margin-right: 4px; background: #e7e9ec; }
        .mark.deleted { background: #fde2e1; color: #8a1c14; }
        .mark.recovered { background: #fff1c2; color: #6b4a00; }
        .cat button.on { background: #1f3a5f; color: #fff; }
        .tag { font-size: 11px; border-radius: 10px; padding: 0 8px; margin-right: 4px; background: #dbeafe; color: #1e3a8a; }
        .pic { display: inline-block; margin: 4px 8px 4px 0; text-align: center; font-size: 11px; }
        .pic img { max-width: 220px; max-height: 220px; display: block; cursor: pointer; }
        .pic img.blurred { filter: blur(18px); }
        .pic .withheld { width: 200px; height: 120px; background: #3b0d0c; color: #fff; display: flex; align-items: center;
            justify-content: center; padding: 6px; cursor: pointer; }
        .tools button { font-size: 11px; padding: 1px 6px; margin-right: 4px; }
        .cards { display: flex; gap: 12px; flex-wrap: wrap; }
        .card { background: #fff; border: 1px solid #d8dde3; padding: 8px 12px; min-width: 120px; }
        .card b { display: block; font-size: 20px; }
        .ctl { color: #b42318; background: #fde2e1; font-size: 11px; }
        bdi { unicode-bidi: isolate; }
        """
}
