#!/usr/bin/env bash
# Regenerates the lab TLS material (run once; the outputs are committed, do not rerun casually:
# captures in pcaps/lab/ embed these certificates).
#   ca.crt/ca.key   "Untrusted Root Certificate" issuer, like the certificates MeshCommander
#                   issues to AMT (subject CN=<host>, O=None, ST=None; C=None is not a valid 2-letter country for openssl)
#   amt.crt/amt.key the AMT devices' TLS certificate (16993/16995), SAN *.lab.example + lab IPs
#   web.crt/web.key the intranet web server's certificate (192.0.2.80:443)
set -euo pipefail
cd "$(dirname "$0")"
days=7300
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -keyout ca.key -out ca.crt \
  -subj "/CN=Untrusted Root Certificate" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
mk() { # name subject san
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" -subj "$2"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$days" -extfile "$1.ext" -out "$1.crt"
  rm -f "$1.csr" "$1.ext"
}
mk amt "/ST=None/O=None/CN=amt.lab.example" \
  "DNS:amt.lab.example,DNS:*.lab.example,IP:192.0.2.10,IP:192.0.2.11,IP:192.0.2.66,IP:198.51.100.10,IP:2001:db8:1::10,IP:127.0.0.1"
mk web "/CN=web.lab.example" "DNS:web.lab.example,DNS:intranet.lab.example,IP:192.0.2.80"
rm -f ca.srl
chmod 644 ./*.key
