import { scan, renderScan } from "./bench/scan.mjs";
console.log(renderScan(scan({ files: 5000, seeds: 50, runs: 3 })));
