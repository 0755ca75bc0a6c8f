#!/usr/bin/env bash
# Fetches the ipywidgets HTML renderer that offline reports inline (kpi_toolkit/reports/export.py).
#
# The stock nbconvert HTML loads @jupyter-widgets/html-manager from a CDN; our template
# inlines its standalone bundle dist/embed.js (no require.js needed) as a data: URI.
# Version 1.0.15 is the html-manager released with ipywidgets 8.1.9 (same
# @jupyter-widgets/base ^6.0.12 and controls ^5.0.13 as jupyterlab_widgets 3.0.17).
# Keep HTML_MANAGER_VERSION in kpi_toolkit/reports/export.py in step with this pin.
set -euo pipefail
VERSION=1.0.15
PACKAGE="@jupyter-widgets/html-manager@${VERSION}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="${ROOT}/kpi_toolkit/reports/templates/kpi_offline/static/embed.js"

if [ -s "$DEST" ] && head -c 200 "$DEST" | grep -q "html-manager@${VERSION}"; then
  echo "widget renderer present: ${DEST#"$ROOT"/}"
  exit 0
fi
command -v npm >/dev/null 2>&1 || {
  echo "npm not found: install Node.js (apt-get install -y npm) and run this script again" >&2
  exit 1
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$work"/jupyter-widgets-html-manager-"${VERSION}".tgz -C "$work" \
  package/dist/embed.js package/dist/embed.js.LICENSE.txt
mkdir -p "$(dirname "$DEST")"
cp "$work/package/dist/embed.js.LICENSE.txt" "$DEST.LICENSE.txt"
# A first line naming the version lets this script (and a reader) tell which bundle is here.
# The source-map comment goes: the map is not shipped, and a browser's devtools would look for it.
{
  echo "/* @jupyter-widgets/html-manager@${VERSION} dist/embed.js (BSD-3-Clause) */"
  grep -v '^//# sourceMappingURL=' "$work/package/dist/embed.js"
} >"$DEST.tmp"
mv "$DEST.tmp" "$DEST"
echo "wrote ${DEST#"$ROOT"/} ($(wc -c <"$DEST") bytes) from ${PACKAGE}"
