#!/usr/bin/env bash
# Installs the front-end packages from the npm registry and builds static/vendor/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/govuk-frontend ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
out=static/vendor
mkdir -p "$out/govuk" "$out/moj" "$out/htmx" "$out/axe"
rm -rf "$out/govuk/assets" "$out/moj/assets"
cp -R node_modules/govuk-frontend/dist/govuk/assets "$out/govuk/assets"
cp -R node_modules/@ministryofjustice/frontend/moj/assets "$out/moj/assets"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$out/govuk/"
cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js "$out/moj/"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/"
cp node_modules/axe-core/axe.min.js "$out/axe/"
npx --no-install sass --quiet --silence-deprecation=import,global-builtin,mixed-decls \
  --load-path=node_modules --load-path=. --no-source-map --style=compressed \
  static/src/casemgmt.scss "$out/casemgmt.css"
echo "front-end built into $out"
