// "Download PNG": the chart's SVG (it carries its own styles) drawn on a canvas at twice its size.
export async function downloadPng(svg, name) {
  const width = Number(svg.getAttribute("width")), height = Number(svg.getAttribute("height"));
  if (!width || !height) throw new Error("nothing to export: the plan has no tasks");
  const copy = svg.cloneNode(true);
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.querySelectorAll(".handle, .resize, .rubber").forEach((n) => n.remove());
  const source = new XMLSerializer().serializeToString(copy);
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}`;
  await image.decode();
  // twice the size for sharpness, less where a browser's canvas limits (32,767 px a side) would be passed
  const scale = Math.min(2, 32000 / width, 32000 / height, Math.sqrt(2.5e8 / (width * height)));
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.scale(scale, scale);
  g.drawImage(image, 0, 0, width, height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `${name.replace(/[^\w.-]+/g, "_") || "plan"}.png`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
