/*
 * amtwatch_read: the offline prefilter (Node-API, C, no libpcap).
 *
 * `amtwatch read` spends most of a large capture on frames it then drops: ordinary IPv4/TCP frames
 * whose ports are not watched (the pipeline's fast path, src/app/pipeline.ts). This addon walks a
 * plain (uncompressed) classic pcap or pcapng file on its own thread, with pread() into its own
 * buffer, and hands JS a compact stream instead of the file:
 *   - every record/block that the fast path provably drops becomes a SKIP entry: its timestamp
 *     words and captured length only (JS still counts it and advances its clock with it);
 *   - every other record/block (headers, interfaces, AMT frames, anything odd) is copied whole as a
 *     RAW entry, with its file offset, and parsed by the JS reader exactly as if read from the file;
 *   - at anything the walker does not handle itself (a length that breaks framing, a record over
 *     the limits, a truncated tail, a read error, a format it does not know) it stops with an END
 *     entry naming the file offset where the JS reader must take over. The JS reader then reads the
 *     rest of the file itself and reports every problem with its own words, so a file gives the
 *     same records and errors with or without the addon (test/unit/io/prefilter.test.ts checks that).
 * Memory: one input buffer (PF_READ_BYTES + the largest unit) and a ring of PF_SLOTS output chunks;
 * the producer waits when the ring is full, so it never runs more than the ring ahead of JS.
 *
 * Output chunk (host byte order, 32-bit words):
 *   header  [PF_MAGIC][bytes used][consumed lo][consumed hi]   consumed: file bytes walked so far
 *   RAW     [1][len][offset lo][offset hi] + len bytes, padded to 4
 *   SKIPPCAP   [2][n] + n x [ts sec][ts frac][caplen]
 *   SKIPNG     [3][n] + n x [interface][ts hi][ts lo][caplen]
 *   END     [4][0][offset lo][offset hi]          the JS reader continues at offset
 *
 * JS API (see src/io/prefilter.ts):
 *   open(fd, maxFrame, maxBlock, maxIfaces, watchedPorts: Uint8Array(65536)) -> handle
 *                       (the descriptor is dup()ed: the caller may close its own at once)
 *   capacity(handle) -> the largest chunk next() can return (size the JS buffer to it)
 *   next(handle, buffer) -> bytes copied (blocks until a chunk is ready; 0 after END)
 *   close(handle)       (stops the thread, waits for it, frees everything; idempotent)
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PF_MAGIC 0x50464331u /* "PFC1" */
#define PF_RAW 1u
#define PF_SKIP_PCAP 2u
#define PF_SKIP_NG 3u
#define PF_END 4u
/*
 * Ring slots. The walk runs ahead of JS by at most this many chunks: 32 x 256 KiB of SKIP items is
 * ~700,000 frames (~450 MB of the benchmark file), enough to keep reading while the rest of
 * amtwatch loads (~45 ms) when it was started early. Slots are allocated when first used.
 */
#define PF_SLOTS 32
/* A chunk is handed over once it holds this much (it may hold one more RAW unit past it). */
#define PF_FLUSH_BYTES (256u * 1024u)
#define PF_HDR 16u
/* pread() size: 1 MiB measured faster than 4 MiB for the copy-then-walk (1 GB: 0.13 s vs 0.15 s). */
#define PF_READ_BYTES (1024u * 1024u)

#define LINKTYPE_ETHERNET 1u
#define PCAP_HDR 24u
#define PCAP_REC 16u
#define NG_SHB 0x0a0d0d0au
#define NG_IDB 1u
#define NG_EPB 6u
#define NG_BOM 0x1a2b3c4du

typedef struct {
  uint8_t *data;
  uint32_t used;
} chunk_t;

typedef struct {
  int fd; /* our own dup() of the caller's descriptor */
  uint32_t max_frame, max_block, max_ifaces;
  uint8_t watched[65536];

  uint8_t *in;     /* input buffer */
  size_t in_size;  /* PF_READ_BYTES + largest unit */
  uint32_t cap;    /* chunk capacity */

  chunk_t slots[PF_SLOTS];
  int head, count; /* ready chunks: slots[head .. head+count) */
  int fill;        /* slot the producer writes, -1 when none */
  volatile int ended, cancel;
  int started, joined;
  pthread_mutex_t mu;
  pthread_cond_t room, ready;
  pthread_t th;

  /* producer state */
  uint64_t consumed;    /* file offset of the first byte not yet turned into entries */
  uint32_t run_at;      /* word index of the open SKIP run's count in the fill chunk, 0 = none */
  uint32_t run_kind;
  uint16_t *ng_link;    /* pcapng: link type per interface of the section */
  uint32_t ng_ifaces;
} pf_t;

static inline uint32_t rd32(const uint8_t *p, int le) {
  return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
            : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}
static inline uint32_t rd16(const uint8_t *p, int le) {
  return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : (uint32_t)p[1] | (uint32_t)p[0] << 8;
}

/*
 * The pipeline's fast path, byte for byte (src/app/pipeline.ts, Pipeline.onFrame): a complete,
 * unfragmented Ethernet/IPv4/TCP frame with a 20-byte IP header, consistent lengths, and neither
 * port watched. Exactly these frames are dropped there without a decode.
 */
static inline int fast_drop(const pf_t *pf, const uint8_t *d, uint32_t cap) {
  if (cap < 54 || d[12] != 0x08 || d[13] != 0x00 || d[14] != 0x45 || d[23] != 6) return 0;
  uint32_t total = (uint32_t)d[16] << 8 | d[17];
  uint32_t frag = ((uint32_t)d[20] & 0x3f) << 8 | d[21];
  uint32_t doff = d[46] >> 4;
  if (frag != 0 || total < 40 || total > cap - 14 || doff < 5 || doff * 4 > total - 20) return 0;
  return !pf->watched[(uint32_t)d[34] << 8 | d[35]] && !pf->watched[(uint32_t)d[36] << 8 | d[37]];
}

/* ------------------------------------------------------------------ ring (producer side) */

static void put_u32(chunk_t *c, uint32_t v) {
  memcpy(c->data + c->used, &v, 4);
  c->used += 4;
}

/* Hands the fill chunk to the consumer (if it holds entries) and takes a free one. 0 when cancelled. */
static int publish(pf_t *pf, int force_new) {
  pthread_mutex_lock(&pf->mu);
  if (pf->fill >= 0) {
    chunk_t *c = &pf->slots[pf->fill];
    if (c->used > PF_HDR || !force_new) {
      uint32_t used = c->used;
      uint64_t done = pf->consumed;
      memcpy(c->data + 4, &used, 4);
      uint32_t lo = (uint32_t)done, hi = (uint32_t)(done >> 32);
      memcpy(c->data + 8, &lo, 4);
      memcpy(c->data + 12, &hi, 4);
      pf->count++;
      pf->fill = -1;
      pthread_cond_signal(&pf->ready);
    }
  }
  pf->run_at = 0;
  if (pf->fill < 0 && force_new) {
    while (pf->count == PF_SLOTS && !pf->cancel) pthread_cond_wait(&pf->room, &pf->mu);
    if (pf->cancel) {
      pthread_mutex_unlock(&pf->mu);
      return 0;
    }
    int slot = (pf->head + pf->count) % PF_SLOTS;
    chunk_t *c = &pf->slots[slot];
    if (c->data == NULL) c->data = malloc(pf->cap);
    if (c->data == NULL) {
      pthread_mutex_unlock(&pf->mu);
      return 0; /* out of memory: the walk stops without END; next() then returns 0 */
    }
    pf->fill = slot;
    c->used = 0;
    put_u32(c, PF_MAGIC);
    put_u32(c, 0);
    put_u32(c, 0);
    put_u32(c, 0);
  }
  int ok = !pf->cancel;
  pthread_mutex_unlock(&pf->mu);
  return ok;
}

/* Makes room for `need` more bytes in the fill chunk (publishing it when past the flush mark). */
static int room_for(pf_t *pf, uint32_t need) {
  chunk_t *c = &pf->slots[pf->fill];
  if (c->used >= PF_FLUSH_BYTES || c->used + need > pf->cap) return publish(pf, 1);
  return 1;
}

static int emit_raw(pf_t *pf, const uint8_t *p, uint32_t len, uint64_t at) {
  uint32_t padded = (len + 3u) & ~3u;
  if (!room_for(pf, 16 + padded)) return 0;
  chunk_t *c = &pf->slots[pf->fill];
  pf->run_at = 0;
  put_u32(c, PF_RAW);
  put_u32(c, len);
  put_u32(c, (uint32_t)at);
  put_u32(c, (uint32_t)(at >> 32));
  memcpy(c->data + c->used, p, len);
  if (padded > len) memset(c->data + c->used + len, 0, padded - len);
  c->used += padded;
  return 1;
}

/* Appends one SKIP item (3 or 4 words) to the open run of `kind`, opening one if needed. */
static int emit_skip(pf_t *pf, uint32_t kind, uint32_t a, uint32_t b, uint32_t c3, uint32_t d4) {
  uint32_t words = kind == PF_SKIP_PCAP ? 3 : 4;
  chunk_t *c = &pf->slots[pf->fill];
  if (pf->run_at == 0 || pf->run_kind != kind || c->used >= PF_FLUSH_BYTES || c->used + words * 4 > pf->cap) {
    if (!room_for(pf, 8 + words * 4)) return 0;
    c = &pf->slots[pf->fill];
    put_u32(c, kind);
    pf->run_at = c->used;
    pf->run_kind = kind;
    put_u32(c, 0);
  }
  put_u32(c, a);
  put_u32(c, b);
  put_u32(c, c3);
  if (words == 4) put_u32(c, d4);
  uint32_t n;
  memcpy(&n, c->data + pf->run_at, 4);
  n++;
  memcpy(c->data + pf->run_at, &n, 4);
  return 1;
}

static void emit_end(pf_t *pf, uint64_t at) {
  if (pf->fill < 0 && !publish(pf, 1)) return;
  if (!room_for(pf, 16)) return;
  chunk_t *c = &pf->slots[pf->fill];
  put_u32(c, PF_END);
  put_u32(c, 0);
  put_u32(c, (uint32_t)at);
  put_u32(c, (uint32_t)(at >> 32));
  publish(pf, 0);
}

/* ------------------------------------------------------------------ input */

typedef struct {
  size_t start, end; /* unconsumed bytes in pf->in */
  uint64_t base;     /* file offset of in[0] */
  uint64_t file_pos; /* next pread position */
  int eof, error;
} input_t;

/* Reads more input after moving the unconsumed tail to the front. 0 at end of file or on error. */
static int refill(pf_t *pf, input_t *in) {
  if (in->eof || in->error) return 0;
  if (in->start > 0) {
    memmove(pf->in, pf->in + in->start, in->end - in->start);
    in->base += in->start;
    in->end -= in->start;
    in->start = 0;
  }
  size_t want = pf->in_size - in->end;
  if (want > PF_READ_BYTES) want = PF_READ_BYTES;
  if (want == 0) return 0;
  ssize_t n;
  do n = pread(pf->fd, pf->in + in->end, want, (off_t)in->file_pos);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    in->error = 1;
    return 0;
  }
  if (n == 0) {
    in->eof = 1;
    return 0;
  }
  in->end += (size_t)n;
  in->file_pos += (uint64_t)n;
  return 1;
}

/* Makes `need` bytes available at in->start; 0 when the file (or reading) ends first. */
static int have(pf_t *pf, input_t *in, size_t need) {
  while (in->end - in->start < need)
    if (!refill(pf, in)) return 0;
  return 1;
}

/* ------------------------------------------------------------------ walkers */

/* Classic pcap (not Kuznetzov): returns the offset where JS takes over. */
static uint64_t walk_pcap(pf_t *pf, input_t *in, int le) {
  if (!have(pf, in, PCAP_HDR)) return 0;
  const uint8_t *h = pf->in + in->start;
  if (rd16(h + 4, le) != 2) return 0;
  uint32_t snaplen = rd32(h + 16, le);
  uint32_t link = rd32(h + 20, le) & 0xffffu;
  if (link != LINKTYPE_ETHERNET) return 0; /* nothing to drop: JS reads it directly */
  uint32_t lim = snaplen > 0 && snaplen < pf->max_frame ? snaplen : pf->max_frame;
  if (!emit_raw(pf, h, PCAP_HDR, 0)) return 0;
  in->start += PCAP_HDR;
  pf->consumed = PCAP_HDR;
  for (;;) {
    if (pf->cancel) return in->base + in->start;
    if (in->end - in->start < PCAP_REC && !have(pf, in, PCAP_REC)) return in->base + in->start;
    const uint8_t *r = pf->in + in->start;
    uint32_t cap = rd32(r + 8, le), orig = rd32(r + 12, le);
    if (cap > pf->max_frame) return in->base + in->start;
    if (in->end - in->start < PCAP_REC + cap) {
      if (!have(pf, in, PCAP_REC + cap)) return in->base + in->start;
      r = pf->in + in->start;
    }
    uint64_t at = in->base + in->start;
    int ok;
    if (cap <= lim && orig >= cap && fast_drop(pf, r + PCAP_REC, cap))
      ok = emit_skip(pf, PF_SKIP_PCAP, rd32(r, le), rd32(r + 4, le), cap, 0);
    else
      ok = emit_raw(pf, r, PCAP_REC + cap, at);
    if (!ok) return at;
    in->start += PCAP_REC + cap;
    pf->consumed = in->base + in->start;
  }
}

/* pcapng starting with a Section Header Block: returns the offset where JS takes over. */
static uint64_t walk_pcapng(pf_t *pf, input_t *in) {
  int le = 1, sections = 0;
  for (;;) {
    if (pf->cancel) return in->base + in->start;
    if (in->end - in->start < 12 && !have(pf, in, 12)) return in->base + in->start;
    const uint8_t *b = pf->in + in->start;
    uint64_t at = in->base + in->start;
    uint32_t type;
    if (rd32(b, 1) == NG_SHB) {
      if (rd32(b + 8, 1) == NG_BOM) le = 1;
      else if (rd32(b + 8, 0) == NG_BOM) le = 0;
      else return at;
      type = NG_SHB;
    } else {
      if (sections == 0) return at;
      type = rd32(b, le);
    }
    uint32_t len = rd32(b + 4, le);
    if (len < 12 || (len & 3) != 0 || len > pf->max_block) return at;
    if (in->end - in->start < len) {
      if (!have(pf, in, len)) return at;
      b = pf->in + in->start;
    }
    if (rd32(b + len - 4, le) != len) return at;
    int ok;
    if (type == NG_SHB) {
      if (len < 28 || rd16(b + 12, le) != 1) return at;
      sections++;
      pf->ng_ifaces = 0;
      ok = emit_raw(pf, b, len, at);
    } else if (type == NG_IDB) {
      if (len < 20) return at;
      if (pf->ng_ifaces < pf->max_ifaces) pf->ng_link[pf->ng_ifaces++] = (uint16_t)rd16(b + 8, le);
      ok = emit_raw(pf, b, len, at);
    } else if (type == NG_EPB && len >= 32) {
      uint32_t id = rd32(b + 8, le), cap = rd32(b + 20, le), orig = rd32(b + 24, le);
      if (cap <= len - 32 && id < pf->ng_ifaces && cap <= pf->max_frame && orig >= cap &&
          pf->ng_link[id] == LINKTYPE_ETHERNET && fast_drop(pf, b + 28, cap))
        ok = emit_skip(pf, PF_SKIP_NG, id, rd32(b + 12, le), rd32(b + 16, le), cap);
      else
        ok = emit_raw(pf, b, len, at);
    } else {
      ok = emit_raw(pf, b, len, at);
    }
    if (!ok) return at;
    in->start += len;
    pf->consumed = in->base + in->start;
  }
}

static void *producer(void *arg) {
  pf_t *pf = arg;
  input_t in = {0, 0, 0, 0, 0, 0};
  uint64_t stop = 0;
  if (publish(pf, 1) && have(pf, &in, 4)) {
    const uint8_t *m = pf->in;
    uint32_t be = rd32(m, 0), le = rd32(m, 1);
    if (be == 0xa1b2c3d4u || be == 0xa1b23c4du) stop = walk_pcap(pf, &in, 0);
    else if (le == 0xa1b2c3d4u || le == 0xa1b23c4du) stop = walk_pcap(pf, &in, 1);
    else if (le == NG_SHB) stop = walk_pcapng(pf, &in);
  }
  if (!pf->cancel) emit_end(pf, stop);
  pthread_mutex_lock(&pf->mu);
  pf->ended = 1;
  pthread_cond_broadcast(&pf->ready);
  pthread_mutex_unlock(&pf->mu);
  return NULL;
}

/* ------------------------------------------------------------------ Node-API */

static void pf_free(pf_t *pf) {
  if (pf->started && !pf->joined) {
    pthread_mutex_lock(&pf->mu);
    pf->cancel = 1;
    pthread_cond_broadcast(&pf->room);
    pthread_mutex_unlock(&pf->mu);
    pthread_join(pf->th, NULL);
    pf->joined = 1;
  }
  if (pf->fd >= 0) close(pf->fd);
  pf->fd = -1;
  for (int i = 0; i < PF_SLOTS; i++) {
    free(pf->slots[i].data);
    pf->slots[i].data = NULL;
  }
  free(pf->in);
  pf->in = NULL;
  free(pf->ng_link);
  pf->ng_link = NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  pf_t *pf = data;
  pf_free(pf);
  pthread_mutex_destroy(&pf->mu);
  pthread_cond_destroy(&pf->room);
  pthread_cond_destroy(&pf->ready);
  free(pf);
}

static pf_t *get_pf(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, "PF_USAGE", "not a prefilter handle");
    return NULL;
  }
  return p;
}

static napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
    napi_throw_type_error(env, "PF_USAGE", "open(fd, maxFrame, maxBlock, maxIfaces, watched)");
    return NULL;
  }
  int32_t fd = -1;
  uint32_t v[3] = {0, 0, 0};
  napi_get_value_int32(env, argv[0], &fd);
  for (int i = 0; i < 3; i++) napi_get_value_uint32(env, argv[1 + i], &v[i]);
  napi_typedarray_type tt;
  size_t tlen = 0;
  void *tdata = NULL;
  if (napi_get_typedarray_info(env, argv[4], &tt, &tlen, &tdata, NULL, NULL) != napi_ok || tt != napi_uint8_array ||
      tlen != 65536 || fd < 0 || v[0] == 0 || v[0] > (1u << 30) || v[1] < 12 || v[1] > (1u << 30) || v[2] == 0 || v[2] > 65536) {
    napi_throw_type_error(env, "PF_USAGE", "open(fd, maxFrame, maxBlock, maxIfaces, watched: Uint8Array(65536))");
    return NULL;
  }
  pf_t *pf = calloc(1, sizeof *pf);
  if (pf == NULL) {
    napi_throw_error(env, "PF_NOMEM", "out of memory");
    return NULL;
  }
  pf->fd = -1;
  pf->fill = -1;
  pthread_mutex_init(&pf->mu, NULL);
  pthread_cond_init(&pf->room, NULL);
  pthread_cond_init(&pf->ready, NULL);
  pf->max_frame = v[0];
  pf->max_block = v[1];
  pf->max_ifaces = v[2];
  memcpy(pf->watched, tdata, 65536);
  uint32_t unit = pf->max_block > pf->max_frame + PCAP_REC ? pf->max_block : pf->max_frame + PCAP_REC;
  pf->in_size = (size_t)PF_READ_BYTES + unit;
  pf->cap = PF_FLUSH_BYTES + unit + 64;
  int ok = 1;
  pf->in = malloc(pf->in_size);
  pf->ng_link = calloc(pf->max_ifaces, sizeof(uint16_t));
  ok = pf->in != NULL && pf->ng_link != NULL;
  if (ok) ok = (pf->fd = dup(fd)) >= 0;
  if (ok) ok = pthread_create(&pf->th, NULL, producer, pf) == 0;
  if (!ok) {
    finalize(env, pf, NULL);
    napi_throw_error(env, "PF_START", "the prefilter could not start");
    return NULL;
  }
  pf->started = 1;
  napi_value ext;
  if (napi_create_external(env, pf, finalize, NULL, &ext) != napi_ok) {
    finalize(env, pf, NULL);
    napi_throw_error(env, "PF_START", "the prefilter could not start");
    return NULL;
  }
  return ext;
}

/* The handle in argv[0] of a call with at least `need` arguments (argv holds 2); NULL when thrown. */
static pf_t *handle_arg(napi_env env, napi_callback_info info, size_t need, napi_value *argv) {
  size_t argc = 2;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < need) {
    napi_throw_type_error(env, "PF_USAGE", "missing arguments");
    return NULL;
  }
  return get_pf(env, argv[0]);
}

static napi_value Capacity(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  pf_t *pf = handle_arg(env, info, 1, argv);
  if (pf == NULL) return NULL;
  napi_create_uint32(env, pf->cap, &out);
  return out;
}

static napi_value Next(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  pf_t *pf = handle_arg(env, info, 2, argv);
  if (pf == NULL) return NULL;
  void *dst = NULL;
  size_t dlen = 0;
  if (napi_get_buffer_info(env, argv[1], &dst, &dlen) != napi_ok || dlen < pf->cap) {
    napi_throw_type_error(env, "PF_USAGE", "next(handle, buffer of capacity() bytes)");
    return NULL;
  }
  uint32_t n = 0;
  if (!pf->joined) {
    pthread_mutex_lock(&pf->mu);
    while (pf->count == 0 && !pf->ended) pthread_cond_wait(&pf->ready, &pf->mu);
    if (pf->count > 0) {
      chunk_t *c = &pf->slots[pf->head];
      n = c->used;
      memcpy(dst, c->data, n);
      pf->head = (pf->head + 1) % PF_SLOTS;
      pf->count--;
      pthread_cond_signal(&pf->room);
    }
    pthread_mutex_unlock(&pf->mu);
  }
  napi_create_uint32(env, n, &out);
  return out;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  pf_t *pf = handle_arg(env, info, 1, argv);
  if (pf == NULL) return NULL;
  pf_free(pf);
  return NULL;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
      {"open", NULL, Open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"capacity", NULL, Capacity, NULL, NULL, NULL, napi_enumerable, NULL},
      {"next", NULL, Next, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 4, fns) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
