// A curve in a link: /studio#curve=<base64url of its JSON (UTF-8)>. Shared by /, /studio and /gallery.
"use strict";

window.curveLink = {
  encode(curve) {
    const bytes = new TextEncoder().encode(JSON.stringify(curve));
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
  decode(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  },
  href(curve) {
    return `/studio#curve=${this.encode(curve)}`;
  },
  // The curve in a location hash such as "#curve=...", or null.
  fromHash(hash) {
    const match = /(?:^#|&)curve=([A-Za-z0-9_-]+)/.exec(hash || "");
    if (!match) return null;
    try {
      return this.decode(match[1]);
    } catch (err) {
      return null;
    }
  },
};
