// Prints, as one JSON array, what ase-parser reads from each .aseprite file named on the command line.
// tests/engine/test_aseprite_file.py runs it to check Pixel Sprites' files with a reader it did not write.
// Cel pixels are the bytes ase-parser decompressed, in base64; everything else is ase-parser's own fields.
'use strict';

const fs = require('fs');
const path = require('path');
const Aseprite = require('ase-parser');

function celSummary(cel) {
  return {
    layerIndex: cel.layerIndex,
    xpos: cel.xpos,
    ypos: cel.ypos,
    opacity: cel.opacity,
    celType: cel.celType,
    zIndex: cel.zIndex,
    w: cel.w,
    h: cel.h,
    pixels: cel.rawCelData === undefined ? null : cel.rawCelData.toString('base64'),
  };
}

function read(file) {
  const ase = new Aseprite(fs.readFileSync(file), path.basename(file));
  ase.parse();
  return {
    fileSize: ase.fileSize,
    numFrames: ase.numFrames,
    width: ase.width,
    height: ase.height,
    colorDepth: ase.colorDepth,
    numColors: ase.numColors,
    pixelRatio: ase.pixelRatio,
    paletteIndex: ase.paletteIndex,
    palette: ase.palette === undefined ? null : ase.palette,
    layers: ase.layers,
    tags: ase.tags,
    slices: ase.slices,
    frames: ase.frames.map((frame) => ({
      bytesInFrame: frame.bytesInFrame,
      duration: frame.frameDuration,
      numChunks: frame.numChunks,
      cels: frame.cels.map(celSummary),
    })),
  };
}

process.stdout.write(JSON.stringify(process.argv.slice(2).map(read)));
