// Copies the pinned npm packages the workbench uses into ../static/vendor (served by
// `conflictmap serve`), so nothing is fetched at run time. Run by `make setup`.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "static", "vendor");
const modules = join(here, "node_modules");

const files = {
  "maplibre-gl/dist/maplibre-gl-csp.js": "maplibre-gl.js",
  "maplibre-gl/dist/maplibre-gl-csp-worker.js": "maplibre-gl-worker.js",
  "maplibre-gl/dist/maplibre-gl.css": "maplibre-gl.css",
  "maplibre-gl/LICENSE.txt": "LICENSE.maplibre-gl.txt",
  "cytoscape/dist/cytoscape.min.js": "cytoscape.min.js",
  "cytoscape/LICENSE": "LICENSE.cytoscape.txt",
  "topojson-client/dist/topojson-client.min.js": "topojson-client.min.js",
  "topojson-client/LICENSE": "LICENSE.topojson-client.txt",
  "world-atlas/countries-50m.json": "countries-50m.json",
  "world-atlas/LICENSE": "LICENSE.world-atlas.txt",
};

mkdirSync(vendor, { recursive: true });
const versions = {};
for (const [from, to] of Object.entries(files)) {
  copyFileSync(join(modules, from), join(vendor, to));
  const name = from.split("/")[0];
  versions[name] ??= JSON.parse(readFileSync(join(modules, name, "package.json"))).version;
}
writeFileSync(join(vendor, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`workbench packages copied to ${vendor}:`, versions);
