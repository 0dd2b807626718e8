// A measurement, not the parser: what it costs to split a block into lines, tell noise from SECURITY and NOTICE
// lines, and walk the structure of the common security line (prefix, head, region, addresses, tail) in WebAssembly,
// writing per relevant line its kind, its bounds and the offsets a JS side would build an event from. The checks
// are looser than the parser's (no per-type tail, no PJSIP account bound, BSD dates only): a cost, not a verdict.
// Built by run.mjs with clang --target=wasm32; see README.md.
typedef unsigned char u8;
typedef unsigned int u32;
#define EXPORT __attribute__((visibility("default")))

static u8 *buf; static u32 len;
static int out[1 << 20];
EXPORT u8 *input(u32 n) { extern u8 __heap_base; buf = &__heap_base; len = n; return buf; }
EXPORT int *output(void) { return out; }

static inline int isd(u8 c) { return c >= '0' && c <= '9'; }
static inline int lit(u32 p, const char *s, u32 e) { for (; *s; s++, p++) { if (p >= e || buf[p] != (u8)*s) return 0; } return 1; }
static inline u32 litlen(const char *s) { u32 n = 0; while (s[n]) n++; return n; }
// V = [^"\n]* up to the closing quote; returns the quote's index or -1.
static inline int value(u32 p, u32 e) { while (p < e && buf[p] != '"') p++; return p < e ? (int)p : -1; }

// Returns the number of ints written for the line, 0 if not a common security line.
static int security(u32 s, u32 e, int *o) {
  u32 p = s;
  if (buf[p] != '[') return 0;
  // BSD date
  if (p + 17 > e) return 0;
  if (!(buf[p+1] >= 'A' && buf[p+1] <= 'Z') || buf[p+4] != ' ' || buf[p+7] != ' ' || buf[p+16] != ']' || buf[p+17] != ' ') return 0;
  p += 18;
  if (!lit(p, "SECURITY[", e)) return 0;
  p += 9; while (p < e && isd(buf[p])) p++; if (buf[p] != ']') return 0; p++;
  if (buf[p] == ':') p++;
  if (buf[p] != ' ') return 0; p++;
  // location: [A-Za-z0-9_./-]+\.c then optional ... then ": "
  u32 ls = p; while (p < e && buf[p] != ':' && buf[p] != ' ') p++;
  if (p - ls < 3 || buf[p-2] != '.' || buf[p-1] != 'c') return 0;
  if (buf[p] == ':' && isd(buf[p+1])) { p++; while (isd(buf[p])) p++; }
  if (buf[p] == ' ') { p++; if (lit(p, "in ", e)) p += 3; while (p < e && buf[p] != ':' && buf[p] != ' ') p++; }
  if (buf[p] != ':' || buf[p+1] != ' ') return 0; p += 2;
  if (!lit(p, "SecurityEvent=\"", e)) return 0; p += 15;
  int q = value(p, e); if (q < 0) return 0; o[0] = p; o[1] = q; p = q;
  static const char *keys[] = { "\",EventTV=\"", "\",Severity=\"", "\",Service=\"", "\",EventVersion=\"" };
  for (int k = 0; k < 4; k++) { if (!lit(p, keys[k], e)) return 0; p += litlen(keys[k]); q = value(p, e); if (q < 0) return 0; o[2 + 2*k] = p; o[3 + 2*k] = q; p = q; }
  if (lit(p, "\",AccountID=\"", e)) { p += 13; q = value(p, e); if (q < 0) return 0; o[10] = p; o[11] = q; p = q; } else { o[10] = o[11] = -1; }
  if (!lit(p, "\",SessionID=\"", e)) return 0; p += 13; q = value(p, e); if (q < 0) return 0; o[12] = p; o[13] = q; p = q;
  if (!lit(p, "\",LocalAddress=\"IPV", e)) return 0; p += 19; q = value(p, e); if (q < 0) return 0; o[14] = p; o[15] = q; p = q;
  if (!lit(p, "\",RemoteAddress=\"IPV", e)) return 0; p += 20; if (buf[p] != '4' && buf[p] != '6') return 0; p++; if (buf[p] != '/') return 0; p++;
  q = value(p, e); if (q < 0) return 0;
  // ip/port inside [p, q): last slash is the port
  u32 ps = q; while (ps > p && buf[ps-1] != '/') ps--; if (ps == p) return 0;
  u32 port = 0; for (u32 i = ps; i < (u32)q; i++) { if (!isd(buf[i])) return 0; port = port * 10 + (buf[i] - '0'); } if (port > 65535 || ps == (u32)q) return 0;
  u32 is = ps - 1; u32 ib = is; while (ib > p && buf[ib-1] != '/') ib--;
  // canonical IPv4 value
  u32 v = 0, oct = 0, n = 0, dots = 0; int ok = 1;
  for (u32 i = ib; i < is; i++) { u8 c = buf[i]; if (c == '.') { if (n == 0 || oct > 255) ok = 0; v = (v << 8) | oct; oct = 0; n = 0; dots++; } else if (isd(c)) { if (n == 1 && oct == 0) ok = 0; oct = oct * 10 + (c - '0'); n++; } else ok = 0; }
  if (n == 0 || oct > 255 || dots != 3) ok = 0; v = (v << 8) | oct;
  o[16] = ib; o[17] = is; o[18] = ok ? (int)v : -1; o[19] = ok; o[20] = port; p = q + 1;
  // tail: (,Key="V")* to end of line
  o[21] = p;
  while (p < e && buf[p] == ',') { p++; while (p < e && ((buf[p] >= 'A' && buf[p] <= 'Z') || (buf[p] >= 'a' && buf[p] <= 'z'))) p++; if (buf[p] != '=' || buf[p+1] != '"') return 0; p += 2; q = value(p, e); if (q < 0) return 0; p = q + 1; }
  while (p < e && buf[p] == '\r') p++;
  if (p != e) return 0;
  o[22] = e;
  return 23;
}

// Scans the whole input; returns the number of ints written. Per relevant line: [kind, start, end, ...offsets].
EXPORT u32 scan(void) {
  u32 w = 0, p = 0;
  while (p < len) {
    u32 e = p; while (e < len && buf[e] != '\n') e++;
    // markers: the level right after a BSD prefix, else skip (prototype)
    if (e - p > 20 && buf[p] == '[' && buf[p+16] == ']') {
      u8 c = buf[p+18];
      if (c == 'S') { int n = security(p, e, out + w + 3); if (n) { out[w] = 1; out[w+1] = p; out[w+2] = e; w += 3 + n; } else { out[w] = 3; out[w+1] = p; out[w+2] = e; w += 3; } }
      else if (c == 'N') { out[w] = 2; out[w+1] = p; out[w+2] = e; w += 3; }
    }
    if (w > (1 << 20) - 64) break;
    p = e + 1;
  }
  return w;
}
