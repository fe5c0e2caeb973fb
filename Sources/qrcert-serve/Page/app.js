// qrcert's verifier page: a scanner input, a photo and the camera, each answered by the server with the
// objects `qrcert verify --json` prints (docs/SERVE.md), drawn as the terminal draws them: the band, the
// reason, then the licence as a card with the profile's labels (docs/INSPECTOR.md).
//
// Every string in an answer is attacker-controlled (it was signed by whoever made the code, or it quotes the
// scanned text): it reaches the page only through textContent, after `shown` (the terminal's escape).
// No innerHTML, no inline script or style: the server's Content-Security-Policy forbids them.
"use strict";

/// The built-in profiles' names and labels, as `qrcert profiles NAME` prints them (scripts/test-browser
/// compares this table with the binary's, so the two cannot drift apart). An unknown type shows field names.
const PROFILES = {
  "vn.dl": {
    name: { vi: "Giấy phép lái xe", en: "Driving licence" },
    valid_from: "issue_date",
    valid_until: "expiry_date",
    fields: [
      { name: "licence_no", type: "text", label: { vi: "Số GPLX", en: "Licence no." } },
      { name: "full_name", type: "text", label: { vi: "Họ và tên", en: "Full name" } },
      { name: "sex", type: "enum", label: { vi: "Giới tính", en: "Sex" } },
      { name: "date_of_birth", type: "date", label: { vi: "Ngày sinh", en: "Date of birth" } },
      { name: "class", type: "enum", label: { vi: "Hạng", en: "Class" } },
      { name: "issue_date", type: "date", label: { vi: "Ngày cấp", en: "Issue date" } },
      { name: "expiry_date", type: "date", label: { vi: "Có giá trị đến", en: "Valid until" } },
      { name: "issuing_authority", type: "text", label: { vi: "Nơi cấp", en: "Issued by" } },
      { name: "nationality", type: "text", label: { vi: "Quốc tịch", en: "Nationality" } },
      { name: "address", type: "text", label: { vi: "Nơi cư trú", en: "Address" } },
    ],
  },
  "vn.tp": {
    name: { vi: "Giấy phép kinh doanh vận tải bằng xe ô tô", en: "Road transport business permit" },
    valid_from: "issue_date",
    valid_until: null,
    fields: [
      { name: "permit_no", type: "text", label: { vi: "Số giấy phép", en: "Permit no." } },
      { name: "business_name", type: "text", label: { vi: "Tên đơn vị kinh doanh", en: "Business name" } },
      { name: "tax_code", type: "text", label: { vi: "Mã số doanh nghiệp", en: "Enterprise code" } },
      { name: "representative", type: "text", label: { vi: "Người đại diện theo pháp luật", en: "Legal representative" } },
      { name: "address", type: "text", label: { vi: "Địa chỉ trụ sở", en: "Head office" } },
      { name: "business_type", type: "enum", label: { vi: "Loại hình kinh doanh", en: "Type of business" } },
      { name: "issue_date", type: "date", label: { vi: "Ngày cấp", en: "Issue date" } },
      { name: "issuing_authority", type: "text", label: { vi: "Cơ quan cấp", en: "Issued by" } },
    ],
  },
  "vn.cp": {
    name: { vi: "Giấy phép xây dựng", en: "Construction permit" },
    valid_from: "issue_date",
    valid_until: "start_deadline",
    fields: [
      { name: "permit_no", type: "text", label: { vi: "Số giấy phép", en: "Permit no." } },
      { name: "owner", type: "text", label: { vi: "Chủ đầu tư", en: "Owner" } },
      { name: "permit_type", type: "enum", label: { vi: "Loại giấy phép", en: "Permit type" } },
      { name: "project", type: "text", label: { vi: "Công trình", en: "Works" } },
      { name: "site", type: "text", label: { vi: "Địa điểm xây dựng", en: "Site" } },
      { name: "land_plot", type: "text", label: { vi: "Thửa đất / tờ bản đồ", en: "Land plot / map sheet" } },
      { name: "floors", type: "text", label: { vi: "Số tầng", en: "Floors" } },
      { name: "floor_area_m2", type: "text", label: { vi: "Tổng diện tích sàn (m²)", en: "Total floor area (m²)" } },
      { name: "issue_date", type: "date", label: { vi: "Ngày cấp", en: "Issue date" } },
      { name: "start_deadline", type: "date", label: { vi: "Khởi công trước ngày", en: "Works to start by" } },
      { name: "issuing_authority", type: "text", label: { vi: "Cơ quan cấp", en: "Issued by" } },
    ],
  },
};

/// The page's own words; the reasons come from the server in the language asked for (?lang=).
/// The band's words and the card's fixed labels are the terminal's (Sources/qrcert/VerdictRenderer.swift).
const TEXT = {
  vi: {
    pageTitle: "qrcert — Kiểm tra chứng thư QR",
    title: "Kiểm tra chứng thư QR",
    scanLabel: "Quét mã bằng máy quét, hoặc dán nội dung mã rồi nhấn Enter",
    scanHint: "Máy quét USB gõ mã và nhấn Enter: kết quả hiện ngay, ô nhập sẵn sàng cho mã tiếp theo.",
    check: "Kiểm tra",
    photo: "Chọn ảnh",
    snap: "Chụp ảnh",
    cameraStart: "Bật camera",
    cameraStop: "Tắt camera",
    resultHeading: "Kết quả",
    footer: "qrcert kiểm tra chữ ký, thời hạn và danh sách thu hồi ngay trên máy chủ này; không cần mạng ngoài.",
    valid: "HỢP LỆ", invalid: "KHÔNG HỢP LỆ", specimen: "MẪU", revoked: "ĐÃ THU HỒI", suspended: "TẠM ĐÌNH CHỈ",
    unread: "KHÔNG ĐỌC ĐƯỢC MÃ", refused: "KHÔNG KIỂM TRA ĐƯỢC", test: "THỬ NGHIỆM",
    validity: "Hiệu lực", noExpiry: "không thời hạn", onDocument: " (trên giấy tờ)",
    signedBy: "Ký bởi", key: "Khóa", issuedAt: "Cấp lúc", expires: "Hết hạn", claim: "trường ",
    trustList: "Danh sách tin cậy", revocationList: "Danh sách thu hồi", outOfDate: " — QUÁ HẠN CẬP NHẬT",
    codeOf: (i, n) => `Mã ${i}/${n}`,
    checking: "Đang kiểm tra…",
    looking: "Hướng camera vào mã QR…",
    gaveUp: "Camera đã tắt: không đọc được mã nào sau 2 phút. Bật lại để thử tiếp.",
    cameraInsecure: "Camera chỉ dùng được qua https:// hoặc localhost (chạy qrcert serve với --tls-cert và --tls-key).",
    cameraDenied: "Không mở được camera: chưa được cho phép hoặc không có camera.",
    noImage: "Tệp này không phải ảnh PNG hay JPEG đọc được.",
    network: "Không kết nối được máy chủ qrcert.",
    refusedReason: "Máy chủ từ chối yêu cầu",
    noCodeReason: "Không tìm thấy mã QR đọc được trong ảnh này",
    noCodeHint: "Chụp mã thẳng, chiếm khoảng một phần ba ảnh, đủ sáng đều, không lóa",
    picture: "Ảnh đã kiểm tra",
  },
  en: {
    pageTitle: "qrcert — Check a QR certificate",
    title: "Check a QR certificate",
    scanLabel: "Scan a code with the scanner, or paste its text and press Enter",
    scanHint: "A USB scanner types the code and presses Enter: the answer shows at once and the field is ready for the next code.",
    check: "Check",
    photo: "Choose a photo",
    snap: "Take a photo",
    cameraStart: "Start camera",
    cameraStop: "Stop camera",
    resultHeading: "Result",
    footer: "qrcert checks the signature, validity and revocation lists on this server; no outside network is needed.",
    valid: "VALID", invalid: "INVALID", specimen: "SPECIMEN", revoked: "REVOKED", suspended: "SUSPENDED",
    unread: "NO CODE READ", refused: "NOT CHECKED", test: "TEST",
    validity: "Valid", noExpiry: "no expiry", onDocument: " (on the document)",
    signedBy: "Signed by", key: "Key", issuedAt: "Issued at", expires: "Expires", claim: "claim ",
    trustList: "Trust list", revocationList: "Revocation list", outOfDate: " — OUT OF DATE",
    codeOf: (i, n) => `Code ${i} of ${n}`,
    checking: "Checking…",
    looking: "Point the camera at the QR code…",
    gaveUp: "The camera was stopped: no code was read in 2 minutes. Start it again to go on.",
    cameraInsecure: "The camera needs https:// or localhost (start qrcert serve with --tls-cert and --tls-key).",
    cameraDenied: "The camera could not be opened: permission was refused or there is no camera.",
    noImage: "This file is not a PNG or JPEG image that can be read.",
    network: "The qrcert server cannot be reached.",
    refusedReason: "The server refused the request",
    noCodeReason: "No readable QR code in this image",
    noCodeHint: "photograph the code flat, filling a third of the picture, in even light, without glare",
    picture: "The picture checked",
  },
};

/// Frames sent per second while the camera looks for a code, and the longest side of a frame sent.
const FRAME_INTERVAL_MS = 300;
const FRAME_MAX_SIDE = 1280;
/// A photo larger than the server takes (413) is sent again scaled down to these longest sides, in turn (a
/// phone's 48-megapixel JPEG; the decoder works on at most 3.2 megapixels anyway, docs/INSPECTOR.md).
const PHOTO_SIDES = [3000, 2000, 1400];
/// A camera that has read nothing for this long is stopped (it would otherwise send frames for ever).
const CAMERA_GIVE_UP_MS = 120_000;

// ---------------------------------------------------------------------------------------------------------
// Text as shown

/// The terminal's escape (Sources/QRCert/DisplayText.swift, docs/FORMAT.md §4.7): every character of general
/// category Cc, Cf, Zl or Zp (controls, bidi embeddings, overrides and isolates, zero-width characters) shown
/// as `\u{hex}`, so that signed text cannot reorder or hide what an inspector reads. The list is written out,
/// as in Swift, so that it does not move with the browser's Unicode tables.
function isUnsafe(value) {
  if (value < 0xa0) return value < 0x20 || value >= 0x7f;
  if (value < 0x600) return value === 0xad;
  if (value >= 0x1e00 && value < 0x2000) return false;
  const ranges = [
    [0x600, 0x605], [0x61c, 0x61c], [0x6dd, 0x6dd], [0x70f, 0x70f], [0x890, 0x891], [0x8e2, 0x8e2],
    [0x180e, 0x180e], [0x200b, 0x200f], [0x2028, 0x202e], [0x2060, 0x2064], [0x2066, 0x206f],
    [0xfeff, 0xfeff], [0xfff9, 0xfffb], [0x110bd, 0x110bd], [0x110cd, 0x110cd], [0x13430, 0x1343f],
    [0x1bca0, 0x1bca3], [0x1d173, 0x1d17a], [0xe0001, 0xe0001], [0xe0020, 0xe007f],
  ];
  return ranges.some(([low, high]) => value >= low && value <= high);
}

function shown(text) {
  if (text === null || text === undefined) return "-";
  let out = "";
  for (const ch of String(text)) {
    const value = ch.codePointAt(0);
    out += isUnsafe(value) ? `\\u{${value.toString(16)}}` : ch;
  }
  return out;
}

function twoDigits(n) { return n < 10 ? `0${n}` : `${n}`; }

/// A civil date as the record carries it (YYYY-MM-DD): dd/mm/yyyy in Vietnamese, ISO in English.
function dateText(iso, lang) {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(iso);
  if (lang !== "vi" || !m) return iso;
  return `${m[3]}/${m[2]}/${m[1]}`;
}

/// A moment (ISO 8601, UTC): `01/06/2025 07:00 (giờ Việt Nam)` in Vietnamese, as given in English.
function timeText(iso, lang) {
  if (iso === null || iso === undefined) return "-";
  const ms = Date.parse(iso);
  if (lang !== "vi" || Number.isNaN(ms)) return iso;
  const local = new Date(ms + 7 * 3600 * 1000);
  const day = `${twoDigits(local.getUTCDate())}/${twoDigits(local.getUTCMonth() + 1)}/${local.getUTCFullYear()}`;
  return `${day} ${twoDigits(local.getUTCHours())}:${twoDigits(local.getUTCMinutes())} (giờ Việt Nam)`;
}

/// The technical line under a reason: `stage: message [CODE]` in English, the code alone in Vietnamese.
function detailText(failure, lang) {
  return lang === "vi" ? `Mã lỗi: ${failure.code}` : `${failure.stage}: ${failure.message} [${failure.code}]`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = shown(text);
  return node;
}

// ---------------------------------------------------------------------------------------------------------
// One answer drawn

/// What the band says: the verdict's word, which `data-verdict` also carries for tests and styles.
function verdictKind(answer) {
  if (answer.valid === true) return "valid";
  const failures = Array.isArray(answer.failures) ? answer.failures : [];
  if (failures.some((f) => f.code === "CONTENT_SPECIMEN")) return "specimen";
  if (answer.revocation && answer.revocation.status === "revoked") return "revoked";
  if (answer.revocation && answer.revocation.status === "suspended") return "suspended";
  return "invalid";
}

function band(mark, word, title, kind) {
  const node = element("div", "band");
  node.append(element("span", "band-mark", mark), element("span", "band-word", word));
  if (title) node.append(element("span", "band-title", title));
  node.dataset.verdict = kind;
  return node;
}

/// The card's rows, as the terminal's: validity, the record's fields with the profile's labels, the signer, the key.
function cardRows(answer, lang) {
  const t = TEXT[lang];
  const rows = [];
  const signer = answer.issuer ?? "-";
  const record = answer.record && typeof answer.record === "object" ? answer.record : null;
  const profile = answer.type ? PROFILES[answer.type] : undefined;
  if (record && profile) {
    const field = (name) => profile.fields.find((f) => f.name === name);
    const value = (name) => {
      if (!(name in record)) return null;
      return field(name) && field(name).type === "date" ? dateText(String(record[name]), lang) : String(record[name]);
    };
    const from = value(profile.valid_from) ?? "-";
    const until = (profile.valid_until && value(profile.valid_until)) ?? t.noExpiry;
    rows.push({ label: t.validity, value: `${from} → ${until}`, field: "validity" });
    for (const name of Object.keys(record)) {
      const label = field(name) ? field(name).label[lang] : name;
      const text = value(name);
      if (name === "issuing_authority") {
        // Said once, on the signer's line, unless the document names another authority.
        if (text === signer) continue;
        rows.push({ label: label + t.onDocument, value: text, field: name });
        continue;
      }
      rows.push({ label, value: text, field: name });
    }
  } else if (record) {
    // A type this page does not know: the server's own names, in its order.
    rows.push({ label: t.issuedAt, value: timeText(answer.issued_at, lang), field: "issued_at" });
    rows.push({ label: t.expires, value: timeText(answer.expires_at, lang), field: "expires_at" });
    for (const name of Object.keys(record)) rows.push({ label: name, value: String(record[name]), field: name });
  } else {
    rows.push({ label: t.issuedAt, value: timeText(answer.issued_at, lang), field: "issued_at" });
    rows.push({ label: t.expires, value: timeText(answer.expires_at, lang), field: "expires_at" });
    const claims = answer.claims && typeof answer.claims === "object" ? answer.claims : {};
    for (const key of Object.keys(claims)) {
      // As the terminal shows a foreign claim: its value as compact JSON.
      rows.push({ label: t.claim + key, value: JSON.stringify(claims[key]), field: `claim-${key}` });
    }
  }
  rows.push({ label: t.signedBy, value: signer, field: "signed_by" });
  if (answer.kid) rows.push({ label: t.key, value: `${answer.kid} ${answer.alg ?? "?"} (${answer.trusted_by ?? "-"})`, field: "key" });
  return rows;
}

/// One line per signed list behind the verdict, as `verify` prints them under the reasons.
function listLines(answer, lang) {
  const t = TEXT[lang];
  const lists = [];
  if (answer.trust_list) lists.push([t.trustList, answer.trust_list, false]);
  for (const list of Array.isArray(answer.revocation_lists) ? answer.revocation_lists : []) lists.push([t.revocationList, list, true]);
  return lists.map(([label, list, revocations]) => {
    const facts = [lang === "vi" ? `số ${list.sequence} ngày ${timeText(list.issued_at, lang)}` : `#${list.sequence} of ${list.issued_at}`];
    if (list.environment) {
      const words = { production: "chính thức", test: "thử nghiệm" };
      facts.push(lang === "vi" ? words[list.environment] ?? list.environment : list.environment);
    }
    if (revocations) facts.push(lang === "vi" ? `${list.entries} mục` : `${list.entries} entries`);
    facts.push(revocations ? list.issuer : list.authority);
    return `${label} ${facts.join(", ")} (${list.file})` + (list.freshness !== "current" ? t.outOfDate : "");
  });
}

/// What a revocation list says about the credential, in Vietnamese (the English technical line carries it).
function withdrawalLine(answer, lang) {
  const entry = answer.revocation;
  if (lang !== "vi" || !entry) return null;
  if (entry.status === "revoked") return `Thu hồi từ ${dateText(entry.since, lang)}: ${entry.reason}`;
  return `Tạm đình chỉ từ ${dateText(entry.since, lang)} đến hết ${dateText(entry.until, lang)}: ${entry.reason}`;
}

/// A verdict object of `verify --json` as the terminal shows it.
function verdictNode(answer, lang, origin) {
  const t = TEXT[lang];
  const kind = verdictKind(answer);
  const article = element("article", `answer ${kind}`);
  article.dataset.verdict = kind;
  if (answer.code) article.dataset.code = answer.code;
  if (origin) article.append(element("p", "origin", origin));
  const test = answer.trust_list && answer.trust_list.environment === "test" ? ` · ${t.test}` : "";
  const profile = answer.type ? PROFILES[answer.type] : undefined;
  const title = profile ? profile.name[lang] : answer.type ?? "";
  article.append(band(kind === "valid" ? "✔" : "✘", t[kind] + test, title, kind));
  const failures = Array.isArray(answer.failures) ? answer.failures : [];
  if (answer.reason) article.append(element("p", "reason", answer.reason));
  for (const failure of failures) {
    const line = element("p", "detail", detailText(failure, lang));
    line.dataset.code = failure.code;
    article.append(line);
  }
  const withdrawal = withdrawalLine(answer, lang);
  if (withdrawal) article.append(element("p", "detail withdrawal", withdrawal));
  for (const line of listLines(answer, lang)) article.append(element("p", "detail list", line));
  if (answer.signature_verified === true) {
    const card = element("dl", "card");
    for (const row of cardRows(answer, lang)) {
      const pair = element("div", "row");
      pair.dataset.field = row.field;
      pair.append(element("dt", "", row.label), element("dd", "", row.value));
      card.append(pair);
    }
    article.append(card);
  }
  return article;
}

/// An image from which no code was read, or a request the server refused: a yellow band, why, and the code.
function problemNode(kind, code, reason, detail, hint) {
  const t = TEXT[state.lang];
  const article = element("article", `answer ${kind}`);
  article.dataset.verdict = kind;
  if (code) article.dataset.code = code;
  article.append(band("?", t[kind], "", kind));
  if (reason) article.append(element("p", "reason", reason));
  if (detail) {
    const line = element("p", "detail", detail);
    if (code) line.dataset.code = code;
    article.append(line);
  }
  if (hint) article.append(element("p", "detail", hint));
  return article;
}

/// The short sentence a screen reader says for an answer (the card stays on screen, not read out).
function summary(answer, lang) {
  const t = TEXT[lang];
  if (answer.problem) return `${t[answer.problem.kind]}. ${answer.problem.reason ?? ""}`;
  const kind = verdictKind(answer);
  const profile = answer.type ? PROFILES[answer.type] : undefined;
  return [t[kind], profile ? profile.name[lang] : answer.type, kind === "valid" ? null : answer.reason]
    .filter(Boolean).map(shown).join(". ");
}

// ---------------------------------------------------------------------------------------------------------
// Talking to the server

const state = {
  lang: "vi",
  /// The last request, asked again when the language changes (the reasons are the server's sentences).
  last: null,
  /// Bumped by every request: an answer that arrives after a newer request was made is dropped.
  generation: 0,
  camera: null,
};

/// An HTTP error of the server (`{"error":{"code","message"}}`) as a yellow answer.
function refusal(status, body, lang) {
  const t = TEXT[lang];
  let code = `HTTP_${status}`;
  let message = `HTTP ${status}`;
  try {
    const error = JSON.parse(body).error;
    if (error && typeof error.code === "string") code = error.code;
    if (error && typeof error.message === "string") message = error.message;
  } catch (_) { /* not the error shape: the status alone */ }
  if (code === "IMG_NO_CODE") {
    return { problem: { kind: "unread", code, reason: t.noCodeReason, detail: detailText({ stage: "image", message, code }, lang), hint: t.noCodeHint } };
  }
  return { problem: { kind: "refused", code, reason: t.refusedReason, detail: detailText({ stage: "http", message, code }, lang) } };
}

/// POSTs one request and returns the answers: verdict objects, or one problem.
async function ask(request, lang) {
  const endpoint = request.kind === "text" ? "/v1/verify" : "/v1/verify-image";
  const body = request.kind === "text" ? new Blob([request.payload], { type: "text/plain" }) : request.blob;
  let response;
  try {
    response = await fetch(`${endpoint}?lang=${lang}`, { method: "POST", body, cache: "no-store", credentials: "same-origin" });
  } catch (_) {
    return [{ problem: { kind: "refused", code: "NETWORK", reason: TEXT[lang].network, detail: null } }];
  }
  const text = await response.text();
  if (response.status === 413 && request.kind === "image") {
    const smaller = await scaledDown(request.blob);
    if (smaller) {
      request.blob = smaller;  // what a change of language sends again, and the picture shown
      return ask(request, lang);
    }
  }
  if (!response.ok) return [refusal(response.status, text, lang)];
  try {
    // /v1/verify answers one object; /v1/verify-image one per line (JSON Lines), one per code.
    const answers = text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
    if (answers.length > 0 && answers.every((a) => a && typeof a === "object" && typeof a.valid === "boolean")) return answers;
  } catch (_) { /* not JSON: said below */ }
  return [{ problem: { kind: "refused", code: "BAD_ANSWER", reason: TEXT[lang].refusedReason, detail: `HTTP ${response.status}` } }];
}

/// The photo or camera frame that was answered, small, under the answers: which picture this was.
let pictureURL = null;
function pictureNode(blob, lang) {
  if (pictureURL) URL.revokeObjectURL(pictureURL);
  pictureURL = blob ? URL.createObjectURL(blob) : null;
  if (!pictureURL) return [];
  const figure = element("figure", "picture");
  const image = document.createElement("img");
  image.src = pictureURL;
  image.alt = "";
  figure.append(image, element("figcaption", "", TEXT[lang].picture));
  return [figure];
}

function show(answers, lang, request) {
  const nodes = answers.map((answer, i) => answer.problem
    ? problemNode(answer.problem.kind, answer.problem.code, answer.problem.reason, answer.problem.detail, answer.problem.hint)
    : verdictNode(answer, lang, answers.length > 1 ? TEXT[lang].codeOf(i + 1, answers.length) : null));
  nodes.push(...pictureNode(request.kind === "image" ? request.blob : null, lang));
  document.getElementById("answers").replaceChildren(...nodes);
  document.getElementById("announce").textContent = answers.map((a) => summary(a, lang)).join(" ");
  document.body.dataset.answered = String(state.generation);
}

/// Asks, draws the answer, and gives the scanner its field back (a scanner types into whatever has focus).
async function verify(request, options = {}) {
  const generation = ++state.generation;
  const lang = state.lang;
  if (!options.quiet) setStatus(TEXT[lang].checking);
  const answers = await ask(request, lang);
  if (generation !== state.generation) return answers;
  state.last = request;
  show(answers, lang, request);
  if (!options.quiet) setStatus("");
  if (!options.keepStatus) refocus(options.fromScanner === true);
  const first = document.getElementById("answers").firstElementChild;
  if (first && first.getBoundingClientRect().top > window.innerHeight * 0.6) first.scrollIntoView({ block: "start" });
  return answers;
}

function setStatus(text) { document.getElementById("status").textContent = text; }

/// The scanner field takes focus again after every answer; on a touch screen only after a typed one (focusing
/// it there would open the on-screen keyboard over the answer of a photo).
function refocus(fromScanner) {
  const coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  if (fromScanner || !coarse) document.getElementById("scan").focus({ preventScroll: true });
}

// ---------------------------------------------------------------------------------------------------------
// Photos and the camera

/// The file as the server reads it: PNG and JPEG as they are; anything the browser can decode (HEIC on a
/// phone that can, WebP, ...) drawn once and sent as JPEG.
async function imageBlob(file) {
  if (file.type === "image/png" || file.type === "image/jpeg") return file;
  try {
    const bitmap = await createImageBitmap(file);
    const canvas = document.createElement("canvas");
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext("2d").drawImage(bitmap, 0, 0);
    return await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
  } catch (_) {
    return null;
  }
}

/// The picture as a JPEG whose longest side is the next step of PHOTO_SIDES below its own, or null.
async function scaledDown(blob) {
  try {
    const bitmap = await createImageBitmap(blob);
    const side = Math.max(bitmap.width, bitmap.height);
    const target = PHOTO_SIDES.find((s) => s < side);
    if (!target) return null;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * target / side);
    canvas.height = Math.round(bitmap.height * target / side);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  } catch (_) {
    return null;
  }
}

async function verifyFile(file) {
  if (!file) return;
  stopCamera();
  const blob = await imageBlob(file);
  if (!blob) {
    setStatus(TEXT[state.lang].noImage);
    return;
  }
  await verify({ kind: "image", blob });
}

async function startCamera() {
  const t = TEXT[state.lang];
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    setStatus(t.cameraInsecure);
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
  } catch (_) {
    setStatus(t.cameraDenied);
    return;
  }
  const video = document.getElementById("camera-video");
  video.srcObject = stream;
  document.getElementById("camera").hidden = false;
  const camera = { stream, timer: 0, busy: false };
  state.camera = camera;
  updateCameraButton();
  try { await video.play(); } catch (_) { /* muted inline video plays; a refusal leaves frames unread */ }
  setStatus(TEXT[state.lang].looking);
  const since = Date.now();
  const tick = async () => {
    if (state.camera !== camera) return;
    if (Date.now() - since > CAMERA_GIVE_UP_MS) {
      stopCamera();
      setStatus(TEXT[state.lang].gaveUp);
      return;
    }
    if (!camera.busy && video.readyState >= 2 && video.videoWidth > 0) {
      camera.busy = true;
      try { await readFrame(video, camera); } finally { camera.busy = false; }
    }
    if (state.camera === camera) camera.timer = setTimeout(tick, FRAME_INTERVAL_MS);
  };
  camera.timer = setTimeout(tick, FRAME_INTERVAL_MS);
}

/// Sends one frame as JPEG; the first frame that holds a code is answered and the camera stops.
async function readFrame(video, camera) {
  const canvas = document.getElementById("camera-canvas");
  const scale = Math.min(1, FRAME_MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  if (!blob || state.camera !== camera) return;
  const lang = state.lang;
  const answers = await ask({ kind: "image", blob }, lang);
  if (state.camera !== camera) return;
  const nothing = answers.length === 1 && answers[0].problem && answers[0].problem.code === "IMG_NO_CODE";
  if (nothing) return;
  stopCamera();
  // The frame that was read is the request a change of language asks again.
  ++state.generation;
  state.last = { kind: "image", blob };
  show(answers, lang, state.last);
  setStatus("");
  refocus(false);
}

function stopCamera() {
  const camera = state.camera;
  if (!camera) return;
  state.camera = null;
  clearTimeout(camera.timer);
  for (const track of camera.stream.getTracks()) track.stop();
  const video = document.getElementById("camera-video");
  video.srcObject = null;
  document.getElementById("camera").hidden = true;
  setStatus("");
  updateCameraButton();
}

function updateCameraButton() {
  const button = document.getElementById("camera-toggle");
  const on = state.camera !== null;
  button.setAttribute("aria-pressed", String(on));
  button.dataset.text = on ? "cameraStop" : "cameraStart";
  button.textContent = TEXT[state.lang][button.dataset.text];
}

// ---------------------------------------------------------------------------------------------------------
// Language

/// Vietnamese unless the browser prefers English (or the person chose it before on this machine).
function initialLanguage() {
  try {
    const saved = window.localStorage.getItem("qrcert-lang");
    if (saved === "vi" || saved === "en") return saved;
  } catch (_) { /* storage may be off: the browser's language decides */ }
  const preferred = (navigator.languages && navigator.languages[0]) || navigator.language || "vi";
  return preferred.toLowerCase().startsWith("vi") ? "vi" : preferred.toLowerCase().startsWith("en") ? "en" : "vi";
}

function applyLanguage(lang) {
  state.lang = lang;
  document.documentElement.lang = lang;
  document.title = TEXT[lang].pageTitle;
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = TEXT[lang][node.dataset.text];
  document.getElementById("lang-vi").setAttribute("aria-pressed", String(lang === "vi"));
  document.getElementById("lang-en").setAttribute("aria-pressed", String(lang === "en"));
}

function chooseLanguage(lang) {
  if (lang === state.lang) return;
  try { window.localStorage.setItem("qrcert-lang", lang); } catch (_) { /* not remembered */ }
  applyLanguage(lang);
  // The last answer again, in the new language (its reason is the server's sentence).
  if (state.last) verify(state.last, { quiet: true, keepStatus: true });
}

// ---------------------------------------------------------------------------------------------------------
// Wiring

function start() {
  applyLanguage(initialLanguage());
  const form = document.getElementById("scan-form");
  const input = document.getElementById("scan");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const payload = input.value.trim();
    input.value = "";
    if (payload === "") return;
    stopCamera();
    verify({ kind: "text", payload }, { fromScanner: true });
  });
  for (const id of ["photo", "snap"]) {
    const picker = document.getElementById(id);
    picker.addEventListener("change", () => {
      const file = picker.files && picker.files[0];
      picker.value = "";
      verifyFile(file);
    });
  }
  document.getElementById("camera-toggle").addEventListener("click", () => {
    if (state.camera) stopCamera(); else startCamera();
  });
  document.getElementById("lang-vi").addEventListener("click", () => chooseLanguage("vi"));
  document.getElementById("lang-en").addEventListener("click", () => chooseLanguage("en"));
  // A photo dropped anywhere on the page, or pasted (a screenshot of a code at the desk).
  document.addEventListener("dragover", (event) => { event.preventDefault(); document.body.classList.add("dropping"); });
  document.addEventListener("dragleave", (event) => { if (!event.relatedTarget) document.body.classList.remove("dropping"); });
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    document.body.classList.remove("dropping");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) verifyFile(file);
  });
  document.addEventListener("paste", (event) => {
    const file = event.clipboardData && [...event.clipboardData.files].find((f) => f.type.startsWith("image/"));
    if (file) { event.preventDefault(); verifyFile(file); }
  });
  // A scanner types into whatever has the focus: a key typed outside a text field (after a click on a button)
  // moves the focus to the scanner field first, so the scan lands there. Space is left alone (it presses a button).
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target instanceof HTMLInputElement && target.type !== "file" || target instanceof HTMLTextAreaElement;
    if (typing || event.key.length !== 1 || event.key === " " || event.ctrlKey || event.metaKey || event.altKey) return;
    input.focus({ preventScroll: true });
  });
  // A camera left on in a hidden tab is stopped: the light goes off and no frames are sent.
  document.addEventListener("visibilitychange", () => { if (document.hidden) stopCamera(); });
  document.body.dataset.ready = "true";
  input.focus();
}

document.addEventListener("DOMContentLoaded", start);
