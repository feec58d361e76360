/// The portable case's one page: the review application's style and helpers, the case data as
/// JSON in a non-executed script element, and a script that draws it — all inline, so the page
/// works opened from disk (`file://`) with no server and no internet.
enum PortableViewer {
    static func page(json: String, title: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' file:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
        <title>Portable case — Exhibit</title><style>\(AppStyle.css)</style></head>
        <body data-page="portable"><header><strong>Exhibit — portable case</strong> <span id="case"></span></header>
        <main id="main"><h1>Tagged items</h1><p class="muted" id="status">This page needs JavaScript to show the case.</p></main>
        <script id="data" type="application/json">\(json)</script>
        <script>\(AppScript.core)\(script)</script></body></html>
        """
    }

    static let script = #"""
        (() => {
          const d = JSON.parse(document.getElementById("data").textContent);
          const o = d.overview;
          document.getElementById("case").replaceChildren("Case ", text(o.caseName || "?"), " · times in " + o.zone + " · exported by ", text(d.reviewer));
          status("");
          main.append(el("p", {}, "Only the items the reviewer tagged are included, with the messages around each tagged message. " +
            "Pictures are blurred until clicked; known-bad pictures are not included."), el("div", {}, "Exported at ", when(d.exported)));
          main.append(el("h2", {}, "Evidence items and custody"),
            table(["Label", "Item", "SHA-256", "Seized by", "Seized at", "Status"],
              o.evidence.map(e => [e.label, e.item || "—", el("span", { class: "mono" }, e.sha256 || "—"), e.seizedBy || "—", when(e.seizedAt), e.status || "?"])));
          main.append(el("h2", {}, "Integrity"), el("p", { class: d.integrity.verified ? "ok" : "bad" }, d.integrity.verdict),
            el("pre", { class: "mono" }, d.integrity.lines.join("\n")),
            el("p", {}, "Audit chain head: ", el("span", { class: "mono" }, o.auditHead), " · review log head: ", el("span", { class: "mono" }, d.reviewLogHead || "—")));
          if (d.groups.length) main.append(el("h2", {}, "Tagged picture groups"));
          for (const g of d.groups) {
            main.append(el("div", { class: "court" }, g.courtLine), el("p", {}, g.tags.map(t => el("span", { class: "tag" }, t))),
              table(["Time", "Appearance", "Platform", "Chat", "Sender", "Path"],
                g.appearances.map(a => [when(a.time), a.appearance, a.platform || "", a.chat || "", a.sender || "", el("span", { class: "mono" }, a.path || "")])));
          }
          if (d.files.length) main.append(el("h2", {}, "Tagged files"),
            table(["Path", "SHA-256", "Type", "Tags", "Notes", "Picture"], d.files.map(f => [el("span", { class: "mono" }, f.path), el("span", { class: "mono" }, f.sha256 || ""),
              f.mime || "", f.tags.join(", "), f.notes.map(n => el("div", {}, text(n.reviewer), ": ", text(n.text))), d.pictures[String(f.id)] ? localPicture(d.pictures[String(f.id)]) : ""])));
          for (const t of d.threads) {
            main.append(el("h2", {}, t.title || "(untitled)", " — " + t.platform));
            const box = el("div", { class: "thread" });
            for (const m of t.messages) {
              const pics = m.attachments.map(a => a.knownBad ? el("div", { class: "withheld" }, "Known-bad picture — not included")
                : (a.fileID && d.pictures[String(a.fileID)] ? localPicture(d.pictures[String(a.fileID)]) : el("div", { class: "muted" }, "attachment: ", a.reference || a.kind)));
              const tagged = t.tagged.includes(m.id);
              box.append(el("div", { class: "msg" + (m.fromDeviceOwner ? " owner" : "") + (tagged ? " tagged" : ""), "data-message": m.id, style: tagged ? "outline: 2px solid #b42318" : null },
                el("div", {}, el("span", { class: "who" }, m.sender || "(no sender)"), when(m.time), " ",
                  m.deleted ? el("span", { class: "mark deleted" }, "deleted") : null, m.recovered ? el("span", { class: "mark recovered" }, "recovered deleted record") : null, m.edited ? el("span", { class: "mark" }, "edited") : null,
                  m.tags.map(x => el("span", { class: "tag" }, x))),
                el("div", { class: "text" }, m.text), pics,
                m.notes.map(n => el("div", { class: "muted" }, "Note (", n.reviewer, "): ", n.text))));
            }
            main.append(box);
          }
          document.body.setAttribute("data-ready", "1");
        })();

        function localPicture(src) {
          const img = el("img", { class: "blurred", src, alt: "picture (blurred)", title: "click to reveal" });
          img.addEventListener("click", () => img.classList.remove("blurred"));
          return el("span", { class: "pic" }, img);
        }
        """#
}
