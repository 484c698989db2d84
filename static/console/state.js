/* What the console knows (S), lookups into it, and the one POST at a time that changes it. */

const { api } = OW;

export const $ = (id) => document.getElementById(id);

export const S = {
  hall: null, info: null, items: [], me: null, window: null, data: null, fetchedAt: 0,
  sock: null, dialog: null, busy: false, refreshTimer: null, opening: null,
};

export function catOf(code) { return (S.info.categories.find((c) => c.code === code)) || { name: code, name_en: code, code }; }
/** A colleague as staff see them: their name (张伟), not their login id. */
export function nameOf(username) {
  if (!username) return "—";
  return (S.data && S.data.names && S.data.names[username]) || username;
}
export function winOf(id) { return (S.info.windows.find((w) => w.id === id)) || { name: id, name_en: id, id }; }
export function itemsOf(category) { return S.items.filter((i) => i.categories.includes(category)); }
export function serverNow() {
  // The server's clock (the console answer's `at`), moved on by the time since it came.
  if (!S.data) return Date.now();
  return Date.parse(S.data.at) + (Date.now() - S.fetchedAt);
}

export function show(id) {
  for (const s of ["login", "picker", "desk"]) $(s).classList.toggle("hidden", s !== id);
}

export const base = () => `/api/v1/halls/${S.hall}`;

/** A POST for an action; null, and nothing sent, while another one runs (a double key press). */
export async function post(path, body) {
  if (S.busy) return null;
  S.busy = true;
  try {
    return await api("POST", path, body);
  } finally {
    S.busy = false;
  }
}
