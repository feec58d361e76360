import EvidenceStore

/// The report's inline style: screen and print, page numbers in the page margin, each section
/// on a new page, pictures blurred unless hovered on screen (never unblurred in print).
enum ReportStyle {
    static let css = TranscriptHTML.style + """
        header{margin-bottom:1em} section{break-before:page;page-break-before:always} section#case{break-before:auto;page-break-before:auto}
        .ok{color:#0a6b0a;font-weight:bold} .fail{color:#a00;font-weight:bold} .warn{color:#8a5a00;font-weight:bold}
        .thumbs{display:flex;flex-wrap:wrap;gap:8px} .thumb{width:160px;font-size:8pt;word-break:break-all}
        .thumb img{max-width:160px;max-height:160px;filter:blur(14px);transition:filter .2s}
        @media screen{.thumb:hover img{filter:none}}
        footer{display:block} footer span{white-space:nowrap}
        body{font-family:"Noto Sans CJK KR","Noto Sans KR","Noto Sans","Malgun Gothic","Apple SD Gothic Neo",sans-serif}
        .when{display:inline-block} .when .local,.when .utc{white-space:nowrap} .when .utc{font-size:8.5pt;color:#444}
        .when .basis{display:block;font-size:8pt;color:#555;word-break:break-word}
        ul.court li{margin:.2em 0} .nowrap{white-space:nowrap} .badge{font-size:8pt;background:#e8eef8;border:1px solid #9ab;padding:0 3px;white-space:nowrap}
        .mark{font-size:8.5pt;background:#f3f0e0;border:1px solid #cb9;padding:0 3px;margin-right:3px}
        table.thread tr.owner td{background:#f2f7ff} table.thread tr.focus td{outline:2px solid #a00;outline-offset:-2px}
        .att{font-size:9pt;margin-top:2px} .note{font-size:9pt;margin:2px 0}
        .attest{border:1px solid #999;padding:8px 12px;margin-top:1em} table.sign td{height:2.4em} table.sign td:first-child{width:9em;font-weight:bold}
        """

    static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="und"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <meta name="generator" content="Exhibit">
        <title>\(ExportEscape.html(title))</title><style>\(css)</style></head>
        <body>

        """
    }
}
