#!/usr/bin/env bash
# Installs the system packages the toolkit needs: Debian's chromium (browser tests,
# Playwright drives it through executable_path), a CJK font for Chinese charts and a Java
# runtime (Debian's default-jre-headless) for the Spark engine's local mode (the Spark tests).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if ((${#need[@]} == 0)); then
  echo "system packages present: chromium, fonts-noto-cjk, java"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${need[*]}" >&2
  echo "run as root: apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
# matplotlib caches the font list: drop it so the new font is found.
rm -rf "${HOME:-/root}/.cache/matplotlib" "${MPLCONFIGDIR:-/nonexistent}"/fontlist-*.json 2>/dev/null || true
