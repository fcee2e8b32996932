// SVG to PNG, server-side, with resvg (its binary ships in npm: nothing to install on the host).

import { Resvg } from "@resvg/resvg-js";

export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, { background: "rgba(255, 255, 255, 0)", font: { loadSystemFonts: true } })
    .render()
    .asPng();
}
