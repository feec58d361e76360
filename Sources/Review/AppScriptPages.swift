extension AppScript {
    /// Overview, timeline, known media, files and the review log.
    static let pages = #"""
        async function header() {
          try {
            const o = await api("/api/overview");
            document.getElementById("case").replaceChildren("Case ", text(o.caseName || "?"), " · times in " + o.zone + " · reviewer ", text(o.reviewer));
            return o;
          } catch (e) { status(e.message, true); return null; }
        }

        async function overviewPage(o) {
          if (!o) return;
          main.append(el("h2", {}, "Case"),
            table(["Case", "Examiner", "Zone", "Created"], [[o.caseName, o.examiner || "—", o.zone, when(o.created)]]));
          main.append(el("div", { class: "cards" },
            [["files", o.counts.files], ["chats", o.counts.chats], ["messages", o.counts.messages], ["timeline events", o.counts.events],
             ["warnings", o.counts.problems.warning || 0], ["errors", (o.counts.problems.error || 0) + (o.counts.problems.crashed || 0) + (o.counts.problems.timeout || 0)]]
              .map(([k, v]) => el("div", { class: "card" }, el("b", {}, String(v)), k))));
          main.append(el("h2", {}, "Known-bad pictures"));
          if (o.known.length === 0) main.append(el("p", { class: "muted" }, "No picture matched a known-bad hash set."));
          for (const k of o.known) main.append(el("div", { class: "court" }, k.courtLine));
          main.append(el("h2", {}, "Evidence items and custody"),
            table(["Label", "Item", "Path", "Size", "SHA-256", "Expected", "Seized by", "Seized at", "Status", "Added"],
              o.evidence.map(e => [e.label, e.item || "—", el("span", { class: "mono" }, e.path), String(e.size), el("span", { class: "mono" }, e.sha256 || "—"),
                e.expectedMatch === null || e.expectedMatch === undefined ? "not given" : (e.expectedMatch ? el("span", { class: "ok" }, "matches") : el("span", { class: "bad" }, "DIFFERS")),
                e.seizedBy || "—", when(e.seizedAt), (e.status || "?") + (e.complete ? "" : " (incomplete)"), when(e.added)])));
          main.append(el("h2", {}, "Integrity"));
          if (o.incomplete) main.append(el("p", { class: "bad" }, "INCOMPLETE: " + o.incomplete));
          main.append(table(["Run", "Started", "Status", "Chain head", "Signed"],
            o.runs.map(r => [String(r.id), when(r.started), r.status, el("span", { class: "mono" }, r.chainHead || "—"), r.signed ? "yes" : "no"])));
          main.append(el("p", {}, "Audit chain head: ", el("span", { class: "mono" }, o.auditHead)));
          const box = el("div", { id: "integrity" }, el("p", { class: "muted" }, "Checking the audit chain and the findings digest…"));
          main.append(box);
          try {
            const v = await api("/api/integrity");
            box.replaceChildren(el("p", { class: v.verified ? "ok" : "bad" }, v.verdict), el("pre", { class: "mono" }, v.lines.join("\n")));
          } catch (e) { box.replaceChildren(el("p", { class: "bad" }, "Integrity check failed: " + e.message)); }
        }

        async function timelinePage(o) {
          const kinds = await api("/api/kinds");
          const form = el("form", { class: "filters" },
            el("label", {}, "From (" + (o ? o.zone : "case zone") + ")", el("input", { name: "from", placeholder: "2024-08-28 or 2024-08-28 15:00" })),
            el("label", {}, "To", el("input", { name: "to", placeholder: "2024-08-28" })),
            el("label", {}, "Kind", el("select", { name: "kind" }, el("option", { value: "" }, "any"),
              Object.keys(kinds).sort().map(k => el("option", { value: k }, k + " (" + kinds[k] + ")")))),
            el("label", {}, "Participant", el("input", { name: "participant" })),
            el("label", {}, "Chat", el("input", { name: "chat" })),
            el("label", {}, "Path (glob)", el("input", { name: "path" })),
            el("label", {}, "Text", el("input", { name: "text" })),
            el("button", { type: "submit" }, "Filter"));
          fillForm(form);
          form.addEventListener("submit", ev => { ev.preventDefault(); location.search = formQuery(form).toString(); });
          const out = el("div", { id: "rows" });
          const pager = el("div", { class: "pager" });
          main.append(form, pager, out);
          const cursors = [params.get("after") || ""];
          async function load() {
            const q = formQuery(form); q.set("limit", "100");
            const after = cursors[cursors.length - 1]; if (after) q.set("after", after);
            try {
              const page = await api("/api/timeline?" + q.toString());
              out.replaceChildren(table(["Time (" + page.zone + ")", "Kind", "Description", "Chat", "Sender", "Path", "Tags"],
                page.rows.map(r => [when(r.time), r.kind, r.messageID ? el("a", { href: "/thread?message=" + r.messageID }, r.description) : r.description, r.chat || "",
                  r.sender || "", el("span", { class: "mono" }, r.path || ""), tagButtons("event", r.id, r.tags)])));
              pager.replaceChildren(
                el("button", { type: "button", disabled: cursors.length > 1 ? null : "disabled", onclick: () => { cursors.pop(); load(); } }, "Previous"),
                el("span", { class: "muted" }, "page " + cursors.length + " · " + page.rows.length + " events"),
                el("button", { type: "button", disabled: page.next ? null : "disabled", onclick: () => { cursors.push(page.next); load(); } }, "Next"));
              status(page.rows.length ? "" : "No events match.");
            } catch (e) { status(e.message, true); }
          }
          await load();
        }

        async function knownPage() {
          const groups = await api("/api/known");
          if (groups.length === 0) { status("No picture matched a known-bad hash set."); return; }
          status("");
          for (const g of groups) {
            main.append(el("div", { class: "court" }, g.courtLine),
              el("p", {}, "Group ", el("span", { class: "mono" }, g.content), " · members: ", el("span", { class: "mono" }, g.members.join(", ")), " ",
                tagButtons("group", g.content, g.tags), " ", catButtons("group", g.content, g.tags)),
              table(["Time", "Appearance", "Platform", "Chat", "Sender", "Path"],
                g.appearances.map(a => [when(a.time), a.appearance, a.platform || "", a.chatID ? el("a", { href: "/thread?chat=" + a.chatID + (a.messageID ? "&message=" + a.messageID : "") }, a.chat || "(untitled)") : "",
                  a.sender || "", el("span", { class: "mono" }, a.path || "")])));
          }
        }

        // A file's metadata and indicators, shown under the inventory on request.
        function detailsButton(id) {
          return el("button", { type: "button", "data-details": String(id), onclick: async () => {
            try {
              const d = await api("/api/files/" + id + "/metadata");
              const box = document.getElementById("details");
              box.replaceChildren(el("h2", {}, "Metadata and indicators of ", el("span", { class: "mono" }, d.path)),
                d.entries.length ? table(["Namespace", "Tag", "Value", "Time"], d.entries.map(m => [m.namespace, m.tag, m.value, m.time ? when(m.time) : ""]))
                  : el("p", { class: "muted" }, "No metadata was read from this file."),
                d.indicators.length ? table(["Indicator", "Summary", "Evidence", "Details"], d.indicators.map(i => [i.kind, i.summary, i.evidenceTag, el("span", { class: "mono" }, i.details)]))
                  : el("p", { class: "muted" }, "No indicator."));
              box.scrollIntoView();
            } catch (e) { status(e.message, true); }
          } }, "metadata");
        }

        async function filesPage() {
          const form = el("form", { class: "filters" },
            el("label", {}, "Path (glob)", el("input", { name: "path", placeholder: "*.jpg" })),
            el("label", {}, "Device path (glob)", el("input", { name: "device" })),
            el("label", {}, "MIME prefix", el("input", { name: "mime", placeholder: "image/" })),
            el("label", {}, "Status", el("select", { name: "status" }, ["", "ok", "encrypted", "unsupported", "truncated", "corrupt", "limit-exceeded", "link"].map(s => el("option", { value: s }, s || "any")))),
            el("label", {}, "SHA-256", el("input", { name: "sha256", size: 20 })),
            el("label", {}, "MD5", el("input", { name: "md5", size: 12 })),
            el("button", { type: "submit" }, "Filter"));
          fillForm(form);
          form.addEventListener("submit", ev => { ev.preventDefault(); location.search = formQuery(form).toString(); });
          const out = el("div"); const pager = el("div", { class: "pager" });
          main.append(form, pager, out, el("div", { id: "details" }));
          let offset = Number(params.get("offset") || 0);
          async function load() {
            const q = formQuery(form); q.set("limit", "100"); q.set("offset", String(offset));
            try {
              const page = await api("/api/files?" + q.toString());
              out.replaceChildren(table(["Evidence", "Path", "Size", "MIME", "Status", "Modified", "SHA-256", "Tags"],
                page.rows.map(f => [f.evidence, el("span", { class: "mono" }, f.path), String(f.size), f.mime || "", f.status + (f.knownBad ? " · KNOWN-BAD" : ""),
                  when(f.modified), el("span", { class: "mono" }, f.sha256 || ""),
                  el("span", {}, tagButtons("file", f.id, f.tags), (f.mime || "").startsWith("image/") || (f.mime || "").startsWith("video/") ? catButtons("file", f.id, f.tags) : null,
                    detailsButton(f.id))])));
              pager.replaceChildren(
                el("button", { type: "button", disabled: offset > 0 ? null : "disabled", onclick: () => { offset = Math.max(0, offset - 100); load(); } }, "Previous"),
                el("span", { class: "muted" }, "rows " + (offset + 1) + "–" + (offset + page.rows.length)),
                el("button", { type: "button", disabled: page.next ? null : "disabled", onclick: () => { offset += 100; load(); } }, "Next"));
              status(page.rows.length ? "" : "No files match.");
            } catch (e) { status(e.message, true); }
          }
          await load();
        }

        async function logPage() {
          const page = await api("/api/review/log?limit=1000");
          status("");
          const result = el("span", { class: "muted", id: "export-result" });
          main.append(el("p", {}, el("button", { type: "button", id: "export", onclick: async () => {
            try { const r = await api("/api/export/portable", {}); result.textContent = clean("Portable case written to " + r.folder + " (" + r.messages + " messages, " + r.files + " files, " + r.groups + " picture groups)"); }
            catch (e) { result.textContent = clean(e.message); }
          } }, "Export tagged items as a portable case"), " ", result));
          main.append(el("p", { class: page.chainOK ? "ok" : "bad" }, page.chainOK ? "Review log chain verifies (" + page.rows.length + " entries shown)." : "REVIEW LOG CHAIN BROKEN at entry " + page.firstBadSeq),
            table(["#", "UTC", "Reviewer", "Action", "Details", "Hash"],
              page.rows.map(e => [String(e.seq), e.utc, e.reviewer, e.action, el("span", { class: "mono" }, e.details), el("span", { class: "mono" }, e.hash.slice(0, 16) + "…")])));
        }

        (async () => {
          const o = await header();
          const page = document.body.dataset.page;
          try {
            if (page === "overview") { await overviewPage(o); status(""); }
            else if (page === "timeline") await timelinePage(o);
            else if (page === "known-media") await knownPage();
            else if (page === "files") await filesPage();
            else if (page === "review-log") await logPage();
            else if (page === "chats") await chatsPage();
            else if (page === "thread") await threadPage();
          } catch (e) { status(e.message, true); }
          document.body.setAttribute("data-ready", "1");
        })();

        """#
}
