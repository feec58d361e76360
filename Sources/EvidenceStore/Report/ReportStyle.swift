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
