extension AppScript {
    /// The chat list with Korean-capable search, and the thread view.
    static let chats = #"""
        async function chatsPage() {
          const form = el("form", { class: "filters" },
            el("label", {}, "Search messages (Korean works: 사진, 콘서트)", el("input", { name: "q", size: 30 })),
            el("button", { type: "submit" }, "Search"));
          fillForm(form);
          form.addEventListener("submit", ev => { ev.preventDefault(); location.search = formQuery(form).toString(); });
          main.append(form);
          if (params.get("q")) {
            const hits = await api("/api/search?q=" + encodeURIComponent(params.get("q")));
            main.append(el("h2", {}, hits.rows.length + " message(s) found"),
              table(["Time", "Chat", "Sender", "Match"], hits.rows.map(h => [when(h.message.time),
                el("a", { href: "/thread?chat=" + h.message.chatID + "&message=" + h.message.id }, h.message.chat || "(untitled)"),
                h.message.sender || "", h.snippet])));
          }
          let offset = 0;
          const list = el("div"); const more = el("div", { class: "pager" });
          main.append(el("h2", {}, "Rooms"), list, more);
          async function load() {
            const page = await api("/api/chats?limit=100&offset=" + offset);
            list.append(table(["Platform", "Chat", "Type", "Messages", "First", "Last", "Evidence", "Other exports"],
              page.rows.map(c => [c.platform, el("a", { href: "/thread?chat=" + c.id }, c.title || "(untitled)"), c.type || "",
                String(c.messages), when(c.first), when(c.last), c.evidence, String(c.copies)])));
            more.replaceChildren(page.next ? el("button", { type: "button", onclick: () => { offset = Number(page.next); load(); } }, "More rooms") : "");
          }
          await load();
          status("");
        }

        function messageView(m) {
          const marks = [];
          if (m.deleted) marks.push(el("span", { class: "mark deleted" }, "deleted"));
          if (m.recovered) marks.push(el("span", { class: "mark recovered", title: "carved from the app database's free space or history, not one of its live rows" }, "recovered deleted record"));
          if (m.edited) marks.push(el("span", { class: "mark" }, "edited"));
          if (m.forwardedFrom) marks.push(el("span", { class: "mark" }, "forwarded from ", m.forwardedFrom));
          if (m.replyTo) marks.push(el("span", { class: "mark" }, "reply to #" + m.replyTo));
          if (m.service) marks.push(el("span", { class: "mark" }, "service: ", m.service, m.serviceActor ? " by " : null, m.serviceActor || null,
            m.serviceDetails ? " (" : null, m.serviceDetails || null, m.serviceDetails ? ")" : null));
          const pics = m.attachments.map(a => a.picture && a.fileID
            ? picture(a.fileID, a.knownBad, el("div", { class: "mono" }, a.knownBad ? "KNOWN-BAD · " : null, a.path || a.reference || ""), catButtons("file", a.fileID, a.tags))
            : el("div", { class: "muted" }, "attachment: " + a.kind + " ", a.reference || "", " (" + a.status, a.missingReason ? ", " : null, a.missingReason || null, ")"));
          return el("div", { class: "msg" + (m.fromDeviceOwner ? " owner" : "") + (m.kind !== "message" ? " service" : ""), id: "m" + m.id, "data-message": m.id },
            el("div", {}, el("span", { class: "who" }, m.sender || "(no sender)"), m.fromDeviceOwner ? el("span", { class: "mark" }, "device owner") : null,
              when(m.time), " ", marks),
            el("div", { class: "text" }, m.text),
            pics,
            el("div", {}, tagButtons("message", m.id, m.tags), noteBox("message", m.id, m.notes)));
        }

        async function threadPage() {
          let chat = params.get("chat");
          const target = params.get("message");
          if (!chat && target) chat = String((await api("/api/messages/" + encodeURIComponent(target))).chatID);
          if (!chat) { status("Open a chat from the chat list.", true); return; }
          const box = el("div", { class: "thread" }); const more = el("div", { class: "pager" });
          main.append(box, more);
          let after = "";
          let title = false;
          async function load() {
            const page = await api("/api/chats/" + encodeURIComponent(chat) + "/messages?limit=200" + (after ? "&after=" + after : ""));
            if (!title && page.rows.length) {
              main.querySelector("h1").replaceChildren(text(page.rows[0].chat || "(untitled)"), " — " + page.rows[0].platform);
              title = true;
            }
            for (const m of page.rows) box.append(messageView(m));
            after = page.next || "";
            more.replaceChildren(page.next ? el("button", { type: "button", onclick: load }, "Load more") : el("span", { class: "muted" }, "end of thread · times in " + page.zone));
            return page;
          }
          await load();
          // Opened from a search hit or a known-media row: page on until that message is shown.
          for (let i = 0; target && !document.getElementById("m" + target) && after && i < 50; i++) await load();
          const shown = target && document.getElementById("m" + target);
          if (shown) { shown.scrollIntoView(); shown.style.outline = "2px solid #1f3a5f"; }
          status("");
        }
        """#
}
