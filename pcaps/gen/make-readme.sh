#!/usr/bin/env bash
# Rebuilds pcaps/README.md from the generators' own fragments (each generator rewrites its fragment).
set -euo pipefail
cd "$(dirname "$0")/.."
{
  cat <<'HEAD'
# Fixtures

Every capture here has one line below: how it was made (the script in `pcaps/gen/` that regenerates
it, and the real tool or generator command) and what it exercises. Each has a golden output in
`test/golden/` (`test/golden.test.ts`), is compared with tshark (`test/tshark.test.ts`), and is read
with the policy file of its folder (`amtwatch.yaml`). Regenerate:

```sh
npx tsx pcaps/gen/synthetic.ts     # pcaps/synthetic/ (deterministic, byte-for-byte)
bash pcaps/gen/real.sh             # pcaps/lab/ (root; network namespaces; real clients)
bash pcaps/gen/make-readme.sh      # this file, from the two generators' fragments
UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts   # accept the new golden outputs
```

HEAD
  sed 's/^# /## /' gen/synthetic.README.md
  echo
  echo '- `synthetic/amtwatch.yaml` — written by hand — the policy the golden and CLI tests use for `synthetic/` (console 10.0.0.50 and 2001:db8::50; inventory 10.0.0.10 and 2001:db8::10)'
  echo
  sed 's/^# /## /' gen/real.README.md
} > README.md
