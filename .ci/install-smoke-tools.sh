#!/usr/bin/env bash
# Install the third-party S3 clients used by test/smoke/cli-tools.test.ts (and
# the Chromium that test/e2e/bucket-cors-browser.test.ts drives) from
# Debian's packages: the aws CLI v2 (/usr/bin/aws), s3cmd, rclone and boto3
# for Debian's /usr/bin/python3. Idempotent: packages already installed are
# skipped, and `apt-get update` runs at most once, only when something is
# missing.
set -euo pipefail

PACKAGES=(awscli s3cmd rclone python3-boto3 chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-smoke-tools: all present (${PACKAGES[*]})"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    echo "install-smoke-tools: not root and no sudo; cannot install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-smoke-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

for pkg in "${missing[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || {
    echo "install-smoke-tools: $pkg did not install" >&2
    exit 1
  }
done
echo "install-smoke-tools: done"
