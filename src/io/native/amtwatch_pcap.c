/*
 * amtwatch_pcap: the libpcap binding behind `amtwatch live` (Node-API, C).
 *
 * Derived from cap 0.2.1 by Brian White (https://github.com/mscdex/cap, src/binding.cc; MIT licence,
 * see LICENSE.cap beside this file): the pcap_create/activate/setfilter sequence, the uv_poll on
 * pcap_get_selectable_fd with pcap_dispatch in the poll callback, the "close while dispatching"
 * guard, and pcap_findalldevs -> deviceList(). Changed for amtwatch:
 *   - Node-API in C instead of nan/V8 (no npm dependency; ABI-stable across Node versions);
 *   - snaplen, promiscuous mode, kernel buffer size and read timeout are options, and immediate mode
 *     is OFF by default: libpcap then uses a TPACKET_V3 ring of 256 KiB blocks holding packets packed
 *     by their real size (cap's immediate mode forces TPACKET_V2 with one slot of snaplen+ per packet,
 *     i.e. 64 KiB slots when offloads are on). The kernel hands a block over when it is full or when
 *     the timeout expires, so the timeout bounds the latency;
 *   - pcap_set_immediate_mode is linked (-lpcap), never looked up with dlopen("libpcap.so");
 *   - the libpcap timestamp and original length are handed to JS: each packet is copied into a
 *     JS-owned batch buffer as [ts_sec u32][ts_usec u32][caplen u32][origlen u32][bytes, padded to 4]
 *     (host byte order), and ONE JS callback receives a whole batch (count, bytes used), bounded by
 *     the buffer size and maxBatchPackets;
 *   - stats() (pcap_stats, with 32-bit wrap-around folded into 64-bit totals), drain() (synchronous
 *     dispatch of what is ready, for shutdown), exact activation error codes (err.code: PCAP_PERM,
 *     PCAP_NO_SUCH_DEVICE, PCAP_IFACE_NOT_UP, PCAP_FILTER, PCAP_ERROR), checkFilter() without a
 *     device, up/running/loopback flags and netmasks in deviceList(), libVersion();
 *   - no send(), no Windows code path.
 *
 * JS API (see src/io/live.ts for the typed wrapper):
 *   libVersion() -> string
 *   deviceList() -> [{ name, description|null, addresses: [{ family, addr, netmask|null, broadaddr|null,
 *                      dstaddr|null }], loopback, up, running, wireless }]
 *   checkFilter(expr, dlt, snaplen) -> null | error text
 *   new Capture(device, { snaplen, promisc, bufferSize, timeoutMs, immediate, filter, maxBatchPackets },
 *               batchBuffer, onBatch(count, bytesUsed))
 *     .datalink  (number: the DLT)        .warning (string|null: activation warning)
 *     .stats()  -> { received, dropped, ifDropped, delivered, batches, truncated } (totals since open)
 *     .drain([max]) -> packets delivered by this call (synchronous: everything ready, or at most max)
 *     .close()  -> true when it was open
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <pcap/pcap.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define REC_HDR 16u

/* Runs a napi call; on failure throws (if nothing is pending) and returns `ret`. */
#define NAPI_OK(env, call, ret)                                                   \
  do {                                                                            \
    if ((call) != napi_ok) {                                                      \
      bool pending_ = false;                                                      \
      napi_is_exception_pending((env), &pending_);                                \
      if (!pending_) napi_throw_error((env), "PCAP_INTERNAL", "Node-API call failed: " #call); \
      return ret;                                                                 \
    }                                                                             \
  } while (0)

typedef struct {
  uint64_t total;
  uint32_t last;
} wrap_counter;

static void wrap_update(wrap_counter *w, uint32_t now) {
  w->total += (uint32_t)(now - w->last); /* modulo 2^32: survives one wrap between calls */
  w->last = now;
}

typedef struct capture {
  napi_env env;
  napi_ref self;      /* strong while open: the object cannot be collected while capturing */
  napi_ref on_batch;
  napi_ref buf_ref;
  napi_async_context actx;
  pcap_t *p;
  uv_poll_t *poll;
  uv_idle_t *idle; /* continues a dispatch that hit its budget, one batch per event-loop turn */
  int idle_active;
  uint8_t *buf;
  size_t cap;
  size_t used;
  uint32_t count;
  uint32_t max_count;
  int dispatching;
  int closing;
  int from_js; /* dispatch runs inside a JS call (drain): rethrow instead of fatal_exception */
  napi_ref pending_error;
  uint64_t delivered;
  uint64_t batches;
  uint64_t truncated;
  wrap_counter recv, drop, ifdrop;
  int datalink;
} capture_t;

static napi_value make_error(napi_env env, const char *code, const char *msg) {
  napi_value c, m, e;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, c, m, &e);
  return e;
}

static void throw_code(napi_env env, const char *code, const char *msg) {
  napi_throw(env, make_error(env, code, msg));
}

/* ------------------------------------------------------------------ batches */

static void capture_flush(capture_t *c) {
  if (c->count == 0) return;
  napi_env env = c->env;
  uint32_t count = c->count;
  double used = (double)c->used;
  c->count = 0;
  c->used = 0;
  c->batches++;
  if (c->pending_error != NULL) return; /* a callback already threw: stop calling JS */
  napi_value fn, recv, argv[2], result;
  if (napi_get_reference_value(env, c->on_batch, &fn) != napi_ok || fn == NULL) return;
  if (napi_get_reference_value(env, c->self, &recv) != napi_ok || recv == NULL) napi_get_global(env, &recv);
  napi_create_uint32(env, count, &argv[0]);
  napi_create_double(env, used, &argv[1]);
  napi_status st = napi_make_callback(env, c->actx, recv, fn, 2, argv, &result);
  if (st != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_create_reference(env, err, 1, &c->pending_error);
      if (c->p != NULL) pcap_breakloop(c->p);
    }
  }
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  capture_t *c = (capture_t *)user;
  if (c->closing || c->pending_error != NULL) return;
  uint32_t caplen = h->caplen;
  if ((size_t)caplen + REC_HDR > c->cap) {
    caplen = (uint32_t)(c->cap - REC_HDR); /* cannot happen: the buffer is checked against snaplen */
    c->truncated++;
  }
  size_t need = REC_HDR + (((size_t)caplen + 3u) & ~(size_t)3u);
  if (c->used + need > c->cap || c->count >= c->max_count) {
    capture_flush(c);
    if (c->closing || c->pending_error != NULL) return;
  }
  uint32_t *hdr = (uint32_t *)(void *)(c->buf + c->used);
  hdr[0] = (uint32_t)h->ts.tv_sec;
  hdr[1] = (uint32_t)h->ts.tv_usec;
  hdr[2] = caplen;
  hdr[3] = h->len;
  memcpy(c->buf + c->used + REC_HDR, bytes, caplen);
  size_t pad = need - REC_HDR - caplen;
  if (pad) memset(c->buf + c->used + REC_HDR + caplen, 0, pad);
  c->used += need;
  c->count++;
  c->delivered++;
}

static void capture_read_stats(capture_t *c) {
  struct pcap_stat ps;
  if (c->p != NULL && pcap_stats(c->p, &ps) == 0) {
    wrap_update(&c->recv, ps.ps_recv);
    wrap_update(&c->drop, ps.ps_drop);
    wrap_update(&c->ifdrop, ps.ps_ifdrop);
  }
}

static void on_handle_closed(uv_handle_t *h) { free(h); }

static void capture_stop_handles(capture_t *c) {
  if (c->poll != NULL) {
    uv_poll_stop(c->poll);
    uv_close((uv_handle_t *)c->poll, on_handle_closed);
    c->poll = NULL;
  }
  if (c->idle != NULL) {
    uv_idle_stop(c->idle);
    uv_close((uv_handle_t *)c->idle, on_handle_closed);
    c->idle = NULL;
    c->idle_active = 0;
  }
}

/* Releases libpcap and the JS references; never while pcap_dispatch is on the stack. */
static void capture_finish_close(capture_t *c) {
  if (c->p == NULL) return;
  capture_read_stats(c);
  pcap_close(c->p);
  c->p = NULL;
  napi_env env = c->env;
  if (c->on_batch) { napi_delete_reference(env, c->on_batch); c->on_batch = NULL; }
  if (c->buf_ref) { napi_delete_reference(env, c->buf_ref); c->buf_ref = NULL; }
  c->buf = NULL;
  c->cap = 0;
  if (c->actx) { napi_async_destroy(env, c->actx); c->actx = NULL; }
  if (c->self) { uint32_t rc; napi_reference_unref(env, c->self, &rc); }
}

/* Dispatches up to `max` packets (-1: everything the ring has ready), one JS call per batch.
   From the poll callback the count is bounded (maxBatchPackets) so that one callback never holds the
   event loop for long under a backlog: timers, output writes and signals run between callbacks, and
   the descriptor stays readable (level-triggered) while a TPACKET_V3 block is still being read.
   Returns the number of packets, or PCAP_ERROR (text in errbuf). */
static int capture_dispatch(capture_t *c, int max, char *errbuf, size_t errlen) {
  if (c->p == NULL || c->closing) return 0;
  c->dispatching = 1;
  int n = pcap_dispatch(c->p, max, on_packet, (u_char *)c);
  int rc = n;
  if (n == PCAP_ERROR && errbuf != NULL) snprintf(errbuf, errlen, "%s", pcap_geterr(c->p));
  if (n == PCAP_ERROR_BREAK) rc = 0;
  if (!c->closing) capture_flush(c);
  c->dispatching = 0;
  if (c->closing) capture_finish_close(c);
  return rc < 0 && rc != PCAP_ERROR ? 0 : rc;
}

static void on_idle(uv_idle_t *h);

/* One bounded dispatch from the event loop (poll readiness or the idle continuation). When the budget
   was used up more may be waiting in the current block, which does not make the descriptor readable
   again, so the idle handle runs the next batch on the next loop turn (after timers and I/O). */
static void capture_run(capture_t *c, int status) {
  if (c == NULL || c->closing || c->p == NULL) return;
  napi_env env = c->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  int n = 0;
  if (status < 0) {
    /* the socket failed: its pending error says why (the interface went down or away) better than
       libuv's status for POLLERR, which is "bad file descriptor" */
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    int sfd = pcap_get_selectable_fd(c->p);
    if (sfd >= 0 && getsockopt(sfd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr != 0) {
      snprintf(errbuf, sizeof errbuf, "%s", soerr == ENETDOWN ? "the interface went down"
                                          : (soerr == ENODEV || soerr == ENXIO) ? "the interface went away"
                                                                                 : strerror(soerr));
    } else {
      snprintf(errbuf, sizeof errbuf, "poll: %s", uv_strerror(status));
    }
    n = PCAP_ERROR;
  } else {
    c->from_js = 0;
    n = capture_dispatch(c, (int)c->max_count, errbuf, sizeof errbuf);
    if (c->p != NULL && !c->closing && c->idle != NULL) {
      if (n >= (int)c->max_count && !c->idle_active) {
        uv_idle_start(c->idle, on_idle);
        c->idle_active = 1;
      } else if (n < (int)c->max_count && c->idle_active) {
        uv_idle_stop(c->idle);
        c->idle_active = 0;
      }
    }
  }
  if (c->pending_error != NULL) {
    napi_value err;
    napi_get_reference_value(env, c->pending_error, &err);
    napi_delete_reference(env, c->pending_error);
    c->pending_error = NULL;
    napi_fatal_exception(env, err); /* -> process 'uncaughtException', as an emitter would */
  } else if (n == PCAP_ERROR && c->on_batch != NULL) {
    /* the device went away (interface deleted) or the socket failed: report through onBatch(-1) */
    napi_value fn, recv, argv[2], result;
    if (napi_get_reference_value(env, c->on_batch, &fn) == napi_ok && fn != NULL) {
      if (napi_get_reference_value(env, c->self, &recv) != napi_ok || recv == NULL) napi_get_global(env, &recv);
      napi_create_int32(env, -1, &argv[0]);
      napi_create_string_utf8(env, errbuf, NAPI_AUTO_LENGTH, &argv[1]);
      if (napi_make_callback(env, c->actx, recv, fn, 2, argv, &result) != napi_ok) {
        bool pending = false;
        napi_is_exception_pending(env, &pending);
        if (pending) {
          napi_value e;
          napi_get_and_clear_last_exception(env, &e);
          napi_fatal_exception(env, e);
        }
      }
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  capture_t *c = (capture_t *)h->data;
  if (status >= 0 && (!(events & UV_READABLE) || (c != NULL && c->idle_active))) return; /* idle has it */
  capture_run(c, status);
}

static void on_idle(uv_idle_t *h) { capture_run((capture_t *)h->data, 0); }

static void capture_close(capture_t *c) {
  if (c->p == NULL || c->closing) return;
  c->closing = 1;
  capture_stop_handles(c);
  if (c->dispatching) pcap_breakloop(c->p); /* finish_close runs when pcap_dispatch returns */
  else capture_finish_close(c);
}

static void capture_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  capture_t *c = (capture_t *)data;
  if (c->p != NULL) {
    /* only at environment teardown: the strong self reference keeps an open capture alive */
    capture_stop_handles(c);
    pcap_close(c->p);
    c->p = NULL;
  }
  free(c);
}

/* ------------------------------------------------------------------ option helpers */

static int get_prop(napi_env env, napi_value obj, const char *key, napi_value *out) {
  bool has = false;
  if (napi_has_named_property(env, obj, key, &has) != napi_ok || !has) return 0;
  if (napi_get_named_property(env, obj, key, out) != napi_ok) return 0;
  napi_valuetype t;
  napi_typeof(env, *out, &t);
  return t != napi_undefined && t != napi_null;
}

static int opt_u32(napi_env env, napi_value obj, const char *key, uint32_t def, uint32_t *out) {
  napi_value v;
  *out = def;
  if (!get_prop(env, obj, key, &v)) return 1;
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || d < 0 || d > 4294967295.0 || d != (double)(uint32_t)d) {
    char msg[128];
    snprintf(msg, sizeof msg, "option %s must be a whole number from 0 to 4294967295", key);
    napi_throw_type_error(env, "PCAP_USAGE", msg);
    return 0;
  }
  *out = (uint32_t)d;
  return 1;
}

static int opt_bool(napi_env env, napi_value obj, const char *key, int def, int *out) {
  napi_value v;
  *out = def;
  if (!get_prop(env, obj, key, &v)) return 1;
  bool b;
  if (napi_get_value_bool(env, v, &b) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "option %s must be a boolean", key);
    napi_throw_type_error(env, "PCAP_USAGE", msg);
    return 0;
  }
  *out = b;
  return 1;
}

/* Returns a malloc'd UTF-8 copy of a JS string (NULL and a TypeError when not a string). */
static char *get_string(napi_env env, napi_value v, const char *what) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be a string", what);
    napi_throw_type_error(env, "PCAP_USAGE", msg);
    return NULL;
  }
  char *s = malloc(len + 1);
  if (s == NULL) {
    napi_throw_error(env, "PCAP_INTERNAL", "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static const char *activate_code(int st) {
  switch (st) {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return "PCAP_PERM";
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return "PCAP_NO_SUCH_DEVICE";
    case PCAP_ERROR_IFACE_NOT_UP:
      return "PCAP_IFACE_NOT_UP";
    default:
      return "PCAP_ERROR";
  }
}

/* ------------------------------------------------------------------ Capture */

/* new Capture(device, options, batchBuffer, onBatch) */
static napi_value Capture_new(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], self;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL), NULL);
  if (argc < 4) {
    napi_throw_type_error(env, "PCAP_USAGE", "Capture(device, options, batchBuffer, onBatch)");
    return NULL;
  }
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (t != napi_object) {
    napi_throw_type_error(env, "PCAP_USAGE", "options must be an object");
    return NULL;
  }
  bool isbuf = false;
  napi_is_buffer(env, argv[2], &isbuf);
  if (!isbuf) {
    napi_throw_type_error(env, "PCAP_USAGE", "batchBuffer must be a Buffer");
    return NULL;
  }
  napi_typeof(env, argv[3], &t);
  if (t != napi_function) {
    napi_throw_type_error(env, "PCAP_USAGE", "onBatch must be a function");
    return NULL;
  }
  uint32_t snaplen, buffer_size, timeout_ms, max_batch;
  int promisc, immediate;
  if (!opt_u32(env, argv[1], "snaplen", 262144, &snaplen)) return NULL;
  if (!opt_u32(env, argv[1], "bufferSize", 64u << 20, &buffer_size)) return NULL;
  if (!opt_u32(env, argv[1], "timeoutMs", 50, &timeout_ms)) return NULL;
  if (!opt_u32(env, argv[1], "maxBatchPackets", 4096, &max_batch)) return NULL;
  if (!opt_bool(env, argv[1], "promisc", 1, &promisc)) return NULL;
  if (!opt_bool(env, argv[1], "immediate", 0, &immediate)) return NULL;
  if (snaplen < 64 || snaplen > 262144) {
    napi_throw_range_error(env, "PCAP_USAGE", "snaplen must be from 64 to 262144");
    return NULL;
  }
  if (max_batch == 0) max_batch = 1;
  void *bufdata = NULL;
  size_t buflen = 0;
  NAPI_OK(env, napi_get_buffer_info(env, argv[2], &bufdata, &buflen), NULL);
  if (buflen < (size_t)snaplen + REC_HDR + 4 || ((uintptr_t)bufdata & 3u) != 0) {
    napi_throw_range_error(env, "PCAP_USAGE", "batchBuffer must be 4-byte aligned and hold at least snaplen + 20 bytes");
    return NULL;
  }

  char *device = get_string(env, argv[0], "device");
  if (device == NULL) return NULL;
  char *filter = NULL;
  char *filter_novlan = NULL; /* for link types without 802.1Q, where libpcap refuses `vlan` */
  napi_value fv;
  if (get_prop(env, argv[1], "filter", &fv)) {
    filter = get_string(env, fv, "option filter");
    if (filter == NULL) {
      free(device);
      return NULL;
    }
  }
  if (get_prop(env, argv[1], "filterNoVlan", &fv)) {
    filter_novlan = get_string(env, fv, "option filterNoVlan");
    if (filter_novlan == NULL) {
      free(device);
      free(filter);
      return NULL;
    }
  }

  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  char msg[PCAP_ERRBUF_SIZE + 256];
  const char *fail_code = NULL;
  napi_value warning;
  napi_get_null(env, &warning);

  pcap_t *p = pcap_create(device, errbuf);
  if (p == NULL) {
    snprintf(msg, sizeof msg, "%s: %s", device, errbuf);
    fail_code = "PCAP_ERROR";
    goto fail;
  }
  if (pcap_set_snaplen(p, (int)snaplen) != 0 || pcap_set_promisc(p, promisc) != 0 ||
      pcap_set_timeout(p, (int)timeout_ms) != 0 || pcap_set_buffer_size(p, (int)buffer_size) != 0 ||
      pcap_set_immediate_mode(p, immediate) != 0) {
    snprintf(msg, sizeof msg, "%s: cannot set capture options: %s", device, pcap_geterr(p));
    fail_code = "PCAP_ERROR";
    goto fail;
  }
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO); /* the default; asked for explicitly */
  int st = pcap_activate(p);
  if (st < 0) {
    /* pcap_statustostr + pcap_geterr, e.g. "eth9: No such device exists (SIOCGIFINDEX: No such device)" */
    const char *detail = pcap_geterr(p);
    snprintf(msg, sizeof msg, "%s: %s%s%s%s", device, pcap_statustostr(st), detail && *detail ? " (" : "",
             detail ? detail : "", detail && *detail ? ")" : "");
    fail_code = activate_code(st);
    goto fail;
  }
  if (st > 0) {
    const char *detail = pcap_geterr(p);
    snprintf(msg, sizeof msg, "%s: %s%s%s%s", device, pcap_statustostr(st), detail && *detail ? " (" : "",
             detail ? detail : "", detail && *detail ? ")" : "");
    napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &warning);
  }
  const char *prog = filter;
  if (filter_novlan != NULL && pcap_datalink(p) != DLT_EN10MB) prog = filter_novlan;
  if (prog != NULL && prog[0] != '\0') {
    struct bpf_program fp;
    if (pcap_compile(p, &fp, prog, 1, PCAP_NETMASK_UNKNOWN) == -1) {
      snprintf(msg, sizeof msg, "bad filter expression: %s", pcap_geterr(p));
      fail_code = "PCAP_FILTER";
      goto fail;
    }
    int sf = pcap_setfilter(p, &fp);
    pcap_freecode(&fp);
    if (sf == -1) {
      snprintf(msg, sizeof msg, "%s: cannot install the filter in the kernel: %s", device, pcap_geterr(p));
      fail_code = "PCAP_ERROR";
      goto fail;
    }
  }
  if (pcap_setnonblock(p, 1, errbuf) == -1) {
    snprintf(msg, sizeof msg, "%s: cannot set non-blocking mode: %s", device, errbuf);
    fail_code = "PCAP_ERROR";
    goto fail;
  }
  int fd = pcap_get_selectable_fd(p);
  if (fd < 0) {
    snprintf(msg, sizeof msg, "%s: no selectable descriptor", device);
    fail_code = "PCAP_ERROR";
    goto fail;
  }

  capture_t *c = calloc(1, sizeof *c);
  uv_poll_t *poll = calloc(1, sizeof *poll);
  uv_loop_t *loop = NULL;
  if (c == NULL || poll == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL) {
    free(c);
    free(poll);
    snprintf(msg, sizeof msg, "out of memory");
    fail_code = "PCAP_INTERNAL";
    goto fail;
  }
  c->env = env;
  c->p = p;
  c->buf = bufdata;
  c->cap = buflen & ~(size_t)3u;
  c->max_count = max_batch;
  c->datalink = pcap_datalink(p);
  if (napi_wrap(env, self, c, capture_finalize, NULL, NULL) != napi_ok) {
    free(c);
    free(poll);
    snprintf(msg, sizeof msg, "cannot wrap the capture object");
    fail_code = "PCAP_INTERNAL";
    goto fail;
  }
  napi_create_reference(env, self, 1, &c->self);
  napi_create_reference(env, argv[3], 1, &c->on_batch);
  napi_create_reference(env, argv[2], 1, &c->buf_ref);
  napi_value resname;
  napi_create_string_utf8(env, "amtwatch:capture", NAPI_AUTO_LENGTH, &resname);
  napi_async_init(env, self, resname, &c->actx);

  uv_idle_t *idle = calloc(1, sizeof *idle);
  int r = idle == NULL ? UV_ENOMEM : uv_idle_init(loop, idle);
  if (r == 0) {
    idle->data = c;
    c->idle = idle;
    r = uv_poll_init(loop, poll, fd);
  } else {
    free(idle);
  }
  if (r == 0) {
    poll->data = c;
    r = uv_poll_start(poll, UV_READABLE, on_readable);
  }
  if (r != 0) {
    snprintf(msg, sizeof msg, "%s: cannot poll the capture descriptor: %s", device, uv_strerror(r));
    free(poll);
    c->poll = NULL;
    c->closing = 1;
    capture_stop_handles(c);
    capture_finish_close(c);
    free(device);
    free(filter);
    free(filter_novlan);
    throw_code(env, "PCAP_ERROR", msg);
    return NULL;
  }
  c->poll = poll;

  napi_value dl;
  napi_create_int32(env, c->datalink, &dl);
  napi_set_named_property(env, self, "datalink", dl);
  napi_set_named_property(env, self, "warning", warning);
  free(device);
  free(filter);
  free(filter_novlan);
  return self;

fail:
  if (p != NULL) pcap_close(p);
  free(device);
  free(filter);
  free(filter_novlan);
  throw_code(env, fail_code, msg);
  return NULL;
}

static capture_t *unwrap(napi_env env, napi_callback_info info) {
  napi_value self;
  size_t argc = 0;
  if (napi_get_cb_info(env, info, &argc, NULL, &self, NULL) != napi_ok) return NULL;
  void *data = NULL;
  if (napi_unwrap(env, self, &data) != napi_ok || data == NULL) {
    napi_throw_error(env, "PCAP_USAGE", "not an open capture");
    return NULL;
  }
  return (capture_t *)data;
}

static void set_u64(napi_env env, napi_value obj, const char *key, uint64_t v) {
  napi_value n;
  napi_create_double(env, (double)v, &n);
  napi_set_named_property(env, obj, key, n);
}

static napi_value Capture_stats(napi_env env, napi_callback_info info) {
  capture_t *c = unwrap(env, info);
  if (c == NULL) return NULL;
  capture_read_stats(c);
  napi_value o;
  NAPI_OK(env, napi_create_object(env, &o), NULL);
  set_u64(env, o, "received", c->recv.total);
  set_u64(env, o, "dropped", c->drop.total);
  set_u64(env, o, "ifDropped", c->ifdrop.total);
  set_u64(env, o, "delivered", c->delivered);
  set_u64(env, o, "batches", c->batches);
  set_u64(env, o, "truncated", c->truncated);
  return o;
}

/* drain([max]): dispatches synchronously. Without max: everything the ring has ready (loops until
   pcap_dispatch returns 0). With max: at most max packets (one bounded dispatch), so a caller can
   yield to the event loop between calls. Returns the number of packets delivered. */
static napi_value Capture_drain(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL), NULL);
  void *data = NULL;
  if (napi_unwrap(env, self, &data) != napi_ok || data == NULL) {
    napi_throw_error(env, "PCAP_USAGE", "not an open capture");
    return NULL;
  }
  capture_t *c = (capture_t *)data;
  int32_t max = -1;
  if (argc >= 1) {
    napi_valuetype t;
    napi_typeof(env, argv[0], &t);
    if (t == napi_number) napi_get_value_int32(env, argv[0], &max);
  }
  if (c->dispatching) {
    napi_throw_error(env, "PCAP_USAGE", "drain() called from inside onBatch");
    return NULL;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  c->from_js = 1;
  int n = 0;
  if (max > 0) {
    n = capture_dispatch(c, max, errbuf, sizeof errbuf);
  } else {
    for (int k = 0; k < 1000000; k++) { /* bounded: the ring cannot hold more batches than this */
      int r = capture_dispatch(c, -1, errbuf, sizeof errbuf);
      if (r == PCAP_ERROR) {
        n = r;
        break;
      }
      if (r <= 0 || c->p == NULL || c->pending_error != NULL) break;
      n += r;
    }
  }
  c->from_js = 0;
  if (c->pending_error != NULL) {
    napi_value err;
    napi_get_reference_value(env, c->pending_error, &err);
    napi_delete_reference(env, c->pending_error);
    c->pending_error = NULL;
    napi_throw(env, err);
    return NULL;
  }
  if (n == PCAP_ERROR) {
    throw_code(env, "PCAP_ERROR", errbuf);
    return NULL;
  }
  napi_value out;
  napi_create_int32(env, n, &out);
  return out;
}

static napi_value Capture_close(napi_env env, napi_callback_info info) {
  capture_t *c = unwrap(env, info);
  if (c == NULL) return NULL;
  bool was_open = c->p != NULL && !c->closing;
  capture_close(c);
  napi_value out;
  napi_get_boolean(env, was_open, &out);
  return out;
}

/* ------------------------------------------------------------------ module functions */

static napi_value addr_string(napi_env env, const struct sockaddr *sa) {
  napi_value v;
  char buf[INET6_ADDRSTRLEN + 1] = {0};
  const char *s = NULL;
  if (sa != NULL && sa->sa_family == AF_INET)
    s = inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, sizeof buf);
  else if (sa != NULL && sa->sa_family == AF_INET6)
    s = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, sizeof buf);
  if (s == NULL) napi_get_null(env, &v);
  else napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

static void set_bool(napi_env env, napi_value obj, const char *key, int b) {
  napi_value v;
  napi_get_boolean(env, b != 0, &v);
  napi_set_named_property(env, obj, key, v);
}

static napi_value DeviceList(napi_env env, napi_callback_info info) {
  (void)info;
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_if_t *all = NULL;
  if (pcap_findalldevs(&all, errbuf) == -1) {
    throw_code(env, "PCAP_ERROR", errbuf);
    return NULL;
  }
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t i = 0;
  for (pcap_if_t *d = all; d != NULL; d = d->next) {
    napi_value dev, v, addrs;
    napi_create_object(env, &dev);
    napi_create_string_utf8(env, d->name, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, dev, "name", v);
    if (d->description != NULL) napi_create_string_utf8(env, d->description, NAPI_AUTO_LENGTH, &v);
    else napi_get_null(env, &v);
    napi_set_named_property(env, dev, "description", v);
    napi_create_array(env, &addrs);
    uint32_t j = 0;
    for (pcap_addr_t *a = d->addresses; a != NULL; a = a->next) {
      if (a->addr == NULL || (a->addr->sa_family != AF_INET && a->addr->sa_family != AF_INET6)) continue;
      napi_value ao;
      napi_create_object(env, &ao);
      napi_create_string_utf8(env, a->addr->sa_family == AF_INET ? "IPv4" : "IPv6", NAPI_AUTO_LENGTH, &v);
      napi_set_named_property(env, ao, "family", v);
      napi_set_named_property(env, ao, "addr", addr_string(env, a->addr));
      napi_set_named_property(env, ao, "netmask", addr_string(env, a->netmask));
      napi_set_named_property(env, ao, "broadaddr", addr_string(env, a->broadaddr));
      napi_set_named_property(env, ao, "dstaddr", addr_string(env, a->dstaddr));
      napi_set_element(env, addrs, j++, ao);
    }
    napi_set_named_property(env, dev, "addresses", addrs);
    set_bool(env, dev, "loopback", d->flags & PCAP_IF_LOOPBACK);
    set_bool(env, dev, "up", d->flags & PCAP_IF_UP);
    set_bool(env, dev, "running", d->flags & PCAP_IF_RUNNING);
    set_bool(env, dev, "wireless", d->flags & PCAP_IF_WIRELESS);
    napi_set_element(env, arr, i++, dev);
  }
  pcap_freealldevs(all);
  return arr;
}

/* checkFilter(expr, dlt, snaplen) -> null when the expression compiles, else libpcap's message */
static napi_value CheckFilter(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), NULL);
  if (argc < 3) {
    napi_throw_type_error(env, "PCAP_USAGE", "checkFilter(expr, dlt, snaplen)");
    return NULL;
  }
  char *expr = get_string(env, argv[0], "expr");
  if (expr == NULL) return NULL;
  int32_t dlt = 1, snaplen = 262144;
  napi_get_value_int32(env, argv[1], &dlt);
  napi_get_value_int32(env, argv[2], &snaplen);
  pcap_t *p = pcap_open_dead(dlt, snaplen);
  napi_value out;
  if (p == NULL) {
    free(expr);
    throw_code(env, "PCAP_ERROR", "pcap_open_dead failed");
    return NULL;
  }
  struct bpf_program fp;
  if (pcap_compile(p, &fp, expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
    napi_create_string_utf8(env, pcap_geterr(p), NAPI_AUTO_LENGTH, &out);
  } else {
    pcap_freecode(&fp);
    napi_get_null(env, &out);
  }
  pcap_close(p);
  free(expr);
  return out;
}

static napi_value LibVersion(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"stats", NULL, Capture_stats, NULL, NULL, NULL, napi_default, NULL},
      {"drain", NULL, Capture_drain, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, Capture_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  NAPI_OK(env, napi_define_class(env, "Capture", NAPI_AUTO_LENGTH, Capture_new, NULL, 3, methods, &cls), NULL);
  napi_property_descriptor fns[] = {
      {"Capture", NULL, NULL, NULL, NULL, cls, napi_enumerable, NULL},
      {"deviceList", NULL, DeviceList, NULL, NULL, NULL, napi_enumerable, NULL},
      {"checkFilter", NULL, CheckFilter, NULL, NULL, NULL, napi_enumerable, NULL},
      {"libVersion", NULL, LibVersion, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_OK(env, napi_define_properties(env, exports, 4, fns), NULL);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
