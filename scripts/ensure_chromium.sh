#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it (and pdftoppm for PDF checks, and Pango for
# WeasyPrint's PDFs) if missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
# WeasyPrint (generated PDFs) needs Pango.
for lib in libpango-1.0-0 libpangoft2-1.0-0; do
  dpkg-query -W -f='${Status}' "$lib" 2>/dev/null | grep -q "install ok installed" || missing+=("$lib")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} from Debian's packages" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "browser tests need: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
