/**
 * Model formats from their first bytes. Only the header is ever read: nothing here parses,
 * unpickles, decompresses or loads a model, so a malicious file cannot run code in the scanner.
 */
import type { ModelFormat } from './signatures';

/** How many leading bytes the checks below need (the PyTorch zip check looks furthest). */
export const HEADER_BYTES = 64 * 1024;

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const GGUF = [0x47, 0x47, 0x55, 0x46];
const TFL3 = [0x54, 0x46, 0x4c, 0x33];

function startsWith(bytes: Uint8Array, prefix: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + prefix.length) return false;
  return prefix.every((b, i) => bytes[offset + i] === b);
}

/** Pickle protocols 2-5 open with PROTO (0x80) and the protocol number. */
function isPickle(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
}

/**
 * ONNX is a protobuf ModelProto whose writers emit ir_version (field 1, varint) first and then
 * another ModelProto field; JSON or text that merely carries the extension fails this.
 */
function isOnnx(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x08) return false;
  const irVersion = bytes[1];
  if (irVersion < 1 || irVersion > 20) return false;
  // producer_name, producer_version, domain, model_version, doc_string, graph, opset_import, metadata_props
  return [0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72].includes(bytes[2]);
}

/** safetensors: an 8-byte little-endian header length, then that many bytes of JSON. */
function isSafetensors(bytes: Uint8Array, fileSize: number): boolean {
  if (bytes.length < 9) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  return headerLength >= 2n && headerLength <= BigInt(Math.max(0, fileSize - 8)) && bytes[8] === 0x7b;
}

/** A zip whose entries include a pickled `data.pkl`: the torch.save format since PyTorch 1.6. */
function isTorchZip(bytes: Uint8Array): boolean {
  if (!startsWith(bytes, ZIP)) return false;
  // The first local header's file name starts at offset 30; torch writes `<archive>/data.pkl` first,
  // but a byte search over the header window also finds it when another entry comes first.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('data.pkl', 0, 'latin1');
}

/** joblib writes a plain pickle, or a pickle inside zlib, gzip, bz2, xz or lzma. */
function isJoblib(bytes: Uint8Array): boolean {
  if (isPickle(bytes)) return true;
  if (bytes.length < 3) return false;
  const zlib = bytes[0] === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(bytes[1]);
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const bz2 = startsWith(bytes, [0x42, 0x5a, 0x68]);
  const xz = startsWith(bytes, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  const lzma = startsWith(bytes, [0x5d, 0x00, 0x00]);
  return zlib || gzip || bz2 || xz || lzma;
}

/** SavedModel protobuf: saved_model_schema_version (field 1) = 1, then meta_graphs (field 2). */
function isSavedModel(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x08 && bytes[1] === 0x01 && bytes[2] === 0x12;
}

/** True when the header bytes are those of the format the file's extension claims. */
export function matchesFormat(format: ModelFormat, header: Uint8Array, fileSize: number): boolean {
  switch (format) {
    case 'onnx':
      return isOnnx(header);
    case 'pytorch':
      return isTorchZip(header) || isPickle(header);
    case 'safetensors':
      return isSafetensors(header, fileSize);
    case 'gguf':
      return startsWith(header, GGUF);
    case 'hdf5':
      // The HDF5 superblock may also sit at 512 bytes when a user block precedes it.
      return startsWith(header, HDF5) || startsWith(header, HDF5, 512);
    case 'keras':
      return startsWith(header, ZIP) || startsWith(header, HDF5);
    case 'pickle':
      return isPickle(header);
    case 'joblib':
      return isJoblib(header);
    case 'tflite':
      return startsWith(header, TFL3, 4);
    case 'saved_model':
      return isSavedModel(header);
  }
}
