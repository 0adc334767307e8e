// An e-mail conversation on a page (the softphone's e-mail panel, the ticket page): every message in and out,
// oldest first, with its date (Vietnam time), its subject, its text and its attachments. Everything is put in
// the page as text (textContent), never as HTML: a message's HTML was sanitised and reduced to text by the
// server, and is still never parsed here. Attachments are download links (served as attachments).
(function () {
  "use strict";
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function size(bytes) {
    return bytes >= 1024 * 1024 ? _("{n} MB", { n: (bytes / 1048576).toFixed(1) }) : _("{n} KB", { n: Math.max(1, Math.round(bytes / 1024)) });
  }
  const SENT = { queued: () => _("waiting to be sent"), sent: () => _("sent"), failed: () => _("sending failed") };
  window.mailThread = function (list, messages) {
    list.innerHTML = "";
    (messages || []).forEach((m) => {
      const item = el("li", `mail-message mail-${m.direction}`);
      const who = m.direction === "in" ? _("From the customer") : (m.kind === "ack" ? _("Acknowledgement") : _("Our answer"));
      const head = el("p", "mail-head");
      head.append(el("strong", "", who), el("span", "muted", ` · ${fmt.datetime(m.at)}`));
      if (m.party) head.append(el("span", "muted", ` · ${m.party}`));
      if (m.direction === "out" && m.status) head.append(el("span", "muted", ` · ${(SENT[m.status] || (() => ""))()}`));
      item.append(head);
      if (m.subject) item.append(el("p", "mail-subject", m.subject));
      if (m.body !== null && m.body !== undefined) item.append(el("pre", "mail-body", m.body || _("(no text)")));
      if ((m.attachments || []).length) {
        const files = el("ul", "mail-files");
        m.attachments.forEach((a) => {
          const li = el("li");
          if (a.url) {
            const link = el("a", "", a.filename); link.href = a.url; link.setAttribute("download", "");
            li.append(link, el("span", "muted", ` (${size(a.size_bytes)})`));
          } else {
            li.append(el("span", "", a.filename), el("span", "muted", " — " + _("refused: not kept")));
          }
          files.append(li);
        });
        item.append(files);
      }
      list.append(item);
    });
  };
})();
